//! How fast hostile front matter is refused. Run with `cargo bench --bench hostile`.
//!
//! Not a timed test: machines are shared and noisy, so the figures are read here (criterion reports
//! the median and its spread) and, for memory, by `scripts/measure-alias-bomb.sh`. The budget the
//! hostile-input issue set: the 35 KB alias bomb refused in under 100 ms and 50 MB.

use std::hint::black_box;
use std::path::Path;

use annuaire::source::yaml::{self, Limits, YamlError};
use annuaire::source::{decode_text, split_front_matter};
use criterion::{Criterion, criterion_group, criterion_main};

fn corpus(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Front matter of a corpus file, as the entry check parses it.
fn parse_front_matter(text: &str) -> yaml::Document {
    let split = split_front_matter(text).expect("front matter");
    yaml::parse(split.yaml, split.yaml_first_line, Limits::ENTRY)
}

fn refused(doc: &yaml::Document) -> bool {
    doc.root.is_none()
        && matches!(
            doc.errors.last(),
            Some(YamlError::TooLarge { .. } | YamlError::TooDeep { .. })
        )
}

fn hostile(c: &mut Criterion) {
    let mut group = c.benchmark_group("refuse");
    for name in ["alias-bomb-35k.md", "billion-laughs.md", "deep-nesting.md"] {
        let text = corpus(name);
        assert!(refused(&parse_front_matter(&text)), "{name} is not refused");
        group.bench_function(name, |b| b.iter(|| parse_front_matter(black_box(&text))));
    }
    // The whole load stage for the bomb: bytes → text → split → YAML.
    let bytes = corpus("alias-bomb-35k.md").into_bytes();
    group.bench_function("alias-bomb-35k.md (decode+split+parse)", |b| {
        b.iter(|| {
            let text = decode_text(black_box(bytes.clone())).expect("text");
            parse_front_matter(&text)
        })
    });
    group.finish();

    // For scale: a real entry of the demo site.
    let real = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("content/prestataires/atelier-pixel-causse.md"),
    )
    .expect("demo entry");
    c.bench_function("parse/real-entry", |b| {
        b.iter(|| parse_front_matter(black_box(&real)))
    });
}

criterion_group!(benches, hostile);
criterion_main!(benches);
