//! `annuaire serve` end to end: the real binary on a free port, a temporary site edited while it
//! runs, every change observed over HTTP (polling with a deadline, never a fixed sleep).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        Server::start_full(extra, |_| {})
    }

    fn start_with(prepare: impl FnOnce(&Path)) -> Server {
        Server::start_full(&[], prepare)
    }

    fn start_full(extra: &[&str], prepare: impl FnOnce(&Path)) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
        for e in walkdir::WalkDir::new(&from) {
            let e = e.unwrap();
            let to = dir.path().join(e.path().strip_prefix(&from).unwrap());
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&to).unwrap();
            } else {
                std::fs::copy(e.path(), &to).unwrap();
            }
        }
        prepare(dir.path());
        let mut child = Command::new(env!("CARGO_BIN_EXE_annuaire"))
            .args(["serve", "--port", "0", "--root"])
            .arg(dir.path())
            .args(extra)
            .env("SOURCE_DATE_EPOCH", "1764320000")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("the URL is printed")
            .to_string();
        let root = dir.path().to_path_buf();
        Server {
            child,
            base,
            _dir: dir,
            root,
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        http_get(&format!("{}{}", self.base, path.trim_start_matches('/')))
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        // Written then renamed, as editors do: the server must never see half a file as final.
        let path = self.root.join(rel);
        let tmp = path.with_extension("md.tmp~");
        std::fs::write(&tmp, bytes).unwrap();
        std::fs::rename(&tmp, &path).unwrap();
    }

    /// Polls `path` until `pred` holds, for at most 15 s.
    fn wait_for(&self, path: &str, what: &str, pred: impl Fn(u16, &str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let (status, body) = self.get(path);
            if pred(status, &body) {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} on {path}: last status {status}\n{body}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET (the test needs no client library).
fn http_get(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |x| x.1.to_string());
    (status, body)
}

const GAMMA: &str = "---\nnom: Gamma Conseil\nforme: association\ncommune: \"99003\"\nresume: Conseil numérique au Pré.\n\
competences:\n  - id: formation/bureautique\n    justificatifs:\n      - type: reference\n        client: Mairie du Pré\n\
charte:\n  version: \"2025-1\"\n  signee_le: 2025-05-01\n---\nAteliers.\n";

#[test]
fn serves_and_follows_edits_additions_errors_fixes_and_deletions() {
    let server = Server::start(&[]);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("Annuaire de test"));
    assert!(
        home.contains("/__annuaire/livereload.js"),
        "live reload injected in serve mode"
    );
    assert_eq!(server.get("/prestataires/alpha-graphisme/").0, 200);
    assert_eq!(server.get("/nulle-part/").0, 404);

    // Edit.
    let beta =
        std::fs::read_to_string(server.root.join("content/prestataires/beta-web.md")).unwrap();
    server.write(
        "content/prestataires/beta-web.md",
        beta.replace("Sites vitrines accessibles.", "Sites vitrines sobres.")
            .as_bytes(),
    );
    server.wait_for("/prestataires/beta-web/", "the edited summary", |s, b| {
        s == 200 && b.contains("Sites vitrines sobres.")
    });

    // Add.
    server.write("content/prestataires/gamma-conseil.md", GAMMA.as_bytes());
    server.wait_for("/prestataires/gamma-conseil/", "the new entry", |s, b| {
        s == 200 && b.contains("Gamma Conseil")
    });
    server.wait_for("/communes/le-pre/", "the commune listing", |_, b| {
        b.contains("Gamma Conseil")
    });

    // Break: overlay with file, line, rule and help; the last good page is still served.
    server.write(
        "content/prestataires/gamma-conseil.md",
        GAMMA
            .replace("forme: association", "forme: [association")
            .as_bytes(),
    );
    let page = server.wait_for("/prestataires/gamma-conseil/", "the overlay", |_, b| {
        b.contains("annuaire-overlay")
    });
    assert!(
        page.contains("content/prestataires/gamma-conseil.md:"),
        "{page}"
    );
    assert!(
        page.contains("yaml/syntaxe") && page.contains("aide :"),
        "{page}"
    );
    assert!(page.contains("Gamma Conseil"), "last good state kept");

    // Fix: the overlay goes.
    server.write("content/prestataires/gamma-conseil.md", GAMMA.as_bytes());
    server.wait_for(
        "/prestataires/gamma-conseil/",
        "the overlay to go",
        |s, b| s == 200 && !b.contains("annuaire-overlay"),
    );

    // Invalid UTF-8 is a problem, not a crash.
    server.write(
        "content/prestataires/gamma-conseil.md",
        b"---\nnom: \xff\xfe\n---\n",
    );
    server.wait_for("/", "the UTF-8 problem", |_, b| b.contains("fichier/utf8"));

    // Delete.
    std::fs::remove_file(server.root.join("content/prestataires/gamma-conseil.md")).unwrap();
    server.wait_for("/prestataires/gamma-conseil/", "a 404", |s, b| {
        s == 404 && !b.contains("annuaire-overlay")
    });

    assert!(
        !server.root.join("public").exists(),
        "serve never writes public/"
    );
}

#[test]
fn a_template_change_rebuilds_everything() {
    // A site with its own copy of the theme, created before serve starts so it is watched.
    let server = Server::start_with(|root| {
        for (rel, bytes) in annuaire::render::theme::EMBEDDED {
            let p = root.join("themes/default").join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    });
    let base = server.root.join("themes/default/templates/base.html");
    let text = std::fs::read_to_string(&base)
        .unwrap()
        .replace("<main id=", "<p>MARQUEUR-GABARIT</p><main id=");
    std::fs::write(&base, text).unwrap();
    server.wait_for(
        "/prestataires/alpha-graphisme/",
        "the template change",
        |_, b| b.contains("MARQUEUR-GABARIT"),
    );
    // A template error keeps the previous site, with the overlay.
    std::fs::write(&base, "{% block content %}").unwrap();
    let page = server.wait_for("/", "the overlay", |_, b| b.contains("annuaire-overlay"));
    assert!(page.contains("MARQUEUR-GABARIT"), "{page}");
}

#[test]
fn a_broken_site_file_keeps_the_site_and_shows_the_overlay() {
    let server = Server::start(&[]);
    let site = std::fs::read_to_string(server.root.join("content/site.yaml")).unwrap();
    std::fs::write(server.root.join("content/site.yaml"), "titre: [\n").unwrap();
    let home = server.wait_for("/", "the overlay", |_, b| b.contains("annuaire-overlay"));
    assert!(home.contains("content/site.yaml"), "{home}");
    assert!(home.contains("Annuaire de test"), "previous state kept");
    std::fs::write(
        server.root.join("content/site.yaml"),
        site.replace("Annuaire de test", "Annuaire réparé"),
    )
    .unwrap();
    server.wait_for("/", "the fix", |_, b| {
        b.contains("Annuaire réparé") && !b.contains("annuaire-overlay")
    });
}

#[test]
fn polling_watcher_sees_changes() {
    let server = Server::start(&["--poll"]);
    server.write("content/prestataires/gamma-conseil.md", GAMMA.as_bytes());
    server.wait_for("/prestataires/gamma-conseil/", "the new entry", |s, _| {
        s == 200
    });
}

#[test]
fn live_reload_channel_announces_versions() {
    let server = Server::start(&[]);
    let host = server
        .base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut stream = TcpStream::connect(&host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    write!(
        stream,
        "GET /__annuaire/events HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let mut versions = Vec::new();
    let mut line = String::new();
    let mut edited = false;
    while versions.len() < 2 {
        line.clear();
        assert!(reader.read_line(&mut line).unwrap() > 0, "stream closed");
        if let Some(v) = line.trim().strip_prefix("data:") {
            versions.push(v.trim().parse::<u64>().unwrap());
            if !edited {
                server.write("content/prestataires/gamma-conseil.md", GAMMA.as_bytes());
                edited = true;
            }
        }
    }
    assert!(versions[1] > versions[0], "{versions:?}");
}

#[cfg(unix)]
#[test]
fn stops_cleanly_on_ctrl_c() {
    let mut server = Server::start(&[]);
    let status = Command::new("kill")
        .args(["-INT", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn serves_the_open_data_files_the_build_writes() {
    let server = Server::start(&[]);
    let (status, json) = server.get("/donnees/prestataires.json");
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["prestataires"].as_array().unwrap().len(), 2);
    for path in [
        "/donnees/",
        "/donnees/prestataires.csv",
        "/donnees/communes.json",
        "/donnees/nomenclature.schema.json",
        "/sitemap.xml",
        "/robots.txt",
        "/flux.xml",
        "/site.webmanifest",
    ] {
        assert_eq!(server.get(path).0, 200, "{path}");
    }
    assert_eq!(server.get("/donnees/absent.json").0, 404);
}
