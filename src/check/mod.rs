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
    pub providers: Vec<Provider>,
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
    pub checked: Option<entry::Checked>,
    /// Problems of the file itself (slug, read errors).
    pub file_diagnostics: Vec<Diagnostic>,
}

/// Reads and checks one entry file.
pub fn check_one(f: &Found, content_root: &Path, ctx: &Context) -> EntryResult {
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
    match source::read_found(f, content_root, MAX_ENTRY_BYTES) {
        Err(e) => {
            diags.push(file_error(&f.rel, e));
            EntryResult {
                found: f.clone(),
                text: None,
                checked: None,
                file_diagnostics: diags,
            }
        }
        Ok(file) => {
            let checked = entry::check_entry(&file, &f.stem, ctx);
            EntryResult {
                found: f.clone(),
                text: Some(file.text),
                checked: Some(checked),
                file_diagnostics: diags,
            }
        }
    }
}

/// Checks the entries found under `content/prestataires/`, in parallel.
pub fn check_entries(found: &[Found], content_root: &Path, ctx: &Context) -> EntriesOutcome {
    let results: Vec<EntryResult> = found
        .par_iter()
        .map(|f| check_one(f, content_root, ctx))
        .collect();
    combine(&results, &ctx.config.rules)
}

/// The rules that span entries (unique slugs, names, SIRETs), in path order so the first file keeps
/// its name and later ones are reported; then the split between published and left-out entries.
pub fn combine<'a>(
    results: impl IntoIterator<Item = &'a EntryResult>,
    rules: &BTreeMap<String, Option<Severity>>,
) -> EntriesOutcome {
    let mut out = EntriesOutcome::default();
    let mut slugs: HashMap<String, PathBuf> = HashMap::new();
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    let mut sirets: HashMap<String, PathBuf> = HashMap::new();
    for one in results {
        let f = &one.found;
        let path = &f.rel;
        let mut diags = one.file_diagnostics.clone();
        let key: String = f.stem.nfc().collect::<String>().to_lowercase();
        if let Some(other) = slugs.get(&key) {
            diags.push(Diagnostic::new(
                Problem::DuplicateSlug {
                    slug: f.stem.clone(),
                    other: other.clone(),
                },
                Some(path.clone()),
                None,
            ));
        } else {
            slugs.insert(key, path.clone());
        }
        let mut provider = None;
        if let Some(checked) = &one.checked {
            diags.extend(checked.diagnostics.iter().cloned());
            if let Some((name, span)) = &checked.identity.name {
                let folded = crate::text::fold(name);
                match names.get(&folded) {
                    Some(other) => diags.push(Diagnostic::new(
                        Problem::DuplicateName {
                            name: name.clone(),
                            other: other.clone(),
                        },
                        Some(path.clone()),
                        Some(*span),
                    )),
                    None => {
                        names.insert(folded, path.clone());
                    }
                }
            }
            if let Some((siret, span)) = &checked.identity.siret {
                match sirets.get(siret) {
                    Some(other) => diags.push(Diagnostic::new(
                        Problem::DuplicateSiret {
                            other: other.clone(),
                        },
                        Some(path.clone()),
                        Some(*span),
                    )),
                    None => {
                        sirets.insert(siret.clone(), path.clone());
                    }
                }
            }
            provider = checked.provider.clone();
            if let Some(fm) = &checked.front_matter {
                out.front_matters.insert(path.clone(), fm.clone());
            }
        }
        apply_overrides(&mut diags, rules);
        let errors = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        match provider {
            Some(p) if errors == 0 => out.providers.push(p),
            _ => out.rejected.push((path.clone(), errors.max(1))),
        }
        if let Some(text) = &one.text {
            out.sources.insert(path.clone(), text.clone());
        }
        out.diagnostics.extend(diags);
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

pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

pub fn error_count(diags: &[Diagnostic]) -> usize {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count()
}
