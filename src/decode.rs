//! Typed reading of YAML nodes that reports every problem instead of stopping at the first.
//!
//! A [`Reader`] collects diagnostics for one file; each accessor returns `None` after reporting
//! why, so decoding code reads like a schema and carries on to the next field.

use std::path::{Path, PathBuf};

use crate::check::diagnostic::{Diagnostic, Problem};
use crate::model::date::Date;
use crate::source::yaml::{Kind, MapEntry, Node, Span, YamlError};
use crate::text;

pub struct Reader {
    pub file: PathBuf,
    pub diags: Vec<Diagnostic>,
}

impl Reader {
    pub fn new(file: &Path) -> Self {
        Reader {
            file: file.to_path_buf(),
            diags: Vec::new(),
        }
    }

    pub fn report(&mut self, problem: Problem, span: Span) {
        self.diags.push(Diagnostic::new(
            problem,
            Some(self.file.clone()),
            Some(span),
        ));
    }

    pub fn report_yaml(&mut self, error: &YamlError) {
        let problem = match error {
            YamlError::Syntax { message, .. } => Problem::YamlSyntax {
                detail: message.clone(),
            },
            YamlError::DuplicateKey { key, first, .. } => Problem::DuplicateKey {
                key: key.clone(),
                first_line: first.line,
            },
            YamlError::ComplexKey { .. } => Problem::ComplexKey,
            YamlError::TooDeep { limit, .. } => Problem::TooDeep { limit: *limit },
            YamlError::TooLarge { nodes, .. } => Problem::TooLarge { nodes: *nodes },
            YamlError::UnknownAlias { .. } => Problem::UnknownAlias,
        };
        self.report(problem, Span::at(error.pos()));
    }

    pub fn has_errors(&self) -> bool {
        self.diags
            .iter()
            .any(|d| d.severity == crate::check::diagnostic::Severity::Error)
    }

    fn wrong_type(&mut self, node: &Node, key: &str, expected: &'static str) {
        let found = node.type_name();
        self.report(
            Problem::WrongType {
                key: key.to_string(),
                expected,
                found,
            },
            node.span,
        );
    }

    /// Opens a mapping, or reports that `key` should be one.
    pub fn map<'n>(&mut self, node: &'n Node, key: &str) -> Option<Fields<'n>> {
        match &node.kind {
            Kind::Map(entries) => Some(Fields {
                span: node.span,
                entries,
            }),
            _ => {
                self.wrong_type(node, key, "map");
                None
            }
        }
    }

    /// Any scalar as text (numbers included: `siret: 832…` reads as the digits written).
    pub fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match &node.kind {
            Kind::Scalar(s) if !node.is_null() => Some(s.text.clone()),
            _ => {
                self.wrong_type(node, key, "string");
                None
            }
        }
    }

    /// Contributor text shown on the site: trimmed, free of invisible characters, bounded.
    pub fn text(&mut self, node: &Node, key: &str, max_chars: usize) -> Option<String> {
        let s = self.string(node, key)?;
        let s = s.trim().to_string();
        let mut ok = true;
        if text::has_invisible(&s) {
            self.report(
                Problem::InvisibleCharacters {
                    key: key.to_string(),
                },
                node.span,
            );
            ok = false;
        }
        if looks_like_markup(&s) {
            // A warning: the text is escaped wherever it is shown, but the contributor should
            // know their tags will appear as typed (and a reviewer should see them).
            self.report(
                Problem::Markup {
                    key: key.to_string(),
                },
                node.span,
            );
        }
        let len = s.chars().count();
        if len > max_chars {
            self.report(
                Problem::TextTooLong {
                    key: key.to_string(),
                    len,
                    max: max_chars,
                },
                node.span,
            );
            ok = false;
        }
        ok.then_some(s)
    }

    pub fn date(&mut self, node: &Node, key: &str) -> Option<Date> {
        let s = self.string(node, key)?;
        let d = Date::parse(s.trim());
        if d.is_none() {
            self.report(
                Problem::InvalidDate {
                    key: key.to_string(),
                    value: s,
                },
                node.span,
            );
        }
        d
    }

    /// A calendar year (1900–9999); huge or fractional numbers are refused, not wrapped.
    pub fn year(&mut self, node: &Node, key: &str) -> Option<i64> {
        let s = self.string(node, key)?;
        match s.trim().parse::<i64>() {
            Ok(y) if (1900..=9999).contains(&y) => Some(y),
            _ => {
                self.report(
                    Problem::InvalidNumber {
                        key: key.to_string(),
                        value: s,
                    },
                    node.span,
                );
                None
            }
        }
    }

    pub fn uint(&mut self, node: &Node, key: &str) -> Option<u32> {
        let s = self.string(node, key)?;
        let n = s.trim().parse::<u32>().ok();
        if n.is_none() {
            self.report(
                Problem::InvalidNumber {
                    key: key.to_string(),
                    value: s,
                },
                node.span,
            );
        }
        n
    }

    pub fn bool(&mut self, node: &Node, key: &str) -> Option<bool> {
        match &node.kind {
            Kind::Scalar(s) if s.plain && s.text == "true" => Some(true),
            Kind::Scalar(s) if s.plain && s.text == "false" => Some(false),
            _ => {
                self.wrong_type(node, key, "bool");
                None
            }
        }
    }

    pub fn list<'n>(&mut self, node: &'n Node, key: &str) -> Option<&'n [Node]> {
        match &node.kind {
            Kind::Seq(items) => Some(items),
            _ => {
                self.wrong_type(node, key, "list");
                None
            }
        }
    }

    /// A list of short strings with their spans; a single string is accepted as a one-item list.
    pub fn string_list(&mut self, node: &Node, key: &str) -> Option<Vec<(String, Span)>> {
        if let Kind::Scalar(_) = node.kind {
            return self.string(node, key).map(|s| vec![(s, node.span)]);
        }
        let items = self.list(node, key)?;
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let Some(s) = self.string(item, key) {
                out.push((s, item.span));
            }
        }
        Some(out)
    }

    /// One of a closed set of words.
    pub fn choice<T: Copy>(&mut self, node: &Node, key: &str, options: &[(&str, T)]) -> Option<T> {
        let s = self.string(node, key)?;
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == s.trim()) {
            return Some(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let suggestion = text::suggest(&s, names.iter().copied());
        self.report(
            Problem::InvalidValue {
                key: key.to_string(),
                value: s,
                allowed: names.iter().map(|s| s.to_string()).collect(),
                suggestion,
            },
            node.span,
        );
        None
    }
}

/// `<` opening what a browser would read as a tag or a comment: `<b`, `</b`, `<!--`, `<?`.
/// `a < b` and `<3` are not markup.
fn looks_like_markup(s: &str) -> bool {
    s.match_indices('<').any(|(i, _)| {
        s[i + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
    })
}

/// The keys of one mapping.
pub struct Fields<'n> {
    pub span: Span,
    entries: &'n [MapEntry],
}

impl<'n> Fields<'n> {
    /// The value of `key`; an explicit null (`key:` with nothing) counts as absent.
    pub fn get(&mut self, key: &str) -> Option<&'n Node> {
        let value = &self.entries.iter().find(|e| e.key == key)?.value;
        (!value.is_null()).then_some(value)
    }

    pub fn required(&mut self, r: &mut Reader, key: &str) -> Option<&'n Node> {
        let v = self.get(key);
        if v.is_none() {
            let span = self
                .entries
                .iter()
                .find(|e| e.key == key)
                .map_or(Span::at(self.span.start), |e| e.key_span);
            r.report(
                Problem::MissingKey {
                    key: key.to_string(),
                },
                span,
            );
        }
        v
    }

    /// Reports every key outside `known`, suggesting the nearest known one.
    pub fn finish(self, r: &mut Reader, known: &[&str]) {
        for entry in self.entries {
            if !known.contains(&entry.key.as_str()) {
                let suggestion = text::suggest(&entry.key, known.iter().copied());
                r.report(
                    Problem::UnknownKey {
                        key: entry.key.clone(),
                        suggestion,
                    },
                    entry.key_span,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml::{Limits, parse};

    #[test]
    fn markup_in_text_is_a_warning_and_the_text_is_kept() {
        let doc = parse("nom: <script>alert(1)</script> Atelier\n", 2, Limits::ENTRY);
        let root = doc.root.unwrap();
        let mut r = Reader::new(Path::new("content/prestataires/x.md"));
        let text = r.text(root.get("nom").unwrap(), "nom", 120);
        assert_eq!(text.as_deref(), Some("<script>alert(1)</script> Atelier"));
        assert_eq!(r.diags.len(), 1);
        assert_eq!(r.diags[0].rule(), "schema/balisage");
        assert!(!r.has_errors());
    }

    #[test]
    fn what_counts_as_markup() {
        for yes in ["<b>", "a</i>", "<!-- x", "<?php", "<img src=x onerror=y>"] {
            assert!(looks_like_markup(yes), "{yes}");
        }
        for no in [
            "a < b",
            "<3",
            "C<=>D",
            "x <",
            "Dupont & Fils",
            "« Atelier »",
        ] {
            assert!(!looks_like_markup(no), "{no}");
        }
    }
}
