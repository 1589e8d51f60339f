//! Render: templates over a [`View`], pages in parallel, each written as soon as it is rendered.
//! `serve` uses the same pieces to render single pages on request.

pub mod markdown;
pub mod minify;
pub mod pages;
pub mod theme;
pub mod tools;

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::audience::View;
use crate::output::{self, OutputError, Staging};
use pages::Job;
use theme::Theme;

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Theme(#[from] theme::ThemeError),
    #[error("rendu de la page {path} avec le gabarit {template} impossible :\n{detail}")]
    Page {
        path: String,
        template: &'static str,
        detail: String,
    },
    #[error(transparent)]
    Output(#[from] OutputError),
}

/// What was written.
#[derive(Debug, Default, Clone)]
pub struct Rendered {
    pub pages: usize,
    pub assets: usize,
    pub bytes: u64,
}

/// A theme asset under its fingerprinted name.
pub struct Asset {
    /// Output path, e.g. `static/style.1a2b3c4d5e.css`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The fingerprinted assets of a theme and the map (`style.css` → URL) templates get as `assets`.
pub fn assets(theme: &Theme, root: &str) -> (Vec<Asset>, BTreeMap<String, String>) {
    let mut list = Vec::new();
    let mut urls = BTreeMap::new();
    for (name, bytes) in &theme.assets {
        let path = format!("static/{}", output::fingerprinted_name(name, bytes));
        urls.insert(name.clone(), format!("{root}/{path}"));
        list.push(Asset {
            path,
            bytes: bytes.clone(),
        });
    }
    (list, urls)
}

/// Parses the theme's templates and sets the globals every page sees: the site, the asset URLs
/// and the URL of the search manifest.
pub fn environment(
    view: &View,
    theme: &Theme,
    asset_urls: &BTreeMap<String, String>,
    search_manifest: &str,
) -> Result<tera::Tera, RenderError> {
    let mut tera = theme.tera()?;
    tera.global_context().insert("site", &view.site);
    tera.global_context().insert("assets", asset_urls);
    tera.global_context()
        .insert("search_manifest", search_manifest);
    Ok(tera)
}

/// Renders one page to HTML (not minified).
pub fn render_page(view: &View, tera: &tera::Tera, job: Job) -> Result<String, RenderError> {
    let (template, ctx) = pages::context(view, job);
    tera.render(template, &ctx).map_err(|e| RenderError::Page {
        path: pages::output_path(view, job),
        template,
        detail: theme::error_chain(&e),
    })
}

/// Renders every page of `view` into `staging`, plus the theme's assets (fingerprinted) and the
/// search index.
pub fn render_site(view: &View, theme: &Theme, staging: &Staging) -> Result<Rendered, RenderError> {
    let (list, urls) = assets(theme, &view.site.root);
    let mut rendered = Rendered::default();
    for asset in &list {
        staging.write(&asset.path, &asset.bytes)?;
        rendered.assets += 1;
        rendered.bytes += asset.bytes.len() as u64;
    }
    let search = crate::search::build(view);
    for file in &search.files {
        staging.write(&file.path, &file.bytes)?;
        rendered.assets += 1;
        rendered.bytes += file.bytes.len() as u64;
    }
    let tera = environment(view, theme, &urls, &search.manifest_url)?;
    let jobs = pages::plan(view);
    let bytes = jobs
        .par_iter()
        .map(|&job| {
            let bytes = render_page(view, &tera, job)?.into_bytes();
            staging.write(&pages::output_path(view, job), &bytes)?;
            Ok::<u64, RenderError>(bytes.len() as u64)
        })
        .try_reduce(|| 0u64, |a, b| Ok(a + b))?;
    rendered.pages = jobs.len();
    rendered.bytes += bytes;
    // Open data, sitemap, robots.txt, feed and web manifest (src/export).
    for file in crate::export::files(view, &jobs, &urls) {
        staging.write(&file.path, &file.bytes)?;
        rendered.assets += 1;
        rendered.bytes += file.bytes.len() as u64;
    }
    Ok(rendered)
}
