//! The live site of `serve`: what is served now, and how an edit turns into the next version.
//!
//! Pages are rendered on request and cached. An edit to entries re-checks only those files, runs
//! the cheap cross-entry pass, re-projects only the providers it changed (unchanged entries keep
//! their shared provider and view), and keeps the parsed templates and the cached pages of every
//! other provider: listings, the home page and the edited entry's page render again on their next
//! request. Anything else (settings, nomenclature, communes, pages, theme) reloads everything.
//! When an edit breaks something, the last good state keeps being served with the problems shown
//! in an overlay.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::audience::{self, Audience, View, ViewCache};
use crate::check::diagnostic::{Diagnostic, Severity};
use crate::check::{self, EntryResult};
use crate::model::directory::{self, DisplayKey};
use crate::model::{Directory, Provider};
use crate::render::pages::{self, Job};
use crate::render::theme::Theme;
use crate::render::{self, RenderError};
use crate::{Error, SiteOptions, source};

/// What rendering needs besides the view: parsed templates and fingerprinted assets. They depend
/// on the theme and on the site information only, so every version made by an entry edit shares
/// them (parsing the templates again would cost more than the rest of a small edit).
pub struct Rendering {
    tera: tera::Tera,
    assets: HashMap<String, Arc<Vec<u8>>>,
    asset_urls: BTreeMap<String, String>,
}

impl Rendering {
    fn new(view: &View, theme: &Theme) -> Result<Rendering, RenderError> {
        let (list, asset_urls) = render::assets(theme, &view.site.root, view.map.as_deref());
        // In serve, the manifest has a stable name, so pages need not wait for the index.
        let manifest = format!("{}/{SEARCH_MANIFEST}", view.site.root);
        let tera = render::environment(view, theme, &asset_urls, &manifest)?;
        let assets = list
            .into_iter()
            .map(|a| (a.path, Arc::new(a.bytes)))
            .collect();
        Ok(Rendering {
            tera,
            assets,
            asset_urls,
        })
    }
}

/// What one version of the site serves. Immutable once published; pages render lazily into `cache`.
pub struct Content {
    pub view: View,
    rendering: Arc<Rendering>,
    /// Built on the first request of a search file, not on every edit.
    search: std::sync::OnceLock<HashMap<String, Arc<Vec<u8>>>>,
    /// Open data, sitemap, feed… (src/export), built on the first request of one of them.
    exports: std::sync::OnceLock<HashMap<String, Arc<Vec<u8>>>>,
    routes: Arc<Routes>,
    cache: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    /// Cards rendered for this version's listings, each once.
    cards: render::cards::CardCache,
}

/// A published version: content plus the problems to show over it.
pub struct Snapshot {
    pub version: u64,
    pub content: Arc<Content>,
    /// Errors of the latest attempt (shown in the overlay); empty when everything is fine.
    pub problems: Arc<Vec<Diagnostic>>,
    /// Texts of the site files and of the entries with errors.
    pub sources: Arc<HashMap<PathBuf, String>>,
    /// The overlay's HTML, made on the first page served with problems, not on every request.
    overlay: std::sync::OnceLock<String>,
}

impl Snapshot {
    fn new(
        version: u64,
        content: Arc<Content>,
        problems: Vec<Diagnostic>,
        sources: HashMap<PathBuf, String>,
    ) -> Snapshot {
        Snapshot {
            version,
            content,
            problems: Arc::new(problems),
            sources: Arc::new(sources),
            overlay: std::sync::OnceLock::new(),
        }
    }

    /// The problems over the page ([`super::http::overlay`]); empty when there are none.
    pub fn overlay(&self) -> &str {
        self.overlay.get_or_init(|| {
            if self.problems.is_empty() {
                String::new()
            } else {
                super::http::overlay(&self.problems)
            }
        })
    }
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

/// Every page of a version: its plan, output paths, and the site paths links may point to.
struct Routes {
    jobs: Vec<Job>,
    by_path: HashMap<String, Job>,
    /// As [`View::known_paths`] has them (`/prestataires/x/`).
    known: Arc<foldhash::HashSet<String>>,
}

impl Routes {
    fn new(view: &View, jobs: Vec<Job>) -> Routes {
        let by_path: HashMap<String, Job> = jobs
            .iter()
            .map(|&job| (pages::output_path(view, job), job))
            .collect();
        let known = by_path
            .keys()
            .map(|file| format!("/{}", file.strip_suffix("index.html").unwrap_or(file)))
            .collect();
        Routes {
            jobs,
            by_path,
            known: Arc::new(known),
        }
    }

    /// Whether these routes are those of `view` too, knowing the site files are the same: then
    /// only the providers' pages could differ, and they do only when the plan (the number of
    /// providers, of listing pages) or a provider's URL changed.
    fn still_fit(&self, old: &View, view: &View, jobs: &[Job]) -> bool {
        self.jobs == jobs
            && old.providers.len() == view.providers.len()
            && old
                .providers
                .iter()
                .zip(&view.providers)
                .all(|(a, b)| Arc::ptr_eq(a, b) || a.url == b.url)
    }
}

impl Content {
    /// `previous`: the version this one follows, when the site files did not change since, so
    /// that an edit that adds, removes or renames no page keeps its routes.
    fn new(view: View, rendering: Arc<Rendering>, previous: Option<&Content>) -> Content {
        let jobs = pages::plan(&view);
        let routes = match previous {
            Some(old) if old.routes.still_fit(&old.view, &view, &jobs) => old.routes.clone(),
            _ => Arc::new(Routes::new(&view, jobs)),
        };
        // The renderer's link decisions need the same page list: hand it over now rather than
        // planning every page again on the first request.
        let _ = view.known_paths.set(routes.known.clone());
        let cards = render::cards::CardCache::new(&view, &rendering.tera);
        Content {
            cards,
            view,
            rendering,
            search: std::sync::OnceLock::new(),
            exports: std::sync::OnceLock::new(),
            routes,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Serves an output path (`prestataires/x/index.html`, `static/style.….css`).
    pub fn get(&self, path: &str) -> Served {
        if let Some(bytes) = self.rendering.assets.get(path) {
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
                crate::export::files(&self.view, &jobs, &self.rendering.asset_urls)
                    .into_iter()
                    .map(|f| (f.path, Arc::new(f.bytes)))
                    .collect()
            });
            if let Some(bytes) = exports.get(path) {
                return Served::Asset(bytes.clone());
            }
        }
        if let Some(&job) = self.routes.by_path.get(path) {
            return match self.render(path, job) {
                Ok(bytes) => Served::Page(bytes),
                Err(e) => Served::Failed(e.to_string()),
            };
        }
        let dir_index = format!("{}/index.html", path.trim_end_matches('/'));
        if !path.is_empty()
            && !path.ends_with("index.html")
            && self.routes.by_path.contains_key(&dir_index)
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
        let html = Arc::new(render::render_page(
            &self.view,
            &self.rendering.tera,
            &self.cards,
            job,
        )?);
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
    /// Settings, reference data, pages and charter, with the providers of the current version in
    /// display order (sorted here with the keys each entry keeps, see [`Live::rebuild`]).
    directory: Directory,
    site_diagnostics: Vec<Diagnostic>,
    site_sources: HashMap<PathBuf, String>,
    theme: Theme,
    entries: BTreeMap<PathBuf, Tracked>,
    /// Provider views of the current version, reused for the providers an edit leaves alone.
    views: ViewCache,
    /// Templates and assets for the current site files and theme; `None` after they changed.
    rendering: Option<Arc<Rendering>>,
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
        let site = crate::load_site_files(&opts)?;
        let mut directory = Directory::new(
            site.config,
            site.nomenclature,
            site.communes,
            Vec::new(),
            Vec::new(),
            None,
            opts.today,
        );
        directory.map = site.map;
        let empty = empty_view();
        let rendering = Arc::new(Rendering {
            tera: tera::Tera::new(),
            assets: HashMap::new(),
            asset_urls: BTreeMap::new(),
        });
        let mut live = Live {
            opts,
            audience,
            directory,
            site_diagnostics: Vec::new(),
            site_sources: HashMap::new(),
            theme: Theme::embedded(),
            entries: BTreeMap::new(),
            views: ViewCache::new(audience),
            rendering: None,
            current: Arc::new(Snapshot::new(
                0,
                Arc::new(Content::new(empty, rendering, None)),
                Vec::new(),
                HashMap::new(),
            )),
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
        let touched_slugs = self.recheck(entry_paths);
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

    /// Checks the given entry files again (or forgets those gone); returns the slugs whose pages
    /// change: the files' old and new names.
    fn recheck(&mut self, entry_paths: HashSet<PathBuf>) -> HashSet<String> {
        let content = self.opts.content();
        let ctx = check::Context {
            config: &self.directory.config,
            nomenclature: &self.directory.nomenclature,
            communes: &self.directory.communes,
            today: self.opts.today,
        };
        let mut touched_slugs = HashSet::new();
        for abs in entry_paths {
            let rel = abs
                .strip_prefix(&self.opts.root)
                .unwrap_or(&abs)
                .to_path_buf();
            if let Some(old) = self.entries.get(&rel) {
                touched_slugs.insert(old.result.found.stem.clone());
            }
            match source::found_at(&self.opts.root, &abs) {
                Some(found) => {
                    touched_slugs.insert(found.stem.clone());
                    let result = check::check_one(&found, &source::RealRoot::new(&content), &ctx);
                    match self.entries.get_mut(&rel) {
                        Some(tracked) => tracked.result = result,
                        None => {
                            self.entries.insert(rel, Tracked::new(result));
                        }
                    }
                }
                None => {
                    self.entries.remove(&rel);
                }
            }
        }
        touched_slugs
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
        let mut diagnostics = site.diagnostics;
        let mut sources = site.sources;
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
        let content_root = source::RealRoot::new(&self.opts.content());
        let results: Vec<EntryResult> = found
            .par_iter()
            .map(|f| check::check_one(f, &content_root, &ctx))
            .collect();
        // A broken entry keeps its last good version across a full reload too.
        let mut previous = std::mem::take(&mut self.entries);
        self.entries = results
            .into_iter()
            .map(|r| {
                let mut tracked = Tracked::new(r);
                tracked.last_good = previous
                    .remove(&tracked.result.found.rel)
                    .and_then(|old| old.last_good);
                (tracked.result.found.rel.clone(), tracked)
            })
            .collect();
        let mut directory = Directory::new(
            site.config,
            site.nomenclature,
            site.communes,
            Vec::new(),
            pages,
            charter,
            self.opts.today,
        );
        directory.map = site.map;
        self.directory = directory;
        self.theme = theme;
        self.site_diagnostics = diagnostics;
        self.site_sources = sources;
        // Views and templates made for the previous site files may be stale.
        self.views = ViewCache::new(self.audience);
        self.rendering = None;
        self.rebuild(None)
    }

    /// Re-runs the cross-entry pass, projects, and publishes a new version. `touched` names the
    /// entries (slugs) whose cached pages must go; `None` drops the whole cache.
    fn rebuild(&mut self, touched: Option<&HashSet<String>>) -> Result<(), Vec<Diagnostic>> {
        let settled = settle(&mut self.entries, &self.directory.config.rules);
        let mut problems: Vec<Diagnostic> = self
            .site_diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .chain(settled.problems)
            .collect();
        check::sort(&mut problems);
        let mut sources = self.site_sources.clone();
        sources.extend(settled.sources);
        self.directory.providers = settled.providers;
        let view = audience::project_cached(&self.directory, &mut self.views);
        let same_site = self.rendering.is_some();
        let rendering = match &self.rendering {
            Some(r) => r.clone(),
            None => {
                let r = Rendering::new(&view, &self.theme)
                    .map_err(|e| vec![config_problem(e.to_string())])?;
                self.rendering.insert(Arc::new(r)).clone()
            }
        };
        let previous = same_site.then_some(&*self.current.content);
        let content = Content::new(view, rendering, previous);
        if let Some(touched) = touched {
            keep_cached_pages(&self.current.content, &content, touched);
        }
        self.current = Arc::new(Snapshot::new(
            self.current.version + 1,
            Arc::new(content),
            problems,
            sources,
        ));
        Ok(())
    }

    fn publish_problems(&mut self, problems: Vec<Diagnostic>) {
        let mut sources = (*self.current.sources).clone();
        sources.extend(self.site_sources.clone());
        self.current = Arc::new(Snapshot::new(
            self.current.version + 1,
            self.current.content.clone(),
            problems,
            sources,
        ));
    }
}

/// An entry as `serve` keeps it between edits.
struct Tracked {
    result: EntryResult,
    /// Its last version that had no error, served while its file is broken.
    last_good: Option<Arc<Provider>>,
    /// Its place in the display order of the current version (`usize::MAX` when not shown): the
    /// next version sorts from that order, which an edit barely changes.
    rank: usize,
}

impl Tracked {
    fn new(result: EntryResult) -> Tracked {
        Tracked {
            result,
            last_good: None,
            rank: usize::MAX,
        }
    }
}

/// What the entries make of a version once the rules spanning entries ran.
struct Settled {
    /// Published providers, and the last good version of broken ones, in display order.
    providers: Vec<Arc<Provider>>,
    /// Errors of the entries.
    problems: Vec<Diagnostic>,
    /// Texts of the entries with errors.
    sources: HashMap<PathBuf, String>,
}

/// Runs the cross-entry pass over `entries` (in path order, as a build does) and picks what the
/// version shows: published providers, and for a broken entry its last good version unless its
/// slug is taken. Records every published provider as its entry's last good one, and each
/// entry's rank. Copies no provider: they are shared with the entries.
fn settle(
    entries: &mut BTreeMap<PathBuf, Tracked>,
    rules: &BTreeMap<String, Option<Severity>>,
) -> Settled {
    let verdicts = check::cross_check(entries.values().map(|t| &t.result), rules);
    let mut problems = Vec::new();
    let mut sources = HashMap::new();
    // (entry number, stand-in) of every entry shown.
    let mut shown: Vec<(usize, bool)> = Vec::with_capacity(entries.len());
    for (i, ((path, tracked), verdict)) in entries.iter_mut().zip(&verdicts).enumerate() {
        let entry = &tracked.result;
        if verdict.errors > 0 {
            problems.extend(
                entry
                    .own_diagnostics()
                    .chain(&verdict.duplicates)
                    .filter(|d| d.severity == Severity::Error)
                    .cloned(),
            );
            if let Some(text) = &entry.text {
                sources.insert(path.clone(), text.clone());
            }
        }
        match &entry.provider {
            Some(p) if verdict.published(entry) => {
                tracked.last_good = Some(p.clone());
                shown.push((i, false));
            }
            _ if tracked.last_good.is_some() => shown.push((i, true)),
            _ => {}
        }
    }
    let tracked: Vec<&Tracked> = entries.values().collect();
    let providers = display_order(&tracked, shown);
    let mut ranks = vec![usize::MAX; tracked.len()];
    for (rank, &(i, _)) in providers.iter().enumerate() {
        ranks[i] = rank;
    }
    let providers: Vec<Arc<Provider>> = providers.into_iter().map(|(_, p)| p).collect();
    for (tracked, rank) in entries.values_mut().zip(ranks) {
        tracked.rank = rank;
    }
    Settled {
        providers,
        problems,
        sources,
    }
}

/// The providers of `shown` (entry number, stand-in) in display order, with their entry numbers;
/// stand-ins whose slug a published entry (or an earlier stand-in) took are left out.
fn display_order(tracked: &[&Tracked], shown: Vec<(usize, bool)>) -> Vec<(usize, Arc<Provider>)> {
    let provider_of = |(i, stand_in): &(usize, bool)| -> Option<&Arc<Provider>> {
        if *stand_in {
            tracked[*i].last_good.as_ref()
        } else {
            tracked[*i].result.provider.as_ref()
        }
    };
    let mut taken: Option<HashSet<&str>> = None;
    let mut list: Vec<(usize, Cow<'_, DisplayKey>, Arc<Provider>)> =
        Vec::with_capacity(shown.len());
    for item in &shown {
        let Some(p) = provider_of(item) else { continue };
        let key = if item.1 {
            let taken = taken.get_or_insert_with(|| {
                shown
                    .iter()
                    .filter(|s| !s.1)
                    .filter_map(provider_of)
                    .map(|p| p.slug.as_str())
                    .collect()
            });
            if !taken.insert(&p.slug) {
                continue;
            }
            Cow::Owned(directory::display_key(p))
        } else {
            match tracked[item.0].result.order_key() {
                Some(key) => Cow::Borrowed(key),
                None => Cow::Owned(directory::display_key(p)),
            }
        };
        list.push((item.0, key, p.clone()));
    }
    // Keys are unique (so is a shown slug): any order sorts to the same one. Starting from the
    // previous version's order, the sort has next to nothing to do.
    list.sort_unstable_by_key(|(i, _, _)| tracked[*i].rank);
    list.sort_by(|a, b| a.1.cmp(&b.1));
    list.into_iter().map(|(i, _, p)| (i, p)).collect()
}

/// Moves into `new` the rendered pages of `old` that an entry edit leaves as they were: the pages
/// of providers not `touched`. Reads the old cache (the pages requested so far), not every route.
fn keep_cached_pages(old: &Content, new: &Content, touched: &HashSet<String>) {
    let old = old.cache.lock().unwrap_or_else(|p| p.into_inner());
    let mut kept = new.cache.lock().unwrap_or_else(|p| p.into_inner());
    for (path, bytes) in old.iter() {
        if let Some(Job::Provider(i)) = new.routes.by_path.get(path)
            && !touched.contains(&new.view.providers[*i].slug)
        {
            kept.insert(path.clone(), bytes.clone());
        }
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

    /// Every page of `live`'s current version, rendered, by output path.
    fn all_pages(live: &Live) -> BTreeMap<String, String> {
        let snap = live.snapshot();
        snap.content
            .routes
            .by_path
            .keys()
            .map(|path| (path.clone(), page(live, path)))
            .collect()
    }

    /// The current version of `live` equals what a fresh start on the same files serves: same
    /// pages, byte for byte, and the same problems.
    fn assert_same_as_fresh(dir: &Path, live: &Live) {
        let fresh = Live::open(live.opts.clone(), live.audience).unwrap();
        let (ours, theirs) = (all_pages(live), all_pages(&fresh));
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            theirs.keys().collect::<Vec<_>>()
        );
        for (path, html) in &ours {
            assert_eq!(
                html, &theirs[path],
                "{path} differs after incremental edits"
            );
        }
        let problems = |l: &Live| {
            l.snapshot()
                .problems
                .iter()
                .map(|d| format!("{:?} {:?} {}", d.file, d.pos(), d.rule()))
                .collect::<Vec<_>>()
        };
        assert_eq!(problems(live), problems(&fresh), "in {}", dir.display());
    }

    fn write_entry(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join("content/prestataires").join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn incremental_edits_serve_what_a_full_rebuild_serves() {
        for audience in [Audience::Public, Audience::Mediation] {
            let (dir, live) = site();
            let mut live = Live::open(live.opts.clone(), audience).unwrap();
            let beta = dir.path().join("content/prestataires/beta-web.md");
            let original = std::fs::read_to_string(&beta).unwrap();
            // A renamed provider moves in the display order.
            let renamed = original.replace("nom: Bêta Web", "nom: Aaa Web");
            std::fs::write(&beta, &renamed).unwrap();
            assert_eq!(
                live.apply(std::slice::from_ref(&beta)),
                Update::Entries { changed: 1 }
            );
            assert_same_as_fresh(dir.path(), &live);
            // An added entry.
            let delta = write_entry(
                dir.path(),
                "delta-web.md",
                &original
                    .replace("nom: Bêta Web", "nom: Delta Web")
                    .replace("44306184100047", "44306184100005"),
            );
            live.apply(std::slice::from_ref(&delta));
            assert_same_as_fresh(dir.path(), &live);
            // A copy under another file name: its name and SIRET are duplicates, reported on the
            // later file, which is left out.
            let copy = write_entry(dir.path(), "zeta-web.md", &renamed);
            live.apply(std::slice::from_ref(&copy));
            let rules: Vec<&str> = live.snapshot().problems.iter().map(|d| d.rule()).collect();
            assert!(rules.contains(&"identite/nom-en-double"), "{rules:?}");
            assert!(rules.contains(&"identite/siret-en-double"), "{rules:?}");
            assert_same_as_fresh(dir.path(), &live);
            // The first file goes: the copy is no longer a duplicate and is published.
            std::fs::remove_file(&beta).unwrap();
            live.apply(std::slice::from_ref(&beta));
            assert!(
                live.snapshot().problems.is_empty(),
                "{:?}",
                live.snapshot().problems
            );
            assert!(page(&live, "prestataires/zeta-web/index.html").contains("Aaa Web"));
            assert_same_as_fresh(dir.path(), &live);
        }
    }

    #[test]
    fn an_entry_edit_reprojects_only_that_provider_and_keeps_the_templates() {
        let (dir, mut live) = site();
        let before = live.snapshot();
        let path = dir.path().join("content/prestataires/beta-web.md");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("Sites vitrines accessibles.", "Sites vitrines sobres.");
        std::fs::write(&path, text).unwrap();
        live.apply(std::slice::from_ref(&path));
        let after = live.snapshot();
        let find = |s: &Snapshot, slug: &str| {
            s.content
                .view
                .providers
                .iter()
                .find(|p| p.slug == slug)
                .cloned()
                .unwrap()
        };
        assert!(Arc::ptr_eq(
            &find(&before, "alpha-graphisme"),
            &find(&after, "alpha-graphisme")
        ));
        assert!(!Arc::ptr_eq(
            &find(&before, "beta-web"),
            &find(&after, "beta-web")
        ));
        assert!(Arc::ptr_eq(
            &before.content.rendering,
            &after.content.rendering
        ));
        assert_eq!(live.views.len(), 2);
    }

    #[test]
    fn a_relative_root_still_rebuilds_one_entry_per_edit() {
        let (dir, _) = site();
        // The temporary folder as seen from the working directory, without changing it (tests
        // run in parallel).
        let cwd = std::env::current_dir().unwrap();
        let mut relative = PathBuf::new();
        for _ in cwd.components().skip(1) {
            relative.push("..");
        }
        relative.push(dir.path().strip_prefix("/").unwrap());
        assert!(relative.is_relative());
        let opts = SiteOptions {
            root: relative,
            today: crate::model::Date::parse("2025-11-28").unwrap(),
            base_url: None,
        };
        let mut live = Live::open(opts, Audience::Public).unwrap();
        // The watcher reports absolute, canonical paths.
        let path = std::fs::canonicalize(dir.path())
            .unwrap()
            .join("content/prestataires/beta-web.md");
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("Sites vitrines accessibles.", "Sites vitrines sobres.");
        std::fs::write(&path, text).unwrap();
        assert_eq!(live.apply(&[path]), Update::Entries { changed: 1 });
        assert!(page(&live, "prestataires/beta-web/index.html").contains("Sites vitrines sobres."));
    }
}
