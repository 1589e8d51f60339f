//! The live site of `serve`: what is served now, and how an edit turns into the next version.
//!
//! Pages are rendered on request and cached. An edit to entries re-checks only those files, runs
//! the cheap cross-entry pass, re-projects, and keeps the cached pages of every other provider:
//! listings, the home page and the edited entry's page render again on their next request.
//! Anything else (settings, nomenclature, communes, pages, theme) reloads everything.
//! When an edit breaks something, the last good state keeps being served with the problems shown
//! in an overlay.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::audience::{self, Audience, View};
use crate::check::diagnostic::{Diagnostic, Severity};
use crate::check::{self, EntryResult};
use crate::model::{Directory, Page, Provider};
use crate::render::pages::{self, Job};
use crate::render::theme::Theme;
use crate::render::{self, RenderError};
use crate::{Error, SiteFiles, SiteOptions, source};

/// What one version of the site serves. Immutable once published; pages render lazily into `cache`.
pub struct Content {
    pub view: View,
    tera: tera::Tera,
    /// Built on the first request of a search file, not on every edit.
    search: std::sync::OnceLock<HashMap<String, Arc<Vec<u8>>>>,
    assets: HashMap<String, Arc<Vec<u8>>>,
    /// Open data, sitemap, feed… (src/export), built on the first request of one of them.
    exports: std::sync::OnceLock<HashMap<String, Arc<Vec<u8>>>>,
    asset_urls: BTreeMap<String, String>,
    routes: HashMap<String, Job>,
    cache: Mutex<HashMap<String, Arc<Vec<u8>>>>,
}

/// A published version: content plus the problems to show over it.
pub struct Snapshot {
    pub version: u64,
    pub content: Arc<Content>,
    /// Errors of the latest attempt (shown in the overlay); empty when everything is fine.
    pub problems: Arc<Vec<Diagnostic>>,
    pub sources: Arc<HashMap<PathBuf, String>>,
}

/// The answer to a request for an output path.
pub enum Served {
    Page(Arc<Vec<u8>>),
    Asset(Arc<Vec<u8>>),
    /// `path/` exists: redirect there.
    Redirect(String),
    NotFound(Arc<Vec<u8>>),
    Failed(String),
}

impl Content {
    fn new(view: View, theme: &Theme) -> Result<Content, RenderError> {
        let (list, urls) = render::assets(theme, &view.site.root);
        // In serve, the manifest has a stable name, so pages need not wait for the index.
        let manifest = format!("{}/{SEARCH_MANIFEST}", view.site.root);
        let tera = render::environment(&view, theme, &urls, &manifest)?;
        let assets = list
            .into_iter()
            .map(|a| (a.path, Arc::new(a.bytes)))
            .collect();
        let routes = pages::plan(&view)
            .into_iter()
            .map(|job| (pages::output_path(&view, job), job))
            .collect();
        Ok(Content {
            view,
            tera,
            search: std::sync::OnceLock::new(),
            assets,
            exports: std::sync::OnceLock::new(),
            asset_urls: urls,
            routes,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Serves an output path (`prestataires/x/index.html`, `static/style.….css`).
    pub fn get(&self, path: &str) -> Served {
        if let Some(bytes) = self.assets.get(path) {
            return Served::Asset(bytes.clone());
        }
        if path.starts_with("recherche/") && path.ends_with(".json") {
            let files = self.search.get_or_init(|| {
                let index = crate::search::build(&self.view);
                let manifest_path = index
                    .manifest_url
                    .trim_start_matches(&self.view.site.root)
                    .trim_start_matches('/')
                    .to_string();
                let mut files: HashMap<String, Arc<Vec<u8>>> = index
                    .files
                    .into_iter()
                    .map(|f| (f.path, Arc::new(f.bytes)))
                    .collect();
                if let Some(m) = files.get(&manifest_path).cloned() {
                    files.insert(SEARCH_MANIFEST.to_string(), m);
                }
                files
            });
            if let Some(bytes) = files.get(path) {
                return Served::Asset(bytes.clone());
            }
        }
        if !path.ends_with(".html") && !path.ends_with('/') && !path.is_empty() {
            let exports = self.exports.get_or_init(|| {
                let jobs = pages::plan(&self.view);
                crate::export::files(&self.view, &jobs, &self.asset_urls)
                    .into_iter()
                    .map(|f| (f.path, Arc::new(f.bytes)))
                    .collect()
            });
            if let Some(bytes) = exports.get(path) {
                return Served::Asset(bytes.clone());
            }
        }
        if let Some(&job) = self.routes.get(path) {
            return match self.render(path, job) {
                Ok(bytes) => Served::Page(bytes),
                Err(e) => Served::Failed(e.to_string()),
            };
        }
        let dir_index = format!("{}/index.html", path.trim_end_matches('/'));
        if !path.is_empty() && !path.ends_with("index.html") && self.routes.contains_key(&dir_index)
        {
            return Served::Redirect(format!("{}/", path.trim_end_matches('/')));
        }
        match self.render("404.html", Job::NotFound) {
            Ok(bytes) => Served::NotFound(bytes),
            Err(e) => Served::Failed(e.to_string()),
        }
    }

    fn render(&self, path: &str, job: Job) -> Result<Arc<Vec<u8>>, RenderError> {
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(path)
        {
            return Ok(hit.clone());
        }
        let html = Arc::new(render::render_page(&self.view, &self.tera, job)?.into_bytes());
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(path.to_string(), html.clone());
        Ok(html)
    }

    pub fn cached_pages(&self) -> usize {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// The search manifest's stable path in serve mode.
pub const SEARCH_MANIFEST: &str = "recherche/index.json";

/// How an update went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// Only entries changed: their pages and the listings render again.
    Entries { changed: usize },
    /// Settings, reference data, pages or theme changed: everything renders again.
    Full,
    /// The new state could not be built; the previous one is still served, with the overlay.
    KeptPrevious,
}

/// The state `serve` keeps between edits.
pub struct Live {
    opts: SiteOptions,
    audience: Audience,
    site: SiteFiles,
    pages: Vec<Page>,
    charter: Option<Page>,
    site_diagnostics: Vec<Diagnostic>,
    site_sources: HashMap<PathBuf, String>,
    theme: Theme,
    entries: BTreeMap<PathBuf, EntryResult>,
    /// The last version of each entry that had no error, served while its file is broken.
    last_good: HashMap<PathBuf, Provider>,
    current: Arc<Snapshot>,
}

impl Live {
    /// Loads and checks everything; fails only when the site cannot be built at all.
    pub fn open(mut opts: SiteOptions, audience: Audience) -> Result<Live, Error> {
        // The watcher reports absolute paths: an absolute root lets an edit be recognised as one
        // entry's (a relative `--root` used to turn every save into a full rebuild).
        if let Ok(abs) = std::fs::canonicalize(&opts.root) {
            opts.root = abs;
        }
        let mut live = Live {
            site: crate::load_site_files(&opts)?,
            opts,
            audience,
            pages: Vec::new(),
            charter: None,
            site_diagnostics: Vec::new(),
            site_sources: HashMap::new(),
            theme: Theme::embedded(),
            entries: BTreeMap::new(),
            last_good: HashMap::new(),
            current: Arc::new(Snapshot {
                version: 0,
                content: Arc::new(Content {
                    view: empty_view(),
                    tera: tera::Tera::new(),
                    search: std::sync::OnceLock::new(),
                    assets: HashMap::new(),
                    exports: std::sync::OnceLock::new(),
                    asset_urls: BTreeMap::new(),
                    routes: HashMap::new(),
                    cache: Mutex::new(HashMap::new()),
                }),
                problems: Arc::new(Vec::new()),
                sources: Arc::new(HashMap::new()),
            }),
        };
        live.reload_all().map_err(|problems| Error::Site {
            diagnostics: problems,
            sources: live.site_sources.clone(),
        })?;
        Ok(live)
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.clone()
    }

    /// The folders to watch.
    pub fn watched(&self) -> Vec<PathBuf> {
        let mut dirs = vec![self.opts.content()];
        let themes = self.opts.root.join("themes");
        if themes.is_dir() {
            dirs.push(themes);
        }
        dirs
    }

    /// Applies a batch of changed paths (absolute or relative to the root).
    pub fn apply(&mut self, changed: &[PathBuf]) -> Update {
        let entries_dir = self.opts.content().join("prestataires");
        let mut entry_paths = HashSet::new();
        let mut full = false;
        for p in changed {
            let abs = if p.is_absolute() {
                p.clone()
            } else {
                self.opts.root.join(p)
            };
            if abs.parent() == Some(entries_dir.as_path()) || abs == entries_dir {
                if abs == entries_dir {
                    full = true;
                } else {
                    entry_paths.insert(abs);
                }
            } else if !ignorable(&abs) {
                full = true;
            }
        }
        if full {
            return match self.reload_all() {
                Ok(()) => Update::Full,
                Err(problems) => {
                    self.publish_problems(problems);
                    Update::KeptPrevious
                }
            };
        }
        if entry_paths.is_empty() {
            return Update::Entries { changed: 0 };
        }
        let changed_count = entry_paths.len();
        let ctx = check::Context {
            config: &self.site.config,
            nomenclature: &self.site.nomenclature,
            communes: &self.site.communes,
            today: self.opts.today,
        };
        let mut touched_slugs = HashSet::new();
        for abs in entry_paths {
            let rel = abs
                .strip_prefix(&self.opts.root)
                .unwrap_or(&abs)
                .to_path_buf();
            if let Some(old) = self.entries.get(&rel) {
                touched_slugs.insert(old.found.stem.clone());
            }
            match found_entry(&self.opts.root, &abs) {
                Some(found) => {
                    touched_slugs.insert(found.stem.clone());
                    let result = check::check_one(&found, &self.opts.content(), &ctx);
                    self.entries.insert(rel, result);
                }
                None => {
                    self.entries.remove(&rel);
                    self.last_good.remove(&rel);
                }
            }
        }
        match self.rebuild(Some(&touched_slugs)) {
            Ok(()) => Update::Entries {
                changed: changed_count,
            },
            Err(problems) => {
                self.publish_problems(problems);
                Update::KeptPrevious
            }
        }
    }

    fn reload_all(&mut self) -> Result<(), Vec<Diagnostic>> {
        let site = match crate::load_site_files(&self.opts) {
            Ok(s) => s,
            Err(Error::Site {
                diagnostics,
                sources,
            }) => {
                self.site_sources = sources;
                return Err(diagnostics);
            }
            Err(e) => return Err(vec![config_problem(e.to_string())]),
        };
        let theme = Theme::load(&self.opts.root, &site.config.theme)
            .map_err(|e| vec![config_problem(e.to_string())])?;
        // Parse templates now, so a template typo keeps the previous site.
        theme
            .tera()
            .map_err(|e| vec![config_problem(e.to_string())])?;
        let mut diagnostics = site.diagnostics.clone();
        let mut sources = site.sources.clone();
        let (pages, charter) = crate::load_pages(&self.opts, &mut diagnostics, &mut sources);
        let found =
            source::list_markdown(&self.opts.root, &self.opts.content().join("prestataires"))
                .unwrap_or_default();
        let ctx = check::Context {
            config: &site.config,
            nomenclature: &site.nomenclature,
            communes: &site.communes,
            today: self.opts.today,
        };
        use rayon::prelude::*;
        let results: Vec<EntryResult> = found
            .par_iter()
            .map(|f| check::check_one(f, &self.opts.content(), &ctx))
            .collect();
        self.entries = results
            .into_iter()
            .map(|r| (r.found.rel.clone(), r))
            .collect();
        self.site = site;
        self.theme = theme;
        self.pages = pages;
        self.charter = charter;
        self.site_diagnostics = diagnostics;
        self.site_sources = sources;
        self.rebuild(None)
    }

    /// Re-runs the cross-entry pass, projects, and publishes a new version. `touched` names the
    /// entries (slugs) whose cached pages must go; `None` drops the whole cache.
    fn rebuild(&mut self, touched: Option<&HashSet<String>>) -> Result<(), Vec<Diagnostic>> {
        let outcome = check::combine(self.entries.values(), &self.site.config.rules);
        let good: HashSet<PathBuf> = outcome.providers.iter().map(|p| p.source.clone()).collect();
        let mut providers = outcome.providers;
        for p in &providers {
            self.last_good.insert(p.source.clone(), p.clone());
        }
        // Entries that broke keep their last good version while their file exists.
        for (path, _) in &outcome.rejected {
            if !good.contains(path)
                && self.entries.contains_key(path)
                && let Some(p) = self.last_good.get(path)
                && !providers.iter().any(|q| q.slug == p.slug)
            {
                providers.push(p.clone());
            }
        }
        let mut diagnostics = self.site_diagnostics.clone();
        diagnostics.extend(outcome.diagnostics);
        check::sort(&mut diagnostics);
        let mut sources = self.site_sources.clone();
        sources.extend(outcome.sources);
        let mut directory = Directory::new(
            self.site.config.clone(),
            self.site.nomenclature.clone(),
            self.site.communes.clone(),
            providers,
            self.pages.clone(),
            self.charter.clone(),
            self.opts.today,
        );
        directory.map = self.site.map.clone();
        let view = audience::project(&directory, self.audience);
        let content =
            Content::new(view, &self.theme).map_err(|e| vec![config_problem(e.to_string())])?;
        if let Some(touched) = touched {
            // Keep the rendered pages of every provider not touched by this edit.
            let old = self
                .current
                .content
                .cache
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            let mut new = content.cache.lock().unwrap_or_else(|p| p.into_inner());
            for (path, job) in &content.routes {
                if let Job::Provider(i) = job
                    && !touched.contains(&content.view.providers[*i].slug)
                    && let Some(bytes) = old.get(path)
                {
                    new.insert(path.clone(), bytes.clone());
                }
            }
        }
        let problems: Vec<Diagnostic> = diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        self.current = Arc::new(Snapshot {
            version: self.current.version + 1,
            content: Arc::new(content),
            problems: Arc::new(problems),
            sources: Arc::new(sources),
        });
        Ok(())
    }

    fn publish_problems(&mut self, problems: Vec<Diagnostic>) {
        let mut sources = (*self.current.sources).clone();
        sources.extend(self.site_sources.clone());
        self.current = Arc::new(Snapshot {
            version: self.current.version + 1,
            content: self.current.content.clone(),
            problems: Arc::new(problems),
            sources: Arc::new(sources),
        });
    }
}

fn config_problem(detail: String) -> Diagnostic {
    Diagnostic::new(
        crate::check::diagnostic::Problem::Config { detail },
        None,
        None,
    )
}

/// Editor droppings and anything that is not content.
fn ignorable(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.starts_with('.')
        || name.ends_with('~')
        || name.starts_with('#')
        || name.ends_with(".swp")
        || name.ends_with(".tmp")
}

/// The entry at `abs`, if it is (still) a candidate entry file.
fn found_entry(root: &Path, abs: &Path) -> Option<source::Found> {
    let dir = abs.parent()?;
    let name = abs.file_name()?.to_string_lossy().into_owned();
    source::list_markdown(root, dir)
        .ok()?
        .into_iter()
        .find(|f| f.abs.file_name().map(|n| n.to_string_lossy()) == Some(name.as_str().into()))
}

fn empty_view() -> View {
    let dir = Directory::new(
        crate::config::SiteConfig {
            title: String::new(),
            description: String::new(),
            base_url: String::new(),
            lang: "fr".into(),
            theme: "default".into(),
            territory: crate::config::Territory {
                name: String::new(),
                code: String::new(),
                article: String::new(),
            },
            publisher: String::new(),
            charter: Default::default(),
            mediators: Vec::new(),
            rules: Default::default(),
        },
        Default::default(),
        Default::default(),
        Vec::new(),
        Vec::new(),
        None,
        crate::model::Date::from_unix(0),
    );
    audience::project(&dir, Audience::Public)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> (tempfile::TempDir, Live) {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        for e in walkdir::WalkDir::new(&from) {
            let e = e.unwrap();
            let to = dir.path().join(e.path().strip_prefix(&from).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
        let opts = SiteOptions {
            root: dir.path().to_path_buf(),
            today: crate::model::Date::parse("2025-11-28").unwrap(),
            base_url: None,
        };
        let live = Live::open(opts, Audience::Public).unwrap();
        (dir, live)
    }

    fn page(live: &Live, path: &str) -> String {
        match live.snapshot().content.get(path) {
            Served::Page(b) | Served::NotFound(b) => String::from_utf8_lossy(&b).into_owned(),
            Served::Failed(e) => panic!("{e}"),
            _ => panic!("not a page: {path}"),
        }
    }

    #[test]
    fn an_entry_edit_rerenders_its_page_and_keeps_other_pages_cached() {
        let (dir, mut live) = site();
        page(&live, "prestataires/alpha-graphisme/index.html");
        page(&live, "prestataires/beta-web/index.html");
        page(&live, "index.html");
        assert_eq!(live.snapshot().content.cached_pages(), 3);
        let path = dir.path().join("content/prestataires/beta-web.md");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("Sites vitrines accessibles.", "Sites vitrines sobres.");
        std::fs::write(&path, text).unwrap();
        assert_eq!(live.apply(&[path]), Update::Entries { changed: 1 });
        // Alpha's page survived the edit; Beta's page and the home page will render again.
        assert_eq!(live.snapshot().content.cached_pages(), 1);
        assert!(page(&live, "prestataires/beta-web/index.html").contains("Sites vitrines sobres."));
    }

    #[test]
    fn a_broken_entry_keeps_its_last_good_page_and_shows_problems() {
        let (dir, mut live) = site();
        let path = dir.path().join("content/prestataires/beta-web.md");
        std::fs::write(&path, "---\nnom: Bêta Web\nforme: [\n---\n").unwrap();
        live.apply(std::slice::from_ref(&path));
        let snap = live.snapshot();
        assert!(
            snap.problems.iter().any(|d| d.rule() == "yaml/syntaxe"),
            "{:?}",
            snap.problems
        );
        assert!(page(&live, "prestataires/beta-web/index.html").contains("Bêta Web"));
        // Fixed: the problems go.
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/mini/content/prestataires/beta-web.md"),
            &path,
        )
        .unwrap();
        live.apply(&[path]);
        assert!(live.snapshot().problems.is_empty());
    }

    #[test]
    fn deleted_and_added_entries() {
        let (dir, mut live) = site();
        let beta = dir.path().join("content/prestataires/beta-web.md");
        let gamma = dir.path().join("content/prestataires/gamma-web.md");
        std::fs::rename(&beta, &gamma).unwrap();
        live.apply(&[beta, gamma]);
        assert!(matches!(
            live.snapshot()
                .content
                .get("prestataires/beta-web/index.html"),
            Served::NotFound(_)
        ));
        assert!(page(&live, "prestataires/gamma-web/index.html").contains("Bêta Web"));
    }

    #[test]
    fn a_broken_site_file_keeps_the_previous_site() {
        let (dir, mut live) = site();
        let v = live.snapshot().version;
        let site_yaml = dir.path().join("content/site.yaml");
        std::fs::write(&site_yaml, "titre: [\n").unwrap();
        assert_eq!(
            live.apply(std::slice::from_ref(&site_yaml)),
            Update::KeptPrevious
        );
        let snap = live.snapshot();
        assert!(snap.version > v);
        assert!(!snap.problems.is_empty());
        assert!(page(&live, "index.html").contains("Annuaire de test"));
    }
}
