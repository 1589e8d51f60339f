//! No self-verification: a `verification` block may only be added, changed or removed by a
//! mediator. The entry is compared with its version at a base revision (the pull request's base
//! branch), read with `git show`.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use crate::check::diagnostic::{Diagnostic, Problem};
use crate::config::SiteConfig;
use crate::source::yaml::{self, Kind, Limits, Node, Span};

/// Why the base revision could not be read at all (a missing file at the base is fine: new entry).
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    #[error("git could not be run: {0}")]
    Git(#[from] std::io::Error),
    #[error("unknown base revision `{0}`")]
    UnknownRevision(String),
}

/// Checks every entry's verification blocks against `base`. `entries` maps each entry path
/// (relative to `root`) to its current front matter.
pub fn check(
    root: &Path,
    base: &str,
    author: &str,
    config: &SiteConfig,
    entries: &HashMap<std::path::PathBuf, Node>,
) -> Result<Vec<Diagnostic>, BaseError> {
    if config.is_mediator_account(author) {
        return Ok(Vec::new());
    }
    let ok = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("{base}^{{commit}}"))
        .output()?;
    if !ok.status.success() {
        return Err(BaseError::UnknownRevision(base.to_string()));
    }
    let mut diags = Vec::new();
    let mut paths: Vec<_> = entries.keys().collect();
    paths.sort();
    for path in paths {
        let current = &entries[path];
        let old = Command::new("git")
            .arg("-C")
            .arg(root)
            .arg("show")
            .arg(format!("{base}:./{}", path.display()))
            .output()?;
        let old_root = if old.status.success() {
            let text = String::from_utf8_lossy(&old.stdout).replace("\r\n", "\n");
            let text = text.trim_start_matches('\u{feff}');
            crate::source::split_front_matter(text)
                .ok()
                .and_then(|s| yaml::parse(s.yaml, 2, Limits::ENTRY).root)
        } else {
            None
        };
        let before = verifications(old_root.as_ref());
        let after = verifications(Some(current));
        for (skill, (value, span)) in &after {
            if before.get(skill).map(|b| &b.0) != Some(value) {
                diags.push(Diagnostic::new(
                    Problem::SelfVerification {
                        author: author.to_string(),
                    },
                    Some(path.clone()),
                    Some(*span),
                ));
            }
        }
        for (skill, _) in before.iter().filter(|(k, _)| !after.contains_key(*k)) {
            // A removed verification counts too (a refusal cannot be erased by the provider), but
            // not when the whole skill was dropped.
            if let Some(span) = claim_span(current, skill) {
                diags.push(Diagnostic::new(
                    Problem::SelfVerification {
                        author: author.to_string(),
                    },
                    Some(path.clone()),
                    Some(span),
                ));
            }
        }
    }
    Ok(diags)
}

/// Skill id → (verification block without positions, its span).
fn verifications(root: Option<&Node>) -> HashMap<String, (serde_json::Value, Span)> {
    let mut out = HashMap::new();
    let Some(Node {
        kind: Kind::Seq(claims),
        ..
    }) = root.and_then(|r| r.get("competences"))
    else {
        return out;
    };
    for claim in claims {
        let (Some(id), Some(v)) = (claim.get("id"), claim.get("verification")) else {
            continue;
        };
        if let Kind::Scalar(s) = &id.kind {
            out.insert(s.text.trim().to_string(), (plain(v), v.span));
        }
    }
    out
}

fn claim_span(root: &Node, skill: &str) -> Option<Span> {
    let Some(Node {
        kind: Kind::Seq(claims),
        ..
    }) = root.get("competences")
    else {
        return None;
    };
    claims.iter().find(|c| matches!(c.get("id"), Some(Node { kind: Kind::Scalar(s), .. }) if s.text.trim() == skill)).map(|c| c.span)
}

fn plain(n: &Node) -> serde_json::Value {
    match &n.kind {
        Kind::Scalar(s) => serde_json::Value::String(s.text.clone()),
        Kind::Seq(items) => items.iter().map(plain).collect(),
        Kind::Map(entries) => entries
            .iter()
            .map(|e| (e.key.clone(), plain(&e.value)))
            .collect(),
    }
}
