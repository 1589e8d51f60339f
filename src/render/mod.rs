//! Render: templates over a [`View`], pages in parallel, each written as soon as it is rendered.
//! `serve` uses the same pieces to render single pages on request.

pub mod cards;
pub mod markdown;
pub mod minify;
pub mod pages;
pub mod theme;
pub mod tools;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::audience::View;
use crate::output::{self, OutputError, Staging};
use cards::CardCache;
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
#[derive(Debug, Default)]
pub struct Rendered {
    pub pages: usize,
    pub assets: usize,
    pub bytes: u64,
    /// Every file written, relative to the output folder (`/`-separated).
    pub files: foldhash::HashSet<String>,
    /// The ids and links of every page written, taken from the bytes as they were written, for
    /// the link check (which then reads nothing back from disk).
    pub scans: foldhash::HashMap<String, crate::links::internal::Scan>,
    /// How long the parts of the render took (`build --timings`).
    pub timings: Vec<(&'static str, Duration)>,
    /// Per template: pages rendered and the time spent rendering them, all threads added up,
    /// slowest first; a slow template shows itself here.
    pub templates: Vec<TemplateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplateTime {
    pub template: &'static str,
    pub pages: usize,
    pub time: Duration,
}

/// What one rendering thread gathers about the pages it wrote.
#[derive(Default)]
struct PagesDone {
    bytes: u64,
    paths: Vec<String>,
    scans: Vec<(String, crate::links::internal::Scan)>,
    templates: HashMap<&'static str, (usize, Duration)>,
    /// The page being rendered, reused from one page to the next.
    buffer: Vec<u8>,
}

impl PagesDone {
    fn merge(mut self, other: PagesDone) -> PagesDone {
        self.bytes += other.bytes;
        self.paths.extend(other.paths);
        self.scans.extend(other.scans);
        for (t, (n, d)) in other.templates {
            let e = self.templates.entry(t).or_default();
            e.0 += n;
            e.1 += d;
        }
        self
    }
}

/// A theme asset under its fingerprinted name.
pub struct Asset {
    /// Output path, e.g. `static/style.1a2b3c4d5e.css`.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The fingerprinted assets of a theme, plus the map's outlines when the site has a map, and the
/// map (`style.css` → URL) templates get as `assets`.
pub fn assets(
    theme: &Theme,
    root: &str,
    map: Option<&crate::map::MapGeometry>,
) -> (Vec<Asset>, BTreeMap<String, String>) {
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
    if let Some(map) = map {
        let (path, bytes) = map.shapes_file();
        urls.insert("communes.svg".into(), format!("{root}/{path}"));
        list.push(Asset {
            path: path.clone(),
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

/// Renders one page to HTML (UTF-8 bytes). `cards` must have been made for `view` and `tera`
/// ([`CardCache::new`]); it keeps the cards rendered for the next pages.
pub fn render_page(
    view: &View,
    tera: &tera::Tera,
    cards: &CardCache,
    job: Job,
) -> Result<Vec<u8>, RenderError> {
    let mut html = Vec::new();
    render_job(view, tera, cards, job, &mut html)?;
    Ok(html)
}

/// Renders a page into `html` (cleared first), returning its template's name. Bytes rather than
/// a `String`: they go to a file, and Tera's `render` checked every page's UTF-8 again to make
/// one (2 % of a 100,000-entry build); the buffer is also reused from page to page.
fn render_job(
    view: &View,
    tera: &tera::Tera,
    cards: &CardCache,
    job: Job,
    html: &mut Vec<u8>,
) -> Result<&'static str, RenderError> {
    html.clear();
    let (template, ctx) = pages::context(view, job, tera, cards)?;
    tera.render_to(template, &ctx, &mut *html)
        .map_err(|e| RenderError::Page {
            path: pages::output_path(view, job),
            template,
            detail: theme::error_chain(&e),
        })?;
    Ok(template)
}

/// Renders every page of `view` into `staging`, plus the theme's assets (fingerprinted), the
/// search index and the exports. The pages render on every thread while one thread builds the
/// search index and the exports, which are single files; only the pages whose template needs
/// the search manifest's (fingerprinted) URL wait for the index.
pub fn render_site(view: &View, theme: &Theme, staging: &Staging) -> Result<Rendered, RenderError> {
    let started = Instant::now();
    let (list, urls) = assets(theme, &view.site.root, view.map.as_deref());
    let mut rendered = Rendered::default();
    for asset in &list {
        staging.write(&asset.path, &asset.bytes)?;
        rendered.assets += 1;
        rendered.bytes += asset.bytes.len() as u64;
        rendered.files.insert(asset.path.clone());
        if asset.path.ends_with(".svg") {
            // Its ids are what the map pages' `<use href="…#c48095">` point to.
            rendered.scans.insert(
                asset.path.clone(),
                crate::links::internal::scan(&asset.bytes),
            );
        }
    }
    let mut tera = environment(view, theme, &urls, "")?;
    let cards = CardCache::new(view, &tera);
    let jobs = pages::plan(view);
    // The default theme names the manifest in the search page only; a theme naming it elsewhere
    // gets every page rendered after the index.
    let manifest_elsewhere = theme
        .templates
        .iter()
        .any(|(name, text)| name != "search.html" && text.contains("search_manifest"));
    let (early, late): (Vec<Job>, Vec<Job>) = if manifest_elsewhere {
        (Vec::new(), jobs.clone())
    } else {
        jobs.iter().partition(|job| !matches!(job, Job::Search))
    };

    let (side, early) = rayon::join(
        || -> Result<SideFiles, RenderError> {
            let t = Instant::now();
            let search = crate::search::build(view);
            let mut written = Vec::new();
            for file in &search.files {
                staging.write(&file.path, &file.bytes)?;
                written.push((file.path.clone(), file.bytes.len() as u64));
            }
            let search_time = t.elapsed();
            let t = Instant::now();
            // Open data, sitemap, robots.txt, feed and web manifest (src/export).
            let mut sink = ToStaging {
                staging,
                written: &mut written,
            };
            crate::export::for_each_file(view, &jobs, &urls, &mut sink)?;
            Ok(SideFiles {
                written,
                manifest_url: search.manifest_url,
                search_time,
                exports_time: t.elapsed(),
            })
        },
        || render_pages(view, &tera, &cards, &early, staging),
    );
    let side = side?;
    tera.global_context()
        .insert("search_manifest", &side.manifest_url);
    let pages = early?.merge(render_pages(view, &tera, &cards, &late, staging)?);

    for (path, len) in side.written {
        rendered.assets += 1;
        rendered.bytes += len;
        rendered.files.insert(path);
    }
    rendered.pages = jobs.len();
    rendered.bytes += pages.bytes;
    rendered.files.extend(pages.paths);
    rendered.scans.extend(pages.scans);
    let mut templates: Vec<TemplateTime> = pages
        .templates
        .into_iter()
        .map(|(template, (pages, time))| TemplateTime {
            template,
            pages,
            time,
        })
        .collect();
    templates.sort_by(|a, b| b.time.cmp(&a.time).then(a.template.cmp(b.template)));
    rendered.templates = templates;
    rendered.timings = vec![
        ("search", side.search_time),
        ("exports", side.exports_time),
        ("render", started.elapsed()),
    ];
    Ok(rendered)
}

/// Exports go straight to the staging folder, the large ones streamed.
struct ToStaging<'a> {
    staging: &'a Staging,
    written: &'a mut Vec<(String, u64)>,
}

impl crate::export::Sink for ToStaging<'_> {
    type Error = RenderError;

    fn file(&mut self, file: crate::export::OutFile) -> Result<(), RenderError> {
        self.staging.write(&file.path, &file.bytes)?;
        self.written.push((file.path, file.bytes.len() as u64));
        Ok(())
    }

    fn stream(
        &mut self,
        path: String,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), RenderError> {
        let mut counted = 0u64;
        self.staging.write_stream(&path, &mut |w| {
            let mut c = Counting(w, 0);
            let r = write(&mut c);
            counted = c.1;
            r
        })?;
        self.written.push((path, counted));
        Ok(())
    }
}

/// Counts the bytes written through it.
struct Counting<'a>(&'a mut dyn std::io::Write, u64);

impl std::io::Write for Counting<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.0.write(buf)?;
        self.1 += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The search index and exports, written while the pages render.
struct SideFiles {
    written: Vec<(String, u64)>,
    manifest_url: String,
    search_time: Duration,
    exports_time: Duration,
}

/// Pages rendered in one go by a thread before the rest can be taken by another (see
/// [`render_pages`]).
const PAGES_PER_PIECE: usize = 64;

/// Renders and writes `jobs` in parallel, scanning each page for the link check as it goes.
fn render_pages(
    view: &View,
    tera: &tera::Tera,
    cards: &CardCache,
    jobs: &[Job],
    staging: &Staging,
) -> Result<PagesDone, RenderError> {
    let site = crate::links::internal::Site {
        base_url: &view.site.base_url,
        root: &view.site.root,
    };
    // Site-absolute links already kept for the link check, one set per thread of the pool for
    // this render (a set per piece of 64 pages kept each provider's link from most of the ten
    // listings showing its card: 800,000 links to check at 100,000 entries instead of 200,000).
    let site_links: Vec<std::sync::Mutex<crate::links::internal::SeenLinks>> = (0
        ..rayon::current_num_threads())
        .map(|_| std::sync::Mutex::default())
        .collect();
    // Small pieces: the search index and exports hold one thread for most of the render, and
    // rayon's adaptive splitting, seeing no thief while it splits, would otherwise leave a
    // large last piece to one thread when that other thread comes free.
    jobs.par_iter()
        .with_max_len(PAGES_PER_PIECE)
        .try_fold(PagesDone::default, |mut done, &job| {
            let t = Instant::now();
            let mut html = std::mem::take(&mut done.buffer);
            let template = render_job(view, tera, cards, job, &mut html)?;
            let e = done.templates.entry(template).or_default();
            e.0 += 1;
            e.1 += t.elapsed();
            let path = pages::output_path(view, job);
            staging.write(&path, &html)?;
            done.bytes += html.len() as u64;
            let mut scan = crate::links::internal::scan(&html);
            done.buffer = html;
            // Only this thread takes its set: the lock is never waited on.
            let thread = rayon::current_thread_index().unwrap_or(0) % site_links.len().max(1);
            if let Some(seen) = site_links.get(thread) {
                let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                crate::links::internal::keep_links_to_check(&mut scan, &mut seen, &site);
            }
            done.scans.push((path.clone(), scan));
            done.paths.push(path);
            Ok::<PagesDone, RenderError>(done)
        })
        .try_reduce(PagesDone::default, |a, b| Ok(a.merge(b)))
}
