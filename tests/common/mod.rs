//! Helpers shared by the integration tests: a temporary copy of a fixture site, and a way to run
//! the real `annuaire` binary on it and read what it printed.
//!
//! Use it from a test file with `mod common;` then `use common::TestSite;`. Not every test file
//! uses every helper, hence the `dead_code` allowance.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `SOURCE_DATE_EPOCH` for every run: 2025-11-28. Every date rule ("in the future", "expired",
/// "older than 5 years") is relative to it, never to the clock.
pub const EPOCH: &str = "1764320000";

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_annuaire");

/// A fixture site copied into a temporary directory, removed when dropped.
pub struct TestSite {
    dir: tempfile::TempDir,
}

impl TestSite {
    /// A copy of `tests/fixtures/mini` (three communes, a small nomenclature, two valid entries).
    pub fn new() -> TestSite {
        TestSite::from_fixture("mini")
    }

    /// A copy of `tests/fixtures/<name>`.
    pub fn from_fixture(name: &str) -> TestSite {
        let src = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        assert!(src.is_dir(), "no fixture {}", src.display());
        let dir = tempfile::tempdir().expect("create a temporary directory");
        copy_dir(&src, dir.path());
        TestSite { dir }
    }

    /// The site root (the folder holding `content/`).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Absolute path of `rel` inside the site.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    /// Writes `text` to `rel` (relative to the site root), creating folders as needed.
    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    /// Writes raw bytes (binary or invalid UTF-8 files).
    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.join(rel);
        fs::create_dir_all(p.parent().expect("a parent folder")).expect("create folders");
        fs::write(&p, bytes).unwrap_or_else(|e| panic!("write {}: {e}", p.display()));
    }

    pub fn read(&self, rel: &str) -> String {
        let p = self.join(rel);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    }

    /// Removes a file (or a symbolic link) of the site.
    pub fn remove(&self, rel: &str) {
        let p = self.join(rel);
        fs::remove_file(&p).unwrap_or_else(|e| panic!("remove {}: {e}", p.display()));
    }

    /// The binary with the test environment (`SOURCE_DATE_EPOCH`, `NO_COLOR`), run from the site
    /// root, without arguments: for tests that need full control of the command line.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.path())
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs `annuaire <args…>` on this site and waits for it.
    ///
    /// The working directory is the site root, so relative `FILES` arguments
    /// (`content/prestataires/x.md`) name files of this site. When `args` starts with a subcommand
    /// and has no `--root`, `--root <site>` is appended (every subcommand takes it).
    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = self.command();
        cmd.args(args);
        let subcommand = args.first().is_some_and(|a| !a.starts_with('-'));
        if subcommand && !args.contains(&"--root") {
            cmd.arg("--root").arg(self.path());
        }
        cmd.output().expect("run the annuaire binary")
    }

    /// `annuaire check --format json <args…>`: exit status and one JSON value per diagnostic.
    pub fn check_json(&self, args: &[&str]) -> (Output, Vec<serde_json::Value>) {
        let mut all = vec!["check", "--format", "json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        let diags = diagnostics(&out);
        (out, diags)
    }

    /// Runs `git <args…>` in the site root, panicking with git's output when it fails.
    pub fn git(&self, args: &[&str]) -> Output {
        let out = Command::new("git")
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .args([
                "-c",
                "user.name=Test",
                "-c",
                "user.email=test@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Makes the site a git repository with everything committed (for `check --base`).
    pub fn git_init_commit(&self) {
        self.git(&["init", "-q"]);
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", "base"]);
    }
}

impl Default for TestSite {
    fn default() -> Self {
        TestSite::new()
    }
}

/// Copies a folder recursively (regular files and folders only).
pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).expect("create folder");
    for entry in fs::read_dir(src).expect("read fixture folder") {
        let entry = entry.expect("fixture entry");
        let to = dst.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            fs::copy(entry.path(), &to).expect("copy fixture file");
        }
    }
}

/// The hidden folders a build leaves beside its output in `dir` (staging, previous output): none
/// once it has ended, succeeded or not.
pub fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .expect("read folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

/// The diagnostics printed by `check --format json` (one JSON object per stdout line).
pub fn diagnostics(out: &Output) -> Vec<serde_json::Value> {
    stdout(out)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| {
                panic!(
                    "stdout line is not JSON ({e}): {l}\nstderr:\n{}",
                    stderr(out)
                )
            })
        })
        .collect()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The exit code (-1 when killed by a signal).
pub fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// Diagnostics one per line as `rule severity file:line:col message`, for assertion messages.
pub fn describe(diags: &[serde_json::Value]) -> String {
    if diags.is_empty() {
        return "  (no diagnostics)".into();
    }
    diags
        .iter()
        .map(|d| {
            format!(
                "  {} {} {}:{}:{} {} — {}",
                d["rule"].as_str().unwrap_or("?"),
                d["severity"].as_str().unwrap_or("?"),
                d["file"].as_str().unwrap_or("-"),
                d["line"],
                d["column"],
                d["message"].as_str().unwrap_or(""),
                d["help"].as_str().unwrap_or(""),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Builds the bundled directory (the repository's own `content/`) into `out`, in process, for
/// 2025-11-28 (the day [`EPOCH`] names).
pub fn build_bundled(
    audience: annuaire::audience::Audience,
    minify: bool,
    out: &Path,
) -> annuaire::BuildReport {
    let opts = annuaire::BuildOptions {
        site: annuaire::SiteOptions {
            root: Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
            today: annuaire::model::Date::parse("2025-11-28").expect("a date"),
            base_url: None,
        },
        out: out.to_path_buf(),
        audience,
        strict: false,
        minify,
        exiting: false,
    };
    annuaire::build(&opts).expect("the bundled directory builds")
}
