//! Check: every entry against the nomenclature and the charter, then the rules that span entries
//! (unique slugs, names, SIRETs). Entries are checked in parallel; the result is independent of
//! thread timing (diagnostics are sorted, duplicates resolved in path order).

pub mod diagnostic;
pub mod entry;
pub mod pages;
pub mod report;
pub mod rules;
pub mod selfverif;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use unicode_normalization::UnicodeNormalization;

use crate::config::SiteConfig;
use crate::model::{Communes, Date, Nomenclature, Provider};
use crate::source::{self, FileError, Found};
use diagnostic::{Diagnostic, Problem, Severity};

/// Largest entry file accepted (a real one is 2–5 KB).
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024;

/// What entry checks need to know of the rest of the site.
pub struct Context<'a> {
    pub config: &'a SiteConfig,
    pub nomenclature: &'a Nomenclature,
    pub communes: &'a Communes,
    /// The build date: "in the future" and "expired" are relative to it, never to the clock.
    pub today: Date,
}

/// The result of checking all entries.
#[derive(Default)]
pub struct EntriesOutcome {
    /// Entries without errors, in path order.
    pub providers: Vec<Arc<Provider>>,
    /// Entries left out, with their error count.
    pub rejected: Vec<(PathBuf, usize)>,
    pub diagnostics: Vec<Diagnostic>,
    /// Texts of every file read, for rendering source snippets.
    pub sources: HashMap<PathBuf, String>,
    /// Parsed front matter per file (for the self-verification rule).
    pub front_matters: HashMap<PathBuf, crate::source::yaml::Node>,
}

/// Turns a file-level read error into a diagnostic.
pub fn file_error(path: &Path, e: FileError) -> Diagnostic {
    use crate::source::yaml::{Pos, Span};
    let (problem, span) = match e {
        FileError::Io(reason) => (Problem::Unreadable { reason }, None),
        FileError::TooLarge { size, limit } => (Problem::FileTooLarge { size, limit }, None),
        FileError::Binary => (Problem::BinaryFile, None),
        FileError::InvalidUtf8 { line, col } => {
            (Problem::InvalidUtf8, Some(Span::at(Pos { line, col })))
        }
        FileError::SymlinkOutside => (Problem::SymlinkOutside, None),
    };
    Diagnostic::new(problem, Some(path.to_path_buf()), span)
}

/// The check of one entry file, before the rules that span entries. Kept per file by `serve`, so
/// an edit re-checks one file and only the cheap cross-entry pass runs again.
pub struct EntryResult {
    pub found: Found,
    /// Normalised text, when the file could be read.
    pub text: Option<String>,
    /// The entry's own check. Its `provider` is moved to [`EntryResult::provider`] and its
    /// diagnostics already carry the severities of `regles:`.
    pub checked: Option<entry::Checked>,
    /// The provider, when the entry decoded: shared, so that `serve` hands unchanged entries to
    /// each new version without copying them.
    pub provider: Option<Arc<Provider>>,
    /// Problems of the file itself (slug, read errors), `regles:` applied.
    pub file_diagnostics: Vec<Diagnostic>,
    /// Keys of the rules that span entries, computed (and hashed) once per check rather than once
    /// per cross-entry pass: the case-folded NFC slug, the folded name and the SIRET.
    slug_key: Key,
    name_key: Option<Key>,
    siret_key: Option<Key>,
    /// Errors among the entry's own diagnostics.
    own_errors: usize,
    /// The provider's place in the display order ([`crate::model::directory::display_key`]).
    order_key: Option<crate::model::directory::DisplayKey>,
}

impl EntryResult {
    /// The provider's display-order key, when the entry decoded.
    pub fn order_key(&self) -> Option<&crate::model::directory::DisplayKey> {
        self.order_key.as_ref()
    }

    /// Errors among the entry's own diagnostics (file, front matter, fields).
    pub fn own_errors(&self) -> usize {
        self.own_errors
    }

    /// Every diagnostic of the entry itself (file problems first), before the cross-entry rules.
    pub fn own_diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.file_diagnostics
            .iter()
            .chain(self.checked.iter().flat_map(|c| c.diagnostics.iter()))
    }

    fn new(
        found: &Found,
        text: Option<String>,
        checked: Option<entry::Checked>,
        mut file_diagnostics: Vec<Diagnostic>,
        rules: &BTreeMap<String, Option<Severity>>,
    ) -> EntryResult {
        let mut checked = checked;
        let mut provider = None;
        if let Some(c) = &mut checked {
            provider = c.provider.take().map(Arc::new);
            apply_overrides(&mut c.diagnostics, rules);
        }
        apply_overrides(&mut file_diagnostics, rules);
        let identity = checked.as_ref().map(|c| &c.identity);
        let name_key = identity
            .and_then(|i| i.name.as_ref())
            .map(|(name, _)| Key::new(crate::text::fold(name)));
        let siret_key = identity
            .and_then(|i| i.siret.as_ref())
            .map(|(siret, _)| Key::new(siret.clone()));
        let order_key = provider
            .as_deref()
            .map(crate::model::directory::display_key);
        let mut result = EntryResult {
            found: found.clone(),
            text,
            checked,
            provider,
            file_diagnostics,
            slug_key: Key::new(found.stem.nfc().collect::<String>().to_lowercase()),
            name_key,
            siret_key,
            own_errors: 0,
            order_key,
        };
        result.own_errors = error_count_of(result.own_diagnostics());
        result
    }
}

/// Reads and checks one entry file.
pub fn check_one(f: &Found, content_root: &source::RealRoot, ctx: &Context) -> EntryResult {
    let mut diags = Vec::new();
    if !crate::text::is_slug(&f.stem) {
        diags.push(Diagnostic::new(
            Problem::InvalidSlug {
                slug: f.stem.clone(),
                suggestion: crate::text::slugify(&f.stem),
            },
            Some(f.rel.clone()),
            None,
        ));
    }
    let rules = &ctx.config.rules;
    match source::read_found(f, content_root, MAX_ENTRY_BYTES) {
        Err(e) => {
            diags.push(file_error(&f.rel, e));
            EntryResult::new(f, None, None, diags, rules)
        }
        Ok(file) => {
            let checked = entry::check_entry(&file, &f.stem, ctx);
            EntryResult::new(f, Some(file.text), Some(checked), diags, rules)
        }
    }
}

/// What the caller of [`check_entries`] needs besides providers and diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keep {
    /// Every entry's front matter (for `check --base` and `check --links`).
    pub front_matters: bool,
    /// Every entry's text; otherwise only the texts of entries with problems of their own (for
    /// the snippets of their diagnostics).
    pub all_texts: bool,
}

impl Keep {
    pub const ALL: Keep = Keep {
        front_matters: true,
        all_texts: true,
    };
    /// What a build needs: at 100,000 entries the rest is gigabytes no later stage reads.
    pub const LEAN: Keep = Keep {
        front_matters: false,
        all_texts: false,
    };
}

/// Checks the entries found under `content/prestataires/`, in parallel, dropping from each result
/// what `keep` does not ask for as soon as the entry is checked.
pub fn check_entries(
    found: &[Found],
    content_root: &Path,
    ctx: &Context,
    keep: Keep,
) -> EntriesOutcome {
    let content_root = source::RealRoot::new(content_root);
    let results: Vec<EntryResult> = found
        .par_iter()
        .map(|f| {
            let mut r = check_one(f, &content_root, ctx);
            if !keep.front_matters
                && let Some(c) = r.checked.as_mut()
            {
                c.front_matter = None;
            }
            if !keep.all_texts && r.own_diagnostics().next().is_none() {
                r.text = None;
            }
            r
        })
        .collect();
    combine(results, &ctx.config.rules)
}

/// What the rules spanning entries decide for one entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Duplicate slug, name or SIRET found on an earlier file, `regles:` applied.
    pub duplicates: Vec<Diagnostic>,
    /// Errors of the entry, its own and its duplicates.
    pub errors: usize,
}

impl Verdict {
    /// Whether the entry is published: it decoded and has no error.
    pub fn published(&self, entry: &EntryResult) -> bool {
        self.errors == 0 && entry.provider.is_some()
    }
}

/// The rules that span entries (unique slugs, names, SIRETs), in path order so the first file keeps
/// its name and later ones are reported. One verdict per entry, in the order given. Reads the keys
/// each entry computed when it was checked, so it copies nothing: `serve` runs it on every edit.
pub fn cross_check<'a>(
    results: impl IntoIterator<Item = &'a EntryResult>,
    rules: &BTreeMap<String, Option<Severity>>,
) -> Vec<Verdict> {
    let results = results.into_iter();
    let n = results.size_hint().0;
    let mut slugs: KeyMap<'_> = KeyMap::with_capacity_and_hasher(n, Default::default());
    let mut names: KeyMap<'_> = KeyMap::with_capacity_and_hasher(n, Default::default());
    let mut sirets: KeyMap<'_> = KeyMap::with_capacity_and_hasher(n, Default::default());
    let mut verdicts = Vec::with_capacity(n);
    for one in results {
        let f = &one.found;
        let path = &f.rel;
        let mut duplicates = Vec::new();
        if let Some(other) = first_of(&mut slugs, &one.slug_key, path) {
            duplicates.push(Diagnostic::new(
                Problem::DuplicateSlug {
                    slug: f.stem.clone(),
                    other: other.to_path_buf(),
                },
                Some(path.clone()),
                None,
            ));
        }
        if let Some(checked) = &one.checked {
            if let (Some((name, span)), Some(key)) = (&checked.identity.name, &one.name_key)
                && let Some(other) = first_of(&mut names, key, path)
            {
                duplicates.push(Diagnostic::new(
                    Problem::DuplicateName {
                        name: name.clone(),
                        other: other.to_path_buf(),
                    },
                    Some(path.clone()),
                    Some(*span),
                ));
            }
            if let (Some((_, span)), Some(key)) = (&checked.identity.siret, &one.siret_key)
                && let Some(other) = first_of(&mut sirets, key, path)
            {
                duplicates.push(Diagnostic::new(
                    Problem::DuplicateSiret {
                        other: other.to_path_buf(),
                    },
                    Some(path.clone()),
                    Some(*span),
                ));
            }
        }
        apply_overrides(&mut duplicates, rules);
        let errors = one.own_errors + error_count(&duplicates);
        verdicts.push(Verdict { duplicates, errors });
    }
    verdicts
}

/// The file that took `key` first, or `None` when `path` is the first (and now holds it).
fn first_of<'a>(map: &mut KeyMap<'a>, key: &'a Key, path: &'a Path) -> Option<&'a Path> {
    match map.entry(key) {
        std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
        std::collections::hash_map::Entry::Vacant(e) => {
            e.insert(path);
            None
        }
    }
}

/// A key of a rule spanning entries with its hash, computed when the entry is checked (in
/// parallel for a build, once per edited file for `serve`), so the cross-entry pass hashes
/// nothing. The hash is SipHash with keys random per process, as `HashMap`'s own: contributors
/// choose the keys, so they must not be able to make them collide.
#[derive(Debug, Clone)]
struct Key {
    hash: u64,
    text: String,
}

impl Key {
    fn new(text: String) -> Key {
        static STATE: std::sync::OnceLock<std::hash::RandomState> = std::sync::OnceLock::new();
        use std::hash::BuildHasher;
        let hash = STATE
            .get_or_init(std::hash::RandomState::new)
            .hash_one(text.as_str());
        Key { hash, text }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.hash == other.hash && self.text == other.text
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// Hands a [`Key`]'s precomputed hash to the map.
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used by `Key`; anything else still hashes, just not as fast.
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap<'a> = HashMap<&'a Key, &'a Path, std::hash::BuildHasherDefault<KeyHasher>>;

/// The cross-entry pass, then the split between published and left-out entries. Consumes the
/// results: texts, front matters and providers move into the outcome.
pub fn combine(
    results: Vec<EntryResult>,
    rules: &BTreeMap<String, Option<Severity>>,
) -> EntriesOutcome {
    let verdicts = cross_check(&results, rules);
    let mut out = EntriesOutcome::default();
    for (one, verdict) in results.into_iter().zip(verdicts) {
        let path = one.found.rel;
        let published = verdict.errors == 0;
        out.diagnostics.extend(one.file_diagnostics);
        if let Some(checked) = one.checked {
            out.diagnostics.extend(checked.diagnostics);
            if let Some(fm) = checked.front_matter {
                out.front_matters.insert(path.clone(), fm);
            }
        }
        out.diagnostics.extend(verdict.duplicates);
        match one.provider {
            Some(p) if published => out.providers.push(p),
            _ => out.rejected.push((path.clone(), verdict.errors.max(1))),
        }
        if let Some(text) = one.text {
            out.sources.insert(path, text);
        }
    }
    sort(&mut out.diagnostics);
    out
}

/// Applies `regles:` from `site.yaml`: a rule can be made an error, a warning, or switched off.
pub fn apply_overrides(diags: &mut Vec<Diagnostic>, rules: &BTreeMap<String, Option<Severity>>) {
    if rules.is_empty() {
        return;
    }
    diags.retain_mut(|d| match rules.get(d.rule()) {
        None => true,
        Some(None) => false,
        Some(Some(sev)) => {
            d.severity = *sev;
            true
        }
    });
}

/// Sorts by file, position and rule (the order of [`Diagnostic::sort_key`]), without copying a
/// path per comparison.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.file.as_deref(), a.pos().unwrap_or_default(), a.rule()).cmp(&(
            b.file.as_deref(),
            b.pos().unwrap_or_default(),
            b.rule(),
        ))
    });
}

pub fn error_count(diags: &[Diagnostic]) -> usize {
    error_count_of(diags)
}

fn error_count_of<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> usize {
    diags
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}
