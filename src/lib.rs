//! annuaire: a static site generator for a public directory of digital service providers.
//!
//! The pipeline, one module per stage, each a function of its inputs (the build date included):
//!
//! ```text
//! content/ ──load (source)──▶ files ──check──▶ providers + diagnostics ──resolve (model)──▶ Directory
//!          ──project (audience)──▶ View ──plan + render──▶ pages ──write (output)──▶ public/
//! ```

pub mod audience;
pub mod check;
pub mod config;
pub mod decode;
pub mod export;
pub mod links;
pub mod map;
pub mod mediation;
pub mod model;
pub mod output;
pub mod render;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod source;
pub mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use audience::Audience;
use check::diagnostic::{Diagnostic, Problem};
use config::SiteConfig;
use decode::Reader;
use model::{Communes, Date, Directory, Nomenclature, Page};
use source::yaml::{self, Limits};

/// Where a site lives and for which day it is built.
#[derive(Debug, Clone)]
pub struct SiteOptions {
    /// The folder holding `content/` (and optionally `themes/`).
    pub root: PathBuf,
    /// "Today" for every date rule and for the pages; see [`build_date`].
    pub today: Date,
    /// Overrides `url_base` from `site.yaml` (deploy previews).
    pub base_url: Option<String>,
}

impl SiteOptions {
    pub fn content(&self) -> PathBuf {
        self.root.join("content")
    }
}

/// The build date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock.
pub fn build_date() -> Result<Date, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => {
            v.trim().parse::<i64>().map(Date::from_unix).map_err(|_| {
                format!("SOURCE_DATE_EPOCH doit être un nombre de secondes, pas « {v} »")
            })
        }
        Err(_) => {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0);
            Ok(Date::from_unix(secs))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `site.yaml`, the nomenclature, the communes or the theme are wrong: nothing can be built.
    #[error("les fichiers du site sont invalides ({} erreur(s))", check::error_count(.diagnostics))]
    Site {
        diagnostics: Vec<Diagnostic>,
        sources: HashMap<PathBuf, String>,
    },
    #[error("{0}")]
    Render(#[from] render::RenderError),
    #[error("{0}")]
    Output(#[from] output::OutputError),
    #[error("--strict : {errors} erreur(s) dans les fiches, rien n'a été écrit")]
    Strict { errors: usize, loaded: Box<Loaded> },
    /// Internal links of the built pages that lead nowhere: nothing was published.
    #[error("{}", broken_links_message(.0))]
    BrokenLinks(Vec<links::internal::BrokenLink>),
}

/// How many broken links [`Error::BrokenLinks`] lists before summing up the rest.
const BROKEN_LINKS_SHOWN: usize = 50;

fn broken_links_message(broken: &[links::internal::BrokenLink]) -> String {
    let mut s = format!(
        "{} lien(s) interne(s) cassé(s) dans les pages produites ; rien n'a été publié, le site précédent reste en place :",
        broken.len()
    );
    for b in broken.iter().take(BROKEN_LINKS_SHOWN) {
        s.push_str("\n  ");
        s.push_str(&b.to_string());
    }
    if broken.len() > BROKEN_LINKS_SHOWN {
        s.push_str(&format!(
            "\n  … et {} autre(s)",
            broken.len() - BROKEN_LINKS_SHOWN
        ));
    }
    s
}

/// The checked content of a site.
pub struct Loaded {
    pub directory: Directory,
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// File texts, for source snippets in diagnostics.
    pub sources: HashMap<PathBuf, String>,
    /// Entries left out and their error counts.
    pub rejected: Vec<(PathBuf, usize)>,
    /// Entry front matters, for the self-verification rule.
    pub front_matters: HashMap<PathBuf, yaml::Node>,
    /// Number of provider files found.
    pub entries_found: usize,
    pub timings: Vec<(&'static str, Duration)>,
}

impl std::fmt::Debug for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loaded")
            .field("providers", &self.directory.providers.len())
            .field("diagnostics", &self.diagnostics.len())
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

/// The site-wide files: settings, nomenclature and communes. Any error here is fatal.
pub struct SiteFiles {
    pub config: SiteConfig,
    pub nomenclature: Nomenclature,
    pub communes: Communes,
    /// Commune boundaries (`communes.geojson`), projected for the map.
    pub map: Option<std::sync::Arc<map::MapGeometry>>,
    /// Warnings met while reading them, and their texts.
    pub diagnostics: Vec<Diagnostic>,
    pub sources: HashMap<PathBuf, String>,
}

/// Reads `site.yaml`, `nomenclature.yaml` and `communes.yaml`.
pub fn load_site_files(opts: &SiteOptions) -> Result<SiteFiles, Error> {
    let mut diagnostics = Vec::new();
    let mut sources = HashMap::new();
    let mut config = None;
    if let Some((mut r, root)) = read_site_yaml(
        opts,
        "site.yaml",
        Limits::ENTRY,
        1 << 20,
        &mut diagnostics,
        &mut sources,
    ) {
        config = SiteConfig::decode(&mut r, &root);
        diagnostics.extend(r.diags);
    }
    let mut nomenclature = Nomenclature::default();
    if let Some((mut r, root)) = read_site_yaml(
        opts,
        "nomenclature.yaml",
        Limits::DATA,
        8 << 20,
        &mut diagnostics,
        &mut sources,
    ) {
        nomenclature = Nomenclature::decode(&mut r, &root);
        diagnostics.extend(r.diags);
    }
    let mut communes = Communes::default();
    if let Some((mut r, root)) = read_site_yaml(
        opts,
        "communes.yaml",
        Limits::DATA,
        64 << 20,
        &mut diagnostics,
        &mut sources,
    ) {
        communes = Communes::decode(&mut r, &root);
        diagnostics.extend(r.diags);
    }
    let mut config = match config {
        Some(c) if check::error_count(&diagnostics) == 0 => c,
        _ => {
            check::sort(&mut diagnostics);
            return Err(Error::Site {
                diagnostics,
                sources,
            });
        }
    };
    if let Some(url) = &opts.base_url {
        config.base_url = url.trim_end_matches('/').to_string();
    }
    let geojson = opts.content().join("communes.geojson");
    let map = if geojson.is_file() {
        let rel = geojson
            .strip_prefix(&opts.root)
            .unwrap_or(&geojson)
            .to_path_buf();
        let decoded = source::read_text(&geojson, 64 << 20)
            .map_err(|e| format!("{e:?}"))
            .and_then(|text| map::decode(&text));
        match decoded {
            Ok(m) => Some(std::sync::Arc::new(m)),
            Err(detail) => {
                let d = Diagnostic::new(
                    Problem::Config {
                        detail: format!("{} : {detail}", rel.display()),
                    },
                    Some(rel),
                    None,
                );
                return Err(Error::Site {
                    diagnostics: vec![d],
                    sources,
                });
            }
        }
    } else {
        None
    };
    Ok(SiteFiles {
        config,
        nomenclature,
        communes,
        map,
        diagnostics,
        sources,
    })
}

/// Load and check: reads the site files (fatal when wrong) and every entry (never fatal). Keeps
/// every entry's text and front matter; see [`load_keeping`].
pub fn load(opts: &SiteOptions) -> Result<Loaded, Error> {
    load_keeping(opts, check::Keep::ALL)
}

/// [`load`], keeping of the entries' texts and front matters only what `keep` asks for (the texts
/// of files with diagnostics are always there).
pub fn load_keeping(opts: &SiteOptions, keep: check::Keep) -> Result<Loaded, Error> {
    let started = Instant::now();
    let content = opts.content();
    // Listing the entries (a directory of 10,000 files) overlaps reading the site files.
    let (site_files, listed) = rayon::join(
        || load_site_files(opts),
        || source::list_markdown(&opts.root, &content.join("prestataires")),
    );
    let SiteFiles {
        config,
        nomenclature,
        communes,
        map,
        mut diagnostics,
        mut sources,
    } = site_files?;
    let site_files_done = started.elapsed();

    let (pages, charter) = load_pages(opts, &mut diagnostics, &mut sources);

    let entries_started = Instant::now();
    let found = listed.map_err(|e| Error::Site {
        diagnostics: vec![Diagnostic::new(
            Problem::Unreadable {
                reason: e.to_string(),
            },
            None,
            None,
        )],
        sources: HashMap::new(),
    })?;
    let ctx = check::Context {
        config: &config,
        nomenclature: &nomenclature,
        communes: &communes,
        today: opts.today,
    };
    let outcome = check::check_entries(&found, &content, &ctx, keep);
    diagnostics.extend(outcome.diagnostics);
    sources.extend(outcome.sources);
    // A duplicate (name, SIRET) is found after the entries' texts were let go: read again the
    // few files a diagnostic points to.
    let missing: std::collections::BTreeSet<PathBuf> = diagnostics
        .iter()
        .filter_map(|d| d.file.clone())
        .filter(|f| !sources.contains_key(f))
        .collect();
    for rel in missing {
        if let Ok(text) =
            source::read_contained(&opts.root.join(&rel), &content, check::MAX_ENTRY_BYTES)
        {
            sources.insert(rel, text);
        }
    }
    check::sort(&mut diagnostics);
    let entries_done = entries_started.elapsed();

    let mut directory = Directory::new(
        config,
        nomenclature,
        communes,
        outcome.providers,
        pages,
        charter,
        opts.today,
    );
    directory.map = map;
    Ok(Loaded {
        directory,
        diagnostics,
        sources,
        rejected: outcome.rejected,
        front_matters: outcome.front_matters,
        entries_found: found.len(),
        timings: vec![("site", site_files_done), ("entries", entries_done)],
    })
}

/// The charter and the free pages. A broken page is left out and reported, like an entry.
pub fn load_pages(
    opts: &SiteOptions,
    diagnostics: &mut Vec<Diagnostic>,
    sources: &mut HashMap<PathBuf, String>,
) -> (Vec<Page>, Option<Page>) {
    let content = opts.content();
    let mut charter = None;
    let charter_path = content.join("charte.md");
    if charter_path.exists() {
        let rel = charter_path
            .strip_prefix(&opts.root)
            .unwrap_or(&charter_path)
            .to_path_buf();
        match source::read_text(&charter_path, check::MAX_ENTRY_BYTES) {
            Ok(text) => {
                let file = source::SourceFile {
                    path: rel.clone(),
                    text,
                };
                let (page, diags) = check::pages::check_page(&file, "charte", &["version"]);
                charter = page;
                diagnostics.extend(diags);
                sources.insert(rel, file.text);
            }
            Err(e) => diagnostics.push(check::file_error(&rel, e)),
        }
    }
    let mut pages: Vec<Page> = Vec::new();
    let pages_dir = content.join("pages");
    for found in source::list_markdown(&opts.root, &pages_dir).unwrap_or_default() {
        match source::read_found(
            &found,
            &source::RealRoot::new(&content),
            check::MAX_ENTRY_BYTES,
        ) {
            Ok(file) => {
                let (page, diags) = check::pages::check_page(&file, &found.stem, &[]);
                pages.extend(page);
                diagnostics.extend(diags);
                sources.insert(file.path, file.text);
            }
            Err(e) => diagnostics.push(check::file_error(&found.rel, e)),
        }
    }

    (pages, charter)
}

/// Reads and parses one of the site's YAML files; `None` (with diagnostics) when it cannot be used.
fn read_site_yaml(
    opts: &SiteOptions,
    name: &str,
    limits: Limits,
    max_bytes: u64,
    diagnostics: &mut Vec<Diagnostic>,
    sources: &mut HashMap<PathBuf, String>,
) -> Option<(Reader, yaml::Node)> {
    let path = opts.content().join(name);
    let rel = path.strip_prefix(&opts.root).unwrap_or(&path).to_path_buf();
    let mut r = Reader::new(&rel);
    let text = match source::read_text(&path, max_bytes) {
        Ok(t) => t,
        Err(source::FileError::Io(reason)) => {
            diagnostics.push(Diagnostic::new(
                Problem::Config {
                    detail: format!(
                        "{} : {reason} (l'option --root désigne-t-elle le bon dossier ?)",
                        rel.display()
                    ),
                },
                Some(rel),
                None,
            ));
            return None;
        }
        Err(e) => {
            diagnostics.push(check::file_error(&rel, e));
            return None;
        }
    };
    let doc = yaml::parse(&text, 1, limits);
    for e in &doc.errors {
        r.report_yaml(e);
    }
    sources.insert(rel, text);
    match doc.root {
        Some(root) => Some((r, root)),
        None => {
            diagnostics.extend(r.diags);
            None
        }
    }
}

/// What `build` is asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site: SiteOptions,
    pub out: PathBuf,
    pub audience: Audience,
    /// Fail on any error in any entry instead of leaving the entry out.
    pub strict: bool,
    /// Minify the templates (the output is then minified HTML); see `render::minify`.
    pub minify: bool,
    /// The process ends after the build: what the build still holds once rendered (the views of
    /// the providers, the page scans) is left to the system instead of being freed object by
    /// object, which took a second of CPU at 100,000 entries beside the removal of the previous
    /// output. (The providers are freed all the same once projected: rendering reuses that
    /// memory, 400 MB at 100,000 entries.) Off for a library caller that goes on.
    pub exiting: bool,
}

/// What a build did.
pub struct BuildReport {
    pub loaded: Loaded,
    pub rendered: render::Rendered,
    pub out: PathBuf,
    pub timings: Vec<(&'static str, Duration)>,
    /// Providers published. (`loaded.directory` no longer holds them: the build frees them once
    /// projected.)
    pub published: usize,
    /// Files written, and files kept from the previous output because their bytes were the same.
    pub written: usize,
    pub unchanged: usize,
}

impl BuildReport {
    pub fn published(&self) -> usize {
        self.published
    }
}

/// Load → check → project → render → write, with the output swapped in only at the end.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    let loaded = load_keeping(&opts.site, check::Keep::LEAN)?;
    let errors = check::error_count(&loaded.diagnostics);
    if opts.strict && errors > 0 {
        return Err(Error::Strict {
            errors,
            loaded: Box::new(loaded),
        });
    }
    let mut loaded = loaded;
    let mut timings = loaded.timings.clone();
    let t = Instant::now();
    let mut theme = render::theme::Theme::load(&opts.site.root, &loaded.directory.config.theme)
        .map_err(|e| Error::Render(render::RenderError::Theme(e)))?;
    theme.minify = opts.minify;
    let view = audience::project(&loaded.directory, opts.audience);
    // The view holds all that is rendered from here on. The providers are freed on another
    // thread: on this one, 100,000 of them kept both workers waiting a quarter of a second.
    let published = loaded.directory.providers.len();
    let providers = std::mem::take(&mut loaded.directory.providers);
    let freeing_providers = free(providers, false);
    timings.push(("project", t.elapsed()));
    let staging = output::Staging::new(&opts.out)?;
    let mut rendered = render::render_site(&view, &theme, &staging)?;
    timings.append(&mut rendered.timings);
    // Every internal link of every written page must lead to a written file (and anchor).
    let t = Instant::now();
    let site = links::internal::Site {
        base_url: &view.site.base_url,
        root: &view.site.root,
    };
    let broken = links::internal::check_scans(&rendered.scans, &rendered.files, &site);
    if !broken.is_empty() {
        // The scans kept each site-wide link once; to name every page with a broken link (in the
        // same order whatever the threads did), read the written pages again. Only on failure.
        let broken =
            links::internal::check_dir(staging.dir(), &site).map_err(|e| output::OutputError {
                action: "lecture de",
                path: staging.dir().to_path_buf(),
                source: e,
            })?;
        return Err(Error::BrokenLinks(broken));
    }
    // What only the render needed is freed on another thread while the output is swapped in
    // (freeing 10,000 provider views and page scans took tens of milliseconds on this one), or
    // left to the system when the process ends next (`BuildOptions::exiting`).
    let scans = std::mem::take(&mut rendered.scans);
    let freeing = free((view, scans), opts.exiting);
    timings.push(("links", t.elapsed()));
    let (written, unchanged) = staging.counts();
    let t = Instant::now();
    let out = staging.commit()?;
    for thread in [freeing, freeing_providers].into_iter().flatten() {
        let _ = thread.join();
    }
    timings.push(("write", t.elapsed()));
    Ok(BuildReport {
        loaded,
        rendered,
        out,
        timings,
        published,
        written,
        unchanged,
    })
}

/// Frees `value` on another thread (joined before the build returns), or not at all when the
/// process is about to end.
fn free<T: Send + 'static>(value: T, exiting: bool) -> Option<std::thread::JoinHandle<()>> {
    if exiting {
        std::mem::forget(value);
        None
    } else {
        Some(std::thread::spawn(move || drop(value)))
    }
}

/// Resolves `--root`: the given folder, else the nearest ancestor of the working directory that
/// holds `content/site.yaml` (so commands work from anywhere inside the repository).
pub fn find_root(given: Option<&Path>) -> PathBuf {
    if let Some(root) = given {
        return root.to_path_buf();
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|d| d.join("content").join("site.yaml").is_file())
        .map_or(cwd.clone(), Path::to_path_buf)
}
