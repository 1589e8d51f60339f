//! Property tests of the stages that read contributor input: whatever the bytes, loading and
//! checking an entry never panics, YAML positions point into the text, the alias budget holds, and
//! rendered Markdown never carries anything a browser would run.
//!
//! The coverage-guided fuzz targets in `fuzz/` explore the same functions for longer.

mod html_check;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use annuaire::check::entry::check_entry;
use annuaire::check::{Context, entry::MAX_DIAGNOSTICS};
use annuaire::render::markdown;
use annuaire::source::yaml::{self, Kind, Limits, Node, Pos};
use annuaire::source::{SourceFile, decode_text, split_front_matter};
use annuaire::{Loaded, SiteOptions, model::Date};
use proptest::prelude::*;

/// The fixture site, loaded once: entries are checked against its nomenclature and communes.
fn site() -> &'static Loaded {
    static SITE: OnceLock<Loaded> = OnceLock::new();
    SITE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        annuaire::load(&SiteOptions {
            root,
            today: Date::new(2025, 11, 28).unwrap(),
            base_url: None,
        })
        .expect("the fixture site loads")
    })
}

/// Every stage an entry goes through before rendering, as `check_entries` runs them.
fn load_and_check(bytes: Vec<u8>) {
    let Ok(text) = decode_text(bytes) else {
        return;
    };
    assert!(!text.contains('\r') && !text.starts_with('\u{feff}'));
    if let Ok(split) = split_front_matter(&text) {
        let doc = yaml::parse(split.yaml, split.yaml_first_line, Limits::ENTRY);
        if let Some(root) = &doc.root {
            assert!(count(root) <= Limits::ENTRY.max_nodes + 1);
        }
    }
    let d = &site().directory;
    let ctx = Context {
        config: &d.config,
        nomenclature: &d.nomenclature,
        communes: &d.communes,
        today: d.today,
    };
    let file = SourceFile {
        path: PathBuf::from("content/prestataires/x.md"),
        text,
    };
    let checked = check_entry(&file, "x", &ctx);
    assert!(checked.diagnostics.len() <= MAX_DIAGNOSTICS + 1);
    for diag in &checked.diagnostics {
        if let Some(span) = diag.span {
            assert_within(&file.text, span.start);
        }
        let _ = diag.message(annuaire::check::diagnostic::Lang::Fr);
    }
}

fn count(node: &Node) -> usize {
    1 + match &node.kind {
        Kind::Scalar(_) => 0,
        Kind::Seq(items) => items.iter().map(count).sum(),
        Kind::Map(entries) => entries.iter().map(|e| 1 + count(&e.value)).sum(),
    }
}

/// `pos` is a line of `text` and at most one column past its end.
fn assert_within(text: &str, pos: Pos) {
    let lines: Vec<&str> = text.split('\n').collect();
    assert!(
        pos.line >= 1 && (pos.line as usize) <= lines.len(),
        "line {} of {}",
        pos.line,
        lines.len()
    );
    let len = lines[pos.line as usize - 1].chars().count();
    assert!(
        pos.col >= 1 && pos.col as usize <= len + 1,
        "{pos:?}: line has {len} characters"
    );
}

fn positions(node: &Node, out: &mut Vec<Pos>) {
    out.push(node.span.start);
    out.push(node.span.end);
    match &node.kind {
        Kind::Scalar(_) => {}
        Kind::Seq(items) => items.iter().for_each(|n| positions(n, out)),
        Kind::Map(entries) => {
            for e in entries {
                out.push(e.key_span.start);
                out.push(e.key_span.end);
                positions(&e.value, out);
            }
        }
    }
}

/// Text made mostly of what YAML and Markdown give meaning to, so the parsers go past the first
/// character more often than with uniform random strings.
fn yamlish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just("- ".to_string()),
        Just(": ".to_string()),
        Just("---\n".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("? ".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just(", ".to_string()),
        Just("|\n".to_string()),
        Just(">-\n".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("!!str ".to_string()),
        Just("\t".to_string()),
        Just("#".to_string()),
        Just("\u{feff}".to_string()),
        Just("\r\n".to_string()),
        Just("nom".to_string()),
        Just("competences".to_string()),
        Just("justificatifs".to_string()),
        Just("type: portfolio".to_string()),
        Just("id: graphisme/identite-visuelle".to_string()),
        Just("2025-02-30".to_string()),
        Just("99999999999999999999".to_string()),
        Just("<script>".to_string()),
        Just("javascript:".to_string()),
        Just("\u{202e}".to_string()),
        "[a-zé0-9 ]{1,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

fn entryish() -> impl Strategy<Value = String> {
    (yamlish(), yamlish()).prop_map(|(fm, body)| format!("---\n{fm}\n---\n{body}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn any_bytes_load_and_check_without_panicking(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        load_and_check(bytes);
    }

    #[test]
    fn any_string_loads_and_checks_without_panicking(text in any::<String>()) {
        load_and_check(text.into_bytes());
    }

    #[test]
    fn yaml_like_entries_load_and_check_without_panicking(text in entryish()) {
        load_and_check(text.into_bytes());
    }

    #[test]
    fn yaml_positions_are_within_the_text(text in prop_oneof![yamlish(), any::<String>()]) {
        // As the entry check sees it: normalised text, front matter from line 2.
        let Ok(text) = decode_text(text.into_bytes()) else { return Ok(()); };
        let doc = yaml::parse(&text, 1, Limits::ENTRY);
        let mut all = Vec::new();
        if let Some(root) = &doc.root {
            positions(root, &mut all);
        }
        all.extend(doc.errors.iter().map(|e| e.pos()));
        for pos in all {
            assert_within(&text, pos);
        }
        // Offset by the `---` line, positions are file positions.
        let file = format!("---\n{text}\n---\n");
        let split = split_front_matter(&file).unwrap();
        let doc = yaml::parse(split.yaml, split.yaml_first_line, Limits::ENTRY);
        for e in &doc.errors {
            assert_within(&file, e.pos());
        }
    }

    #[test]
    fn rendered_markdown_never_runs_anything(md in prop_oneof![markdownish(), any::<String>()]) {
        let html = markdown::render(&md, "/annuaire", "annuaire.example", 2);
        prop_assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        let live = html_check::live_markup(&html);
        prop_assert!(live.is_empty(), "{live:?}\n{html}");
        // The audit flags what rendering drops, and never panics either.
        let _ = markdown::audit(&md);
        let _ = markdown::plain_text(&md);
    }
}

/// Markdown with the constructs that carry URLs and raw HTML.
fn markdownish() -> impl Strategy<Value = String> {
    let scheme = prop_oneof![
        Just("javascript:"),
        Just("JaVaScRiPt:"),
        Just(" javascript:"),
        Just("java\tscript:"),
        Just("java&#x73;cript:"),
        Just("&#106;avascript:"),
        Just("data:"),
        Just("vbscript:"),
        Just("https://"),
        Just("http://"),
        Just("mailto:"),
        Just("tel:"),
        Just("//"),
        Just("/"),
        Just(""),
    ];
    let target =
        (scheme, "[a-z0-9./()\"'<> =:&#;%-]{0,16}").prop_map(|(s, rest)| format!("{s}{rest}"));
    let piece = prop_oneof![
        target.clone().prop_map(|t| format!("[lien]({t})")),
        target.clone().prop_map(|t| format!("![img]({t})")),
        target.clone().prop_map(|t| format!("<{t}>")),
        target
            .clone()
            .prop_map(|t| format!("[ref]\n\n[ref]: {t}\n")),
        target
            .clone()
            .prop_map(|t| format!("[t]({t} \"titre\\\" onmouseover=alert(1)\")")),
        target.prop_map(|t| format!("<a href=\"{t}\" onclick=alert(1)>a</a>")),
        Just("<script>alert(1)</script>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("<svg onload=alert(1)>".to_string()),
        Just("<iframe src=javascript:alert(1)>".to_string()),
        Just("<!-- x -->".to_string()),
        Just("`code`".to_string()),
        Just("```\n<script>\n```\n".to_string()),
        Just("# ".to_string()),
        Just("| a | b |\n|---|---|\n| c | d |\n".to_string()),
        Just("\n\n".to_string()),
        Just("*".to_string()),
        Just("[".to_string()),
        Just("](".to_string()),
        Just(")".to_string()),
        "[a-z ]{1,8}",
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}
