//! Render: templates over a [`View`], pages in parallel, each written as soon as it is rendered.

pub mod markdown;
pub mod pages;
pub mod theme;

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

/// Renders every page of `view` into `staging`, plus the theme's assets (fingerprinted).
pub fn render_site(
    view: &View,
    theme: &Theme,
    staging: &Staging,
    minify: bool,
) -> Result<Rendered, RenderError> {
    let mut tera = theme.tera()?;
    let mut urls = BTreeMap::new();
    let mut rendered = Rendered::default();
    for (name, bytes) in &theme.assets {
        let fingerprinted = output::fingerprinted_name(name, bytes);
        staging.write(&format!("static/{fingerprinted}"), bytes)?;
        urls.insert(
            name.clone(),
            format!("{}/static/{fingerprinted}", view.site.root),
        );
        rendered.assets += 1;
        rendered.bytes += bytes.len() as u64;
    }
    tera.global_context().insert("site", &view.site);
    tera.global_context().insert("assets", &urls);

    let jobs = pages::plan(view);
    let bytes = jobs
        .par_iter()
        .map(|&job| render_page(view, &tera, job, staging, minify))
        .try_reduce(|| 0u64, |a, b| Ok(a + b))?;
    rendered.pages = jobs.len();
    rendered.bytes += bytes;
    Ok(rendered)
}

fn render_page(
    view: &View,
    tera: &tera::Tera,
    job: Job,
    staging: &Staging,
    minify: bool,
) -> Result<u64, RenderError> {
    let path = pages::output_path(view, job);
    let (template, ctx) = pages::context(view, job);
    let html = tera.render(template, &ctx).map_err(|e| RenderError::Page {
        path: path.clone(),
        template,
        detail: theme::error_chain(&e),
    })?;
    let bytes = if minify {
        output::minify_html(html.as_bytes())
    } else {
        html.into_bytes()
    };
    staging.write(&path, &bytes)?;
    Ok(bytes.len() as u64)
}
