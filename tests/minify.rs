//! The templates' minification (src/render/minify.rs) changes no page as a browser shows it:
//! every page of the bundled directory, both audiences, is built with and without it, tokenized
//! the way a browser does, and compared once the whitespace CSS does not render is set aside.
//! The size is compared with what minify-html (the per-page minifier the build used before) makes
//! of the same pages.

mod canonical_html;
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use annuaire::audience::Audience;
use canonical_html::{Tok, tokens};

/// Elements laid out as blocks by the browser's default style sheet: whitespace beside their
/// tags is at the start or end of a line box and does not render. Written from the HTML
/// rendering section, independently of the minifier's own list.
const BLOCK_LEVEL: &[&str] = &[
    "html",
    "head",
    "body",
    "title",
    "meta",
    "link",
    "script",
    "style",
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "summary",
    "div",
    "dl",
    "dt",
    "dd",
    "fieldset",
    "legend",
    "figure",
    "figcaption",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "caption",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "ul",
    "br",
    "noscript",
    "option",
    "g",
    "path",
    "polygon",
    "circle",
    "rect",
    "defs",
    "desc",
    "use",
];

/// The page as rendered: whitespace runs collapsed, whitespace beside block boundaries dropped
/// (except inside `pre`, `textarea`, `script` and `style`, which keep every character).
fn rendered(html: &str) -> Vec<Tok> {
    let toks = tokens(html);
    let is_block = |t: Option<&Tok>| match t {
        None | Some(Tok::Comment(_) | Tok::Doctype) => true,
        Some(Tok::Start(n, _) | Tok::End(n)) => BLOCK_LEVEL.contains(&n.as_str()),
        Some(Tok::Text(_)) => false,
    };
    let mut raw_depth = 0usize;
    let mut out: Vec<Tok> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Start(n, _) if matches!(n.as_str(), "pre" | "textarea" | "script" | "style") => {
                raw_depth += 1
            }
            Tok::End(n) if matches!(n.as_str(), "pre" | "textarea" | "script" | "style") => {
                raw_depth = raw_depth.saturating_sub(1)
            }
            _ => {}
        }
        let Tok::Text(s) = t else {
            out.push(t.clone());
            continue;
        };
        if raw_depth > 0 {
            out.push(t.clone());
            continue;
        }
        let mut text = s.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
        let starts_with_space = s.starts_with(|c: char| c.is_ascii_whitespace());
        let ends_with_space = s.ends_with(|c: char| c.is_ascii_whitespace());
        if text.is_empty() {
            if is_block(i.checked_sub(1).and_then(|k| toks.get(k))) || is_block(toks.get(i + 1)) {
                continue;
            }
            out.push(Tok::Text(" ".into()));
            continue;
        }
        if starts_with_space && !is_block(i.checked_sub(1).and_then(|k| toks.get(k))) {
            text.insert(0, ' ');
        }
        if ends_with_space && !is_block(toks.get(i + 1)) {
            text.push(' ');
        }
        out.push(Tok::Text(text));
    }
    out
}

fn build(minify: bool, audience: Audience, out: &Path) -> BTreeMap<PathBuf, String> {
    common::build_bundled(audience, minify, out);
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            (
                e.path().strip_prefix(out).unwrap().to_path_buf(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect()
}

fn minify_html(html: &str) -> Vec<u8> {
    let cfg = minify_html::Cfg {
        keep_html_and_head_opening_tags: true,
        keep_closing_tags: false,
        ..minify_html::Cfg::new()
    };
    minify_html::minify(html.as_bytes(), &cfg)
}

#[test]
fn minified_templates_render_every_page_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    for audience in [Audience::Public, Audience::Mediation] {
        let plain = build(false, audience, &tmp.path().join("plain"));
        let small = build(true, audience, &tmp.path().join("small"));
        assert_eq!(
            plain.keys().collect::<Vec<_>>(),
            small.keys().collect::<Vec<_>>()
        );
        let (mut plain_bytes, mut small_bytes, mut reference_bytes) = (0, 0, 0);
        for (path, html) in &plain {
            let minified = &small[path];
            assert_eq!(
                rendered(html),
                rendered(minified),
                "{audience:?} {} renders differently once minified",
                path.display()
            );
            plain_bytes += html.len();
            small_bytes += minified.len();
            reference_bytes += minify_html(html).len();
        }
        eprintln!(
            "{audience:?}: {} pages, {plain_bytes} bytes plain, {small_bytes} with minified \
             templates, {reference_bytes} through minify-html",
            plain.len()
        );
        // The templates are written compactly, so there is little to gain either way; what
        // minify-html removes beyond the layout whitespace (optional closing tags and quotes) is
        // worth a few percent.
        assert!(small_bytes < plain_bytes, "minification removes nothing");
        assert!(
            small_bytes * 100 < reference_bytes * 110,
            "more than 10% larger than minify-html's output"
        );
    }
}

#[test]
fn the_comparison_sees_a_missing_space() {
    // The test above can fail: a space between two links is part of what renders.
    assert_ne!(
        rendered("<p><a>x</a> <a>y</a></p>"),
        rendered("<p><a>x</a><a>y</a></p>")
    );
    assert_eq!(
        rendered("<ul>\n <li>x</li>\n</ul>"),
        rendered("<ul><li>x</li></ul>")
    );
}
