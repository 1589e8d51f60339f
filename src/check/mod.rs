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

/// Checks the entries found under `content/prestataires/`.
pub fn check_entries(found: &[Found], content_root: &Path, ctx: &Context) -> EntriesOutcome {
    struct One {
        path: PathBuf,
        text: Option<String>,
        checked: Option<entry::Checked>,
        diags: Vec<Diagnostic>,
    }
    let results: Vec<One> = found
        .par_iter()
        .map(|f| {
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
                    One {
                        path: f.rel.clone(),
                        text: None,
                        checked: None,
                        diags,
                    }
                }
                Ok(file) => {
                    let checked = entry::check_entry(&file, &f.stem, ctx);
                    One {
                        path: file.path,
                        text: Some(file.text),
                        checked: Some(checked),
                        diags,
                    }
                }
            }
        })
        .collect();

    let mut out = EntriesOutcome::default();
    let mut slugs: HashMap<String, PathBuf> = HashMap::new();
    let mut names: HashMap<String, PathBuf> = HashMap::new();
    let mut sirets: HashMap<String, PathBuf> = HashMap::new();
    for (f, one) in found.iter().zip(results) {
        let mut diags = one.diags;
        let key: String = f.stem.nfc().collect::<String>().to_lowercase();
        if let Some(other) = slugs.get(&key) {
            diags.push(Diagnostic::new(
                Problem::DuplicateSlug {
                    slug: f.stem.clone(),
                    other: other.clone(),
                },
                Some(one.path.clone()),
                None,
            ));
        } else {
            slugs.insert(key, one.path.clone());
        }
        let mut provider = None;
        if let Some(checked) = one.checked {
            diags.extend(checked.diagnostics);
            if let Some((name, span)) = &checked.identity.name {
                match names.get(&crate::text::fold(name)) {
                    Some(other) => diags.push(Diagnostic::new(
                        Problem::DuplicateName {
                            name: name.clone(),
                            other: other.clone(),
                        },
                        Some(one.path.clone()),
                        Some(*span),
                    )),
                    None => {
                        names.insert(crate::text::fold(name), one.path.clone());
                    }
                }
            }
            if let Some((siret, span)) = &checked.identity.siret {
                match sirets.get(siret) {
                    Some(other) => diags.push(Diagnostic::new(
                        Problem::DuplicateSiret {
                            other: other.clone(),
                        },
                        Some(one.path.clone()),
                        Some(*span),
                    )),
                    None => {
                        sirets.insert(siret.clone(), one.path.clone());
                    }
                }
            }
            provider = checked.provider;
            if let Some(fm) = checked.front_matter {
                out.front_matters.insert(one.path.clone(), fm);
            }
        }
        apply_overrides(&mut diags, &ctx.config.rules);
        let errors = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        match provider {
            Some(p) if errors == 0 => out.providers.push(p),
            _ => out.rejected.push((one.path.clone(), errors.max(1))),
        }
        if let Some(text) = one.text {
            out.sources.insert(one.path, text);
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
