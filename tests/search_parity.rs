//! The browser pipeline (themes/default/static/annuaire-pipeline.js, run with Node) gives exactly
//! the tokens of the Rust pipeline that built the index, on a shared list of tricky words. Skipped
//! without Node, except under `CI=true`.

use std::path::Path;
use std::process::Command;

use annuaire::search::pipeline;

#[test]
fn rust_and_javascript_pipelines_give_identical_tokens() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let words = std::fs::read_to_string(repo.join("tests/search/tricky-words.txt")).unwrap();
    let lines: Vec<&str> = words.lines().collect();
    let rust: Vec<Vec<String>> = lines.iter().map(|l| pipeline::analyze(l)).collect();

    let script = r#"
        const p = require(process.argv[1]);
        const lines = require("fs").readFileSync(process.argv[2], "utf8").split("\n");
        if (lines[lines.length - 1] === "") lines.pop();
        process.stdout.write(JSON.stringify(lines.map(l => p.analyze(l))));
    "#;
    let out = match Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(repo.join("themes/default/static/annuaire-pipeline.js"))
        .arg(repo.join("tests/search/tricky-words.txt"))
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "node is required under CI: {e}"
            );
            eprintln!("SKIPPED: node not found ({e})");
            return;
        }
    };
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let js: Vec<Vec<String>> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(js.len(), rust.len());
    let mismatches: Vec<String> = lines
        .iter()
        .zip(rust.iter().zip(&js))
        .filter(|(_, (r, j))| r != j)
        .map(|(l, (r, j))| format!("{l:?}: rust {r:?} / js {j:?}"))
        .collect();
    assert!(
        mismatches.is_empty(),
        "pipelines differ:\n{}",
        mismatches.join("\n")
    );
    // The list exercises what the pipeline promises.
    assert_eq!(
        pipeline::analyze("L'entreprise"),
        pipeline::analyze("entreprise")
    );
    assert_eq!(
        pipeline::analyze("l’entreprise"),
        pipeline::analyze("entreprise")
    );
    assert_eq!(
        pipeline::analyze("developpeur"),
        pipeline::analyze("développeur")
    );
    assert_eq!(pipeline::analyze("48000"), vec!["48000".to_string()]);
}
