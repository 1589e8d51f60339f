//! Writes a synthetic site root for benchmarks: `cargo run --release --example gen -- N DIR`.
//!
//! DIR gets `content/` (the repository's site files, pages and charter, plus N generated entries
//! in `content/prestataires/`). The same N always gives the same bytes. Build it with
//! `SOURCE_DATE_EPOCH=1764288000` (2025-11-28), the day the generated dates are valid for.

#[allow(dead_code)]
#[path = "../benches/support/synth.rs"]
mod synth;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (n, dir) = match args.as_slice() {
        [n, dir] => match n.replace('_', "").parse::<usize>() {
            Ok(n) => (n, PathBuf::from(dir)),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let started = Instant::now();
    match synth::generate(n, &dir) {
        Ok(stats) => {
            eprintln!(
                "{} fiches ({} avec une erreur voulue, {} vérifiées), {:.1} Mo, dans {} en {:.2} s",
                stats.entries,
                stats.flawed,
                stats.verified,
                stats.bytes as f64 / 1e6,
                dir.join("content/prestataires").display(),
                started.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("erreur : {e}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage : cargo run --release --example gen -- N DIR");
    ExitCode::from(2)
}
