//! Every page of the built bundled site is valid HTML5, according to the Nu HTML Checker (the W3C
//! validator, npm `vnu-jar`, run with Java). Skipped with a message when the tools are absent,
//! except under `CI=true`, where a skip is a failure.

use std::path::{Path, PathBuf};
use std::process::Command;

fn vnu_jar() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("VNU_JAR").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/vnu-jar/build/dist/vnu.jar")),
    ];
    let jar = candidates.into_iter().flatten().find(|p| p.is_file())?;
    Command::new("java")
        .arg("-version")
        .output()
        .ok()?
        .status
        .success()
        .then_some(jar)
}

fn build(root: &Path, out: &Path, audience: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_annuaire"))
        .args(["build", "--audience", audience, "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "1764320000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn built_pages_are_valid_html5() {
    let Some(jar) = vnu_jar() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "vnu.jar or java missing under CI: run `npm ci` and install a JRE"
        );
        eprintln!(
            "SKIPPED: vnu.jar or java not found (run `npm ci`, install default-jre-headless)"
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let outs = [
        (
            repo.to_path_buf(),
            tmp.path().join("bundled-public"),
            "public",
        ),
        (
            repo.to_path_buf(),
            tmp.path().join("bundled-mediation"),
            "mediation",
        ),
        (
            repo.join("tests/fixtures/mini"),
            tmp.path().join("mini"),
            "public",
        ),
    ];
    for (root, out, audience) in &outs {
        build(root, out, audience);
    }
    let o = Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html"])
        .args(outs.iter().map(|o| &o.1))
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && report.trim().is_empty(),
        "the Nu HTML Checker found errors:\n{report}"
    );
}
