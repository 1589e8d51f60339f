//! (a) One provider file from the public: bytes → text → front matter → YAML → entry check →
//! diagnostics in every output format. Must never panic, hang or blow memory (libFuzzer's
//! -timeout and -rss_limit_mb), and every position it reports must be in the file.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use annuaire::check::Context;
use annuaire::check::diagnostic::Lang;
use annuaire::check::entry::{MAX_DIAGNOSTICS, check_entry};
use annuaire::check::report::{self, Format};
use annuaire::source::yaml::{self, Limits, Pos};
use annuaire::source::{SourceFile, decode_text, split_front_matter};
use annuaire::{Loaded, SiteOptions, model::Date};
use codespan_reporting::term::termcolor::NoColor;
use libfuzzer_sys::fuzz_target;

/// The bundled site (real nomenclature and communes), loaded once.
fn site() -> &'static Loaded {
    static SITE: OnceLock<Loaded> = OnceLock::new();
    SITE.get_or_init(|| {
        annuaire::load(&SiteOptions {
            root: Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
            today: Date::new(2025, 11, 28).unwrap(),
            base_url: None,
        })
        .expect("the bundled site loads")
    })
}

fn assert_within(text: &str, pos: Pos) {
    let line = text.split('\n').nth(pos.line as usize - 1);
    let len = line.map(|l| l.chars().count());
    assert!(
        pos.col >= 1 && len.is_some_and(|len| pos.col as usize <= len + 1),
        "{pos:?} outside the text"
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode_text(data.to_vec()) else {
        return;
    };
    if let Ok(split) = split_front_matter(&text) {
        let doc = yaml::parse(split.yaml, split.yaml_first_line, Limits::ENTRY);
        for e in &doc.errors {
            assert_within(&text, e.pos());
        }
    }
    let d = &site().directory;
    let ctx = Context {
        config: &d.config,
        nomenclature: &d.nomenclature,
        communes: &d.communes,
        today: d.today,
    };
    let path = PathBuf::from("content/prestataires/fuzz.md");
    let file = SourceFile {
        path: path.clone(),
        text,
    };
    let checked = check_entry(&file, "fuzz", &ctx);
    assert!(checked.diagnostics.len() <= MAX_DIAGNOSTICS + 1);
    for diag in &checked.diagnostics {
        if let Some(span) = diag.span {
            assert_within(&file.text, span.start);
        }
    }
    let sources = [(path, file.text)].into_iter().collect();
    for format in [Format::Human, Format::Json, Format::Github] {
        let mut out = NoColor::new(Vec::new());
        report::render(&mut out, &checked.diagnostics, &sources, format, Lang::Fr).unwrap();
        let out = out.into_inner();
        // Bounded whatever the input: no line of the file quoted once per problem.
        assert!(out.len() < 256 * 1024, "{} bytes of diagnostics", out.len());
        assert!(
            !out.iter().any(|&b| b == 0x1b || b == b'\r'),
            "control character in the report"
        );
    }
});
