//! Free pages (`pages/*.md`) and the charter (`charte.md`): title and order in front matter,
//! Markdown body.

use crate::check::diagnostic::{Diagnostic, Problem};
use crate::decode::Reader;
use crate::model::Page;
use crate::source::yaml::{self, Limits, Pos, Span};
use crate::source::{SourceFile, SplitError, split_front_matter};

/// Decodes a page; `None` with diagnostics when it cannot be published.
pub fn check_page(
    file: &SourceFile,
    slug: &str,
    extra_keys: &[&str],
) -> (Option<Page>, Vec<Diagnostic>) {
    let mut r = Reader::new(&file.path);
    if !crate::text::is_slug(slug) {
        r.report(
            Problem::InvalidSlug {
                slug: slug.to_string(),
                suggestion: crate::text::slugify(slug),
            },
            Span::at(Pos { line: 1, col: 1 }),
        );
    }
    let split = match split_front_matter(&file.text) {
        Ok(s) => s,
        Err(SplitError::Missing) => {
            r.report(Problem::NoFrontMatter, Span::at(Pos { line: 1, col: 1 }));
            return (None, r.diags);
        }
        Err(SplitError::Unterminated { line }) => {
            r.report(
                Problem::UnterminatedFrontMatter,
                Span::at(Pos { line, col: 1 }),
            );
            return (None, r.diags);
        }
    };
    let doc = yaml::parse(split.yaml, split.yaml_first_line, Limits::ENTRY);
    for e in &doc.errors {
        r.report_yaml(e);
    }
    let Some(root) = doc.root else {
        return (None, r.diags);
    };
    let Some(mut m) = r.map(&root, "en-tête") else {
        return (None, r.diags);
    };
    let title = m
        .required(&mut r, "titre")
        .and_then(|n| r.text(n, "titre", 200));
    let description = m
        .get("description")
        .and_then(|n| r.text(n, "description", 400));
    let order = m
        .get("ordre")
        .and_then(|n| r.uint(n, "ordre"))
        .map_or(100, i64::from);
    let mut keys = vec!["titre", "description", "ordre"];
    keys.extend_from_slice(extra_keys);
    m.finish(&mut r, &keys);
    let page = title.filter(|_| !r.has_errors()).map(|title| Page {
        slug: slug.to_string(),
        source: file.path.clone(),
        title,
        description,
        order,
        body: split.body.to_string(),
    });
    (page, r.diags)
}
