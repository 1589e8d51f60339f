//! Hostile input through the real binary.
//!
//! Entries come from the public by pull request, so every case of `tests/hostile/` (listed with
//! the diagnostics it must get in `tests/hostile/expected.txt`) is checked and built, alone and
//! all together in one site: each gets exactly its diagnostics, located; nothing panics or hangs
//! (every run has a deadline); the valid entries of the same site are still published, and the
//! rejected ones leave no page behind. Then an entry with a script in every text field is built
//! for both audiences and every output file is searched for anything a browser would run.

mod common;
mod html_check;

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::TestSite;
use html_check::live_markup;

/// Far more than any case needs (a few milliseconds each), so only a real hang trips it.
const DEADLINE: Duration = Duration::from_secs(60);
/// `check::MAX_ENTRY_BYTES`.
const MAX_ENTRY: usize = 256 * 1024;
/// In the files that symlinks point to, outside the site: never to be printed.
const SECRET: &str = "GITHUB_TOKEN=SECRET-OUTSIDE-THE-SITE";
/// The valid entries of the fixture site, which every build must publish.
const FIXTURE_SLUGS: [&str; 2] = ["alpha-graphisme", "beta-web"];

// ------------------------------------------------------------------------------------------------
// The corpus and its expectations

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

#[derive(Debug, Clone, PartialEq)]
enum Place {
    /// A file-level problem: no position.
    File,
    At(u64, u64),
    /// `count` diagnostics on `line`, any column.
    Line {
        line: u64,
        count: usize,
    },
}

#[derive(Debug, Clone)]
struct Expected {
    rule: String,
    place: Place,
}

#[derive(Debug)]
struct Case {
    /// A corpus file name, or `@name` for an input made here.
    name: String,
    /// Path in the site (relative to the root) of the file the diagnostics are about.
    installed: String,
    /// Empty: the case must check clean.
    expected: Vec<Expected>,
}

impl Case {
    /// Published when it has no error, i.e. only warnings are expected.
    fn published(&self) -> bool {
        self.expected.iter().all(|e| warning_rule(&e.rule))
    }

    fn slug(&self) -> Option<&str> {
        let name = self.installed.strip_prefix("content/prestataires/")?;
        name.strip_suffix(".md")
    }
}

fn warning_rule(rule: &str) -> bool {
    matches!(
        rule,
        "schema/balisage" | "description/html" | "description/lien-refuse"
    )
}

fn cases() -> Vec<Case> {
    let manifest = fs::read_to_string(corpus_dir().join("expected.txt")).expect("expected.txt");
    let mut cases: Vec<Case> = Vec::new();
    for (n, line) in manifest.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split(" | ").map(str::trim).collect();
        let [name, installed, rule, place] = cols[..] else {
            panic!("expected.txt:{}: four columns expected: {line}", n + 1);
        };
        let installed = match installed {
            "-" => format!("content/prestataires/{name}"),
            path => unescape(path),
        };
        let expected = (rule != "-").then(|| Expected {
            rule: rule.to_string(),
            place: parse_place(place)
                .unwrap_or_else(|| panic!("expected.txt:{}: bad place `{place}`", n + 1)),
        });
        match cases
            .iter_mut()
            .find(|c| c.name == name && c.installed == installed)
        {
            Some(case) => case.expected.extend(expected),
            None => cases.push(Case {
                name: name.to_string(),
                installed,
                expected: expected.into_iter().collect(),
            }),
        }
    }
    // Every corpus file is a case, and every case file exists.
    let listed: BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for entry in fs::read_dir(corpus_dir()).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != "README.md" {
            assert!(
                listed.contains(name.as_str()),
                "{name} is not in expected.txt"
            );
        }
    }
    for c in &cases {
        assert!(
            c.name.starts_with('@') || corpus_dir().join(&c.name).is_file(),
            "no corpus file {}",
            c.name
        );
    }
    cases
}

fn parse_place(s: &str) -> Option<Place> {
    if s == "fichier" {
        return Some(Place::File);
    }
    let (line, rest) = s.split_once(':')?;
    let line = line.parse().ok()?;
    if let Some(count) = rest.strip_prefix("* ×") {
        return Some(Place::Line {
            line,
            count: count.parse().ok()?,
        });
    }
    Some(Place::At(line, rest.parse().ok()?))
}

/// `cre\u{301}a.md` → the file name with U+0301.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\u{") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').expect("closing brace") + i;
        let code = u32::from_str_radix(&rest[i + 3..end], 16).expect("hex code point");
        out.push(char::from_u32(code).expect("a character"));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

// ------------------------------------------------------------------------------------------------
// Making the inputs

/// A valid entry of the fixture site (an association: no SIRET to keep unique).
fn valid_entry(name: &str) -> String {
    format!(
        "---\nnom: {name}\nforme: association\ncommune: \"99001\"\nresume: Une association de test.\n\
         contact:\n  site: https://hostile.example\n  publics: [site]\n\
         competences:\n  - id: graphisme/identite-visuelle\n    justificatifs:\n\
         \x20     - type: portfolio\n        titre: Portfolio\n        url: https://hostile.example/portfolio\n\
         charte:\n  version: \"2025-1\"\n  signee_le: 2025-02-01\n---\n"
    )
}

/// A valid entry whose description pads the file to exactly `size` bytes.
fn padded_entry(name: &str, size: usize) -> Vec<u8> {
    let mut text = valid_entry(name).into_bytes();
    let line =
        b"Un paragraphe de remplissage, sans rien de particulier, pour grossir le fichier.\n";
    while text.len() + line.len() <= size {
        text.extend_from_slice(line);
    }
    text.resize(size, b'x');
    text
}

/// Puts `case` in `site`. Temporary folders outside the site (symlink targets) are pushed to `keep`.
fn install(site: &TestSite, case: &Case, keep: &mut Vec<tempfile::TempDir>) {
    let target = site.join(&case.installed);
    match case.name.as_str() {
        "@over-limit" => {
            site.write_bytes(&case.installed, &padded_entry("Trop gros", MAX_ENTRY + 1))
        }
        "@at-limit" => site.write_bytes(&case.installed, &padded_entry("À la limite", MAX_ENTRY)),
        "@huge-50mb" => {
            let mut file = std::io::BufWriter::new(fs::File::create(&target).unwrap());
            file.write_all(valid_entry("Énorme").as_bytes()).unwrap();
            let chunk = "Cinquante mégaoctets de texte. ".repeat(2048);
            let mut written = 0;
            while written < 50 << 20 {
                file.write_all(chunk.as_bytes()).unwrap();
                written += chunk.len();
            }
            file.flush().unwrap();
        }
        "@symlink-outside" => {
            let outside = tempfile::tempdir().unwrap();
            let entry = outside.path().join("entree.md");
            let text =
                valid_entry("Venue d'ailleurs").replacen("---\n", &format!("---\n# {SECRET}\n"), 1);
            fs::write(&entry, text).unwrap();
            symlink(&entry, &target);
            keep.push(outside);
        }
        "@symlinked-folder" => {
            let outside = tempfile::tempdir().unwrap();
            fs::write(
                outside.path().join("secret.md"),
                format!("{SECRET}\n---\ntitre: Secret\n---\nUn fichier hors de content/.\n"),
            )
            .unwrap();
            let pages = site.join("content/pages");
            if pages.exists() {
                fs::remove_dir_all(&pages).unwrap();
            }
            symlink(outside.path(), &pages);
            keep.push(outside);
        }
        "@symlinked-charter" => {
            let outside = tempfile::tempdir().unwrap();
            let secret = outside.path().join("credentials");
            fs::write(&secret, format!("{SECRET}\n")).unwrap();
            fs::remove_file(&target).unwrap();
            symlink(&secret, &target);
            keep.push(outside);
            // Without a charter page, the free page's link to it would be broken, and a broken
            // internal link fails the build (the output link check); this case is about the
            // symbolic link only.
            let about = site.join("content/pages/a-propos.md");
            if let Ok(text) = fs::read_to_string(&about) {
                fs::write(&about, text.replace("[charte](/charte/)", "charte")).unwrap();
            }
        }
        name if name.starts_with('@') => panic!("no generator for {name}"),
        name => {
            let bytes = fs::read(corpus_dir().join(name)).unwrap();
            site.write_bytes(&case.installed, &bytes);
        }
    }
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

// ------------------------------------------------------------------------------------------------
// Running the binary with a deadline

/// Runs `cmd` to completion, or kills it and fails after [`DEADLINE`].
fn run(mut cmd: Command, what: &str) -> Output {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn annuaire");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for annuaire") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// Nothing read through a symlink leaving the site is ever printed.
fn no_secret(out: &Output, what: &str) -> Result<(), String> {
    let secret = SECRET.as_bytes();
    if [&out.stdout, &out.stderr]
        .iter()
        .any(|o| o.windows(secret.len()).any(|w| w == secret))
    {
        return Err(format!(
            "{what}: printed the content of a file outside the site"
        ));
    }
    Ok(())
}

fn no_panic(out: &Output, what: &str) -> Result<(), String> {
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("panicked") || out.status.code().is_none() {
        return Err(format!("{what}: crashed ({:?}):\n{err}", out.status));
    }
    Ok(())
}

/// One diagnostic as `check --format json` prints it.
#[derive(Debug, Clone)]
struct Diag {
    rule: String,
    severity: String,
    file: String,
    line: Option<u64>,
    col: Option<u64>,
}

impl std::fmt::Display for Diag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.col) {
            (Some(l), Some(c)) => write!(f, "{} {} at {l}:{c}", self.rule, self.severity),
            _ => write!(f, "{} {} (file)", self.rule, self.severity),
        }
    }
}

fn check_json(site: &TestSite, what: &str) -> Result<(Output, Vec<Diag>), String> {
    let mut cmd = site.command();
    cmd.args(["check", "--format", "json", "--root"])
        .arg(site.path());
    let out = run(cmd, what);
    no_panic(&out, what)?;
    no_secret(&out, what)?;
    let mut diags = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{what}: stdout line is not JSON ({e}): {line}"))?;
        let text = |k: &str| v[k].as_str().map(str::to_string);
        let (Some(rule), Some(severity), Some(file)) =
            (text("rule"), text("severity"), text("file"))
        else {
            return Err(format!(
                "{what}: diagnostic without rule, severity or file: {line}"
            ));
        };
        if !matches!(severity.as_str(), "error" | "warning") || !rule.contains('/') {
            return Err(format!("{what}: odd diagnostic: {line}"));
        }
        diags.push(Diag {
            rule,
            severity,
            file,
            line: v["line"].as_u64(),
            col: v["column"].as_u64(),
        });
    }
    let errors = diags.iter().any(|d| d.severity == "error");
    let code = out.status.code();
    if code != Some(u8::from(errors).into()) {
        return Err(format!("{what}: exit code {code:?} with errors = {errors}"));
    }
    Ok((out, diags))
}

/// Rules that compare files with each other: they only apply when the other file is there too,
/// i.e. in the run with every case.
fn cross_file(rule: &str) -> bool {
    matches!(
        rule,
        "fichier/slug-en-double" | "identite/nom-en-double" | "identite/siret-en-double"
    )
}

/// The diagnostics of `case` are exactly the expected ones (`alone`: without cross-file rules).
fn compare(case: &Case, diags: &[Diag], alone: bool) -> Result<(), String> {
    let mut actual: Vec<&Diag> = diags.iter().filter(|d| d.file == case.installed).collect();
    let all = actual.clone();
    let mut missing = Vec::new();
    for e in case
        .expected
        .iter()
        .filter(|e| !(alone && cross_file(&e.rule)))
    {
        let mut take = |pred: &dyn Fn(&Diag) -> bool| match actual.iter().position(|d| pred(d)) {
            Some(i) => {
                actual.remove(i);
                true
            }
            None => false,
        };
        let found = match e.place {
            Place::File => take(&|d| d.rule == e.rule && d.line.is_none()),
            Place::At(l, c) => take(&|d| d.rule == e.rule && d.line == Some(l) && d.col == Some(c)),
            Place::Line { line, count } => {
                (0..count).all(|_| take(&|d| d.rule == e.rule && d.line == Some(line)))
            }
        };
        if !found {
            missing.push(format!("{} at {:?}", e.rule, e.place));
        }
    }
    if missing.is_empty() && actual.is_empty() {
        return Ok(());
    }
    let list = |ds: &[&Diag]| {
        ds.iter()
            .map(|d| format!("\n      {d}"))
            .collect::<String>()
    };
    Err(format!(
        "{} ({}): missing {missing:?}; unexpected:{}\n    all:{}",
        case.name,
        case.installed,
        list(&actual),
        list(&all)
    ))
}

/// Builds `site` into a fresh folder and returns it with the slugs of the published entries.
fn build(
    site: &TestSite,
    audience: &str,
    what: &str,
) -> Result<(tempfile::TempDir, BTreeSet<String>), String> {
    let out_parent = tempfile::tempdir().unwrap();
    let out = out_parent.path().join("public");
    let mut cmd = site.command();
    cmd.args(["build", "--audience", audience, "--root"])
        .arg(site.path())
        .arg("--out")
        .arg(&out);
    let o = run(cmd, what);
    no_panic(&o, what)?;
    no_secret(&o, what)?;
    if !o.status.success() {
        return Err(format!(
            "{what}: build failed:\n{}",
            String::from_utf8_lossy(&o.stderr)
        ));
    }
    // The site is swapped in whole: nothing left beside it.
    let beside: Vec<String> = fs::read_dir(out_parent.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    if beside != ["public"] {
        return Err(format!("{what}: left beside the output: {beside:?}"));
    }
    let mut published = BTreeSet::new();
    for entry in fs::read_dir(out.join("prestataires")).map_err(|e| format!("{what}: {e}"))? {
        let entry = entry.unwrap();
        if entry.path().join("index.html").is_file() && entry.file_name() != "page" {
            published.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    Ok((out_parent, published))
}

fn expected_published<'a>(cases: impl IntoIterator<Item = &'a Case>) -> BTreeSet<String> {
    let mut slugs: BTreeSet<String> = FIXTURE_SLUGS.iter().map(|s| s.to_string()).collect();
    for c in cases {
        if c.published() {
            slugs.insert(c.slug().expect("a published case is an entry").to_string());
        }
    }
    slugs
}

// ------------------------------------------------------------------------------------------------
// The corpus, case by case and all together

#[test]
fn each_hostile_input_alone_gets_its_diagnostics_and_spares_the_others() {
    let mut failures = Vec::new();
    for case in cases() {
        let site = TestSite::new();
        let mut keep = Vec::new();
        install(&site, &case, &mut keep);
        let what = format!("case {}", case.name);
        let result = check_json(&site, &what)
            .and_then(|(_, diags)| {
                compare(&case, &diags, true)?;
                let others: Vec<String> = diags
                    .iter()
                    .filter(|d| d.file != case.installed)
                    .map(|d| format!("{}: {d}", d.file))
                    .collect();
                if others.is_empty() {
                    Ok(())
                } else {
                    Err(format!("{what}: other files got diagnostics: {others:?}"))
                }
            })
            .and_then(|()| {
                let (_out, published) = build(&site, "public", &what)?;
                let wanted = expected_published([&case]);
                if published == wanted {
                    Ok(())
                } else {
                    Err(format!(
                        "{what}: published {published:?}, expected {wanted:?}"
                    ))
                }
            });
        if let Err(e) = result {
            failures.push(e);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn all_hostile_inputs_in_one_site() {
    let cases = cases();
    let site = TestSite::new();
    let mut keep = Vec::new();
    for case in &cases {
        install(&site, case, &mut keep);
    }
    let (_, diags) = check_json(&site, "all cases").unwrap_or_else(|e| panic!("{e}"));
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| compare(c, &diags, false).err())
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
    let known: BTreeSet<&str> = cases.iter().map(|c| c.installed.as_str()).collect();
    for d in &diags {
        assert!(
            known.contains(d.file.as_str()),
            "diagnostic for {}: {d}",
            d.file
        );
    }

    // What people read: bounded, and no control character from a hostile file reaches the terminal.
    let mut cmd = site.command();
    cmd.args(["check", "--root"]).arg(site.path());
    let human = run(cmd, "human check");
    no_panic(&human, "human check").unwrap();
    no_secret(&human, "human check").unwrap();
    let text = String::from_utf8(human.stderr).expect("UTF-8 diagnostics");
    assert!(text.len() < 1 << 20, "{} bytes of diagnostics", text.len());
    let bad = text
        .chars()
        .find(|&c| (c.is_control() && c != '\n') || ('\u{202a}'..='\u{202e}').contains(&c));
    assert_eq!(bad, None, "control character in the human report");

    for audience in ["public", "mediation"] {
        let (_out, published) = build(&site, audience, &format!("build --audience {audience}"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(published, expected_published(&cases), "{audience}");
    }
}

// ------------------------------------------------------------------------------------------------
// Output safety: whatever is published is escaped

const PAYLOAD: &str = r#"<script>alert("x")</script>"#;

/// A marker per field, to prove the field was published (and so was escaped, not dropped).
fn marked(field: &str) -> String {
    format!("{PAYLOAD} zqx-{field}")
}

fn scripted_entry() -> String {
    let m = marked;
    format!(
        "---\n\
         nom: {nom}\n\
         forme: association\n\
         commune: \"99001\"\n\
         resume: {resume} <img src=x onerror=alert(1)>\n\
         contact:\n\
         \x20 site: https://scripted.example/\n\
         \x20 courriel: contact@scripted.example\n\
         \x20 telephone: \"04 66 00 00 09\"\n\
         \x20 adresse: {adresse}\n\
         \x20 publics: [site, courriel, telephone, adresse]\n\
         competences:\n\
         \x20 - id: graphisme/identite-visuelle\n\
         \x20   justificatifs:\n\
         \x20     - type: portfolio\n\
         \x20       titre: {portfolio}\n\
         \x20       url: https://scripted.example/portfolio\n\
         \x20     - type: reference\n\
         \x20       client: {client}\n\
         \x20       titre: {reference}\n\
         \x20       annee: 2024\n\
         \x20     - type: reference\n\
         \x20       client: {prive}\n\
         \x20       annee: 2024\n\
         \x20       prive: true\n\
         \x20   verification:\n\
         \x20     statut: verifiee\n\
         \x20     par: {par}\n\
         \x20     le: 2025-03-12\n\
         \x20     note: {note}\n\
         \x20 - id: web/site-vitrine\n\
         \x20   justificatifs:\n\
         \x20     - type: diplome\n\
         \x20       titre: {diplome}\n\
         \x20       etablissement: {etablissement}\n\
         \x20       annee: 2015\n\
         \x20     - type: certification\n\
         \x20       titre: {certification}\n\
         \x20       organisme: {organisme}\n\
         \x20       annee: 2023\n\
         charte:\n\
         \x20 version: \"2025-1\"\n\
         \x20 signee_le: 2025-02-01\n\
         ---\n\
         # {titre_corps}\n\n\
         {PAYLOAD} zqx-corps <img src=x onerror=alert(1)> <svg onload=alert(1)>\n\n\
         <iframe src=\"javascript:alert(1)\"></iframe>\n\n\
         [clic](javascript:alert(1)) [clac](JaVaScRiPt:alert(1)) [data](data:text/html,<script>alert(1)</script>)\n\
         [vb](vbscript:msgbox(1)) <javascript:alert(1)> ![img](data:image/png;base64,AAAA)\n\
         <a href=\"javascript:alert(1)\" onclick=\"alert(1)\">lien brut</a>\n\n\
         [titre](https://ok.example/ \"\\\" onmouseover=alert(1) x=\\\"\")\n\n\
         [ref][r]\n\n[r]: javascript:alert(1)\n",
        nom = m("nom"),
        resume = m("resume"),
        adresse = m("adresse"),
        portfolio = m("portfolio"),
        client = m("client"),
        reference = m("reference"),
        prive = m("prive"),
        par = "CCI Test",
        note = m("note"),
        diplome = m("diplome"),
        etablissement = m("etablissement"),
        certification = m("certification"),
        organisme = m("organisme"),
        titre_corps = m("titre-corps"),
    )
}

/// Fields that only mediators see.
const PRIVATE_FIELDS: [&str; 2] = ["prive", "note"];
/// Fields every audience sees.
const PUBLIC_FIELDS: [&str; 4] = ["nom", "resume", "corps", "titre-corps"];
const ALL_FIELDS: [&str; 13] = [
    "nom",
    "resume",
    "adresse",
    "portfolio",
    "client",
    "reference",
    "prive",
    "note",
    "diplome",
    "etablissement",
    "certification",
    "organisme",
    "titre-corps",
];

#[test]
fn published_output_never_carries_a_live_script() {
    let site = TestSite::new();
    site.write("content/prestataires/scripted.md", &scripted_entry());
    // The entry is published: only warnings (markup shown as text, refused links).
    let (_, diags) = check_json(&site, "scripted entry").unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == "error")
        .map(|d| format!("{}: {d}", d.file))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    for audience in ["public", "mediation"] {
        let (out, published) = build(&site, audience, audience).unwrap_or_else(|e| panic!("{e}"));
        assert!(published.contains("scripted"), "{audience}: {published:?}");
        let (files, problems, text_of_site) = scan_site(&out.path().join("public"), audience);
        assert!(files > 10, "{audience}: only {files} files");
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));

        // Each field was published (escaped), so the search above did look at it.
        let shown: &[&str] = if audience == "mediation" {
            &ALL_FIELDS
        } else {
            &PUBLIC_FIELDS
        };
        for field in shown {
            assert!(
                text_of_site.contains(&format!("zqx-{field}")),
                "{audience}: field {field} is not in the output"
            );
        }
        if audience == "public" {
            for field in PRIVATE_FIELDS {
                assert!(
                    !text_of_site.contains(&format!("zqx-{field}")),
                    "public: private field {field} is published"
                );
            }
        }
    }
}

/// Every file of a built site: how many, what a browser would run in them, and their text.
fn scan_site(root: &Path, label: &str) -> (usize, Vec<String>, String) {
    let mut text_of_site = String::new();
    let mut problems = Vec::new();
    let mut files = 0;
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        files += 1;
        let rel = entry
            .path()
            .strip_prefix(root)
            .unwrap()
            .display()
            .to_string();
        let Ok(text) = fs::read_to_string(entry.path()) else {
            continue; // images, fonts
        };
        let html = matches!(
            entry.path().extension().and_then(|e| e.to_str()),
            Some("html" | "htm")
        );
        let csv = entry.path().extension().and_then(|e| e.to_str()) == Some("csv");
        let found = if html {
            live_markup(&text)
        } else if csv {
            // The CSV export holds values as entered (RFC 4180 has no escaping), served as
            // text/csv with nosniff; its text still counts for the private-field checks below.
            Vec::new()
        } else {
            raw_markup(&text)
        };
        problems.extend(found.into_iter().map(|p| format!("{label} {rel}: {p}")));
        text_of_site.push_str(&text);
    }
    (files, problems, text_of_site)
}

#[test]
fn the_output_check_catches_a_theme_that_forgets_to_escape() {
    let site = TestSite::new();
    site.write("content/prestataires/scripted.md", &scripted_entry());
    let theme = site.join("themes/default");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &theme,
    );
    let template = theme.join("templates/provider.html");
    let text = fs::read_to_string(&template).unwrap();
    assert!(
        text.contains("{{ provider.name }}"),
        "provider.html changed: update this test"
    );
    fs::write(
        &template,
        text.replace("{{ provider.name }}", "{{ provider.name | safe }}"),
    )
    .unwrap();
    let (out, _) = build(&site, "public", "unescaping theme").unwrap_or_else(|e| panic!("{e}"));
    let (_, problems, _) = scan_site(&out.path().join("public"), "public");
    assert!(
        problems
            .iter()
            .any(|p| p.contains("prestataires/scripted/index.html") && p.contains("script runs")),
        "{problems:#?}"
    );
}

/// In a non-HTML file (JSON search index, XML feed or sitemap, JS, CSS), markup must be escaped
/// (`\u003c`, `&lt;`): such text ends up in `innerHTML` or in a page some day.
fn raw_markup(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut found: Vec<String> = ["<script", "<img src=x", "<iframe", "<svg onload"]
        .iter()
        .filter(|needle| lower.contains(*needle))
        .map(|needle| format!("unescaped `{needle}`"))
        .collect();
    // A `javascript:` address: a value that starts with it (JSON string, XML text or attribute).
    // Prose quoting one (a check warning in the mediators' export) is not an address.
    for start in [
        "\"javascript:",
        ">javascript:",
        "='javascript:",
        "=javascript:",
    ] {
        if lower.contains(start) {
            found.push(format!("`{start}` address"));
        }
    }
    found
}

#[test]
fn the_html_checker_sees_live_scripts_and_ignores_escaped_ones() {
    assert!(
        live_markup("<title><script>alert(1)</script></title><p>&lt;script>alert(1)</p>")
            .is_empty()
    );
    assert!(
        live_markup(
            "<meta content='<script>alert(1)</script>'><a href=/x title=\"javascript:\">a</a>"
        )
        .is_empty()
    );
    assert_eq!(live_markup("<p><script>alert(1)</script>").len(), 1);
    assert_eq!(
        live_markup("<script type=text/javascript>alert(1)</script>").len(),
        1
    );
    // JSON-LD is data, never run (and its `<` are escaped anyway).
    assert!(
        live_markup(r#"<script type=application/ld+json>{"n":"alert(1)"}</script>"#).is_empty()
    );
    assert_eq!(live_markup("<img src=x onerror=alert(1)>").len(), 1);
    assert_eq!(
        live_markup("<a href=\" JaVa\tScript:alert(1)\">a</a>").len(),
        1
    );
    assert_eq!(live_markup("<iframe src=/x></iframe>").len(), 1);
    assert_eq!(raw_markup(r#"{"nom":"\u003cscript>"}"#).len(), 0);
    assert_eq!(raw_markup(r#"{"nom":"<script>alert(\"x\")"}"#).len(), 1);
    assert_eq!(raw_markup(r#"{"url":"javascript:alert(1)"}"#).len(), 1);
    assert_eq!(raw_markup("<loc>JavaScript:alert(1)</loc>").len(), 1);
    assert!(raw_markup(r#"{"w":["lien « javascript:alert(1) » refusé"]}"#).is_empty());
}
