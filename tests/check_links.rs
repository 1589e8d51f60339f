//! `annuaire check --links` against a local HTTP server on 127.0.0.1 (never the internet): live,
//! dead and hanging addresses, the HEAD → GET fallback, redirects, positions of the diagnostics
//! and a run bounded in time by `--timeout`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{TestSite, code, describe, stderr};

/// A tiny HTTP/1.1 server: `/ok` 200, `/dead` 404, `/gone` 500, `/no-head` 405 on HEAD and 200 on
/// GET, `/moved` 301 → `/ok`, `/hang` never answers. Stops with the test.
struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    hits: Arc<AtomicUsize>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let (s, h) = (stop.clone(), hits.clone());
        thread::spawn(move || {
            let started = Instant::now();
            // Bounded: a test never runs a minute.
            while !s.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(60) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (s, h) = (s.clone(), h.clone());
                        thread::spawn(move || serve(stream, &s, &h));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { port, stop, hits }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(stream: TcpStream, stop: &AtomicBool, hits: &AtomicUsize) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        // Skip the headers.
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                break;
            }
        }
        hits.fetch_add(1, Ordering::Relaxed);
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("");
        let path = parts.next().unwrap_or("");
        let (status, extra) = match (method, path) {
            (_, "/hang") => {
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < Duration::from_secs(30) {
                    thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            (_, "/ok") => ("200 OK", ""),
            (_, "/dead") => ("404 Not Found", ""),
            (_, "/gone") => ("500 Internal Server Error", ""),
            ("HEAD", "/no-head") => ("405 Method Not Allowed", ""),
            ("GET", "/no-head") => ("200 OK", ""),
            (_, "/moved") => ("301 Moved Permanently", "Location: /ok\r\n"),
            _ => ("404 Not Found", ""),
        };
        let body = if method == "HEAD" { "" } else { "ok" };
        let response = format!(
            "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nContent-Type: text/plain\r\n\r\n{body}",
            body.len(),
        );
        if out.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// The mini fixture with its addresses pointing at `server`.
fn site_with_local_urls(server: &Server) -> TestSite {
    let site = TestSite::new();
    site.write(
        "content/prestataires/alpha-graphisme.md",
        &format!(
            r#"---
nom: Alpha Graphisme
forme: independant
siret: "73282932000074"
commune: "99001"
resume: Identité visuelle pour les artisans.
contact:
  site: {dead}
  publics: [site]
competences:
  - id: graphisme/identite-visuelle
    justificatifs:
      - type: reference
        client: Mairie de Villeneuve
        annee: 2024
        url: {ok}
      - type: diplome
        titre: DN MADE graphisme
        annee: 2022
        url: {gone}
charte:
  version: "2025-1"
  signee_le: 2025-02-01
mis_a_jour: 2025-02-01
---
Atelier.
"#,
            dead = server.url("/dead"),
            ok = server.url("/ok"),
            gone = server.url("/gone"),
        ),
    );
    site.write(
        "content/prestataires/beta-web.md",
        &format!(
            r#"---
nom: Bêta Web
forme: entreprise
siret: "44306184100047"
commune: Bourg-d'Amont
resume: Sites vitrines accessibles.
contact:
  site: {no_head}
  reseaux: ["{moved}"]
  publics: [site, reseaux]
competences:
  - id: web/accessibilite
    justificatifs:
      - type: certification
        titre: Certification Opquast
        organisme: Opquast
        annee: 2023
        url: {hang}
charte:
  version: "2025-1"
  signee_le: 2025-01-15
mis_a_jour: 2025-01-20
---
Sites.
"#,
            no_head = server.url("/no-head"),
            moved = server.url("/moved"),
            hang = server.url("/hang"),
        ),
    );
    site
}

fn without_proxies(site: &TestSite, args: &[&str]) -> std::process::Output {
    let mut cmd = site.command();
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(args).arg("--root").arg(site.path());
    cmd.output().unwrap()
}

#[test]
fn dead_addresses_are_warnings_at_their_position_and_the_run_is_bounded() {
    let server = Server::start();
    let site = site_with_local_urls(&server);

    // Without --links, no request at all.
    let (o, diags) = site.check_json(&[]);
    assert_eq!(code(&o), 0, "{}", describe(&diags));
    assert!(diags.is_empty(), "{}", describe(&diags));
    assert_eq!(server.hits.load(Ordering::Relaxed), 0);

    let started = Instant::now();
    let o = without_proxies(
        &site,
        &["check", "--format", "json", "--links", "--timeout", "1"],
    );
    let elapsed = started.elapsed();
    let diags = common::diagnostics(&o);
    assert!(
        elapsed < Duration::from_secs(15),
        "the hanging address must time out: {elapsed:?}"
    );
    assert_eq!(code(&o), 0, "warnings only:\n{}", describe(&diags));
    let got: Vec<(String, String, u64, u64, String)> = diags
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let alpha = "content/prestataires/alpha-graphisme.md".to_string();
    let beta = "content/prestataires/beta-web.md".to_string();
    assert_eq!(
        got,
        vec![
            (
                "contact/site-injoignable".into(),
                alpha.clone(),
                8,
                9,
                "warning".into()
            ),
            (
                "charte/justificatif-injoignable".into(),
                alpha,
                20,
                14,
                "warning".into()
            ),
            (
                "charte/justificatif-injoignable".into(),
                beta,
                18,
                14,
                "warning".into()
            ),
        ],
        "{}",
        describe(&diags)
    );
    let messages: Vec<&str> = diags
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].contains("/dead") && messages[0].contains("HTTP 404"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("/gone") && messages[1].contains("HTTP 500"),
        "{messages:?}"
    );
    assert!(
        messages[2].contains("/hang") && messages[2].contains("pas de réponse en 1 s"),
        "{messages:?}"
    );
    // With --deny-warnings the same run fails.
    let o = without_proxies(
        &site,
        &["check", "--links", "--timeout", "1", "--deny-warnings"],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("charte/justificatif-injoignable"), "{err}");
    assert!(err.contains("alpha-graphisme.md:20:14"), "{err}");
    assert!(
        err.contains("--links : 6 adresse(s) externe(s) vérifiée(s), 3 injoignable(s)."),
        "{err}"
    );
    // Not a terminal: no progress bar drawn.
    assert!(!err.contains("liens vérifiés"), "{err}");
}

#[test]
fn english_messages_and_only_named_files() {
    let server = Server::start();
    let site = site_with_local_urls(&server);
    let o = without_proxies(
        &site,
        &[
            "check",
            "--format",
            "json",
            "--lang",
            "en",
            "--links",
            "--timeout",
            "1",
            "content/prestataires/alpha-graphisme.md",
        ],
    );
    let diags = common::diagnostics(&o);
    assert_eq!(diags.len(), 2, "{}", describe(&diags));
    assert!(
        diags
            .iter()
            .all(|d| d["file"] == "content/prestataires/alpha-graphisme.md")
    );
    assert_eq!(
        diags[0]["message"],
        format!("`{}` does not answer (HTTP 404)", server.url("/dead"))
    );
    assert!(
        diags[1]["help"]
            .as_str()
            .unwrap()
            .contains("replace it or remove this evidence")
    );
    // Only alpha's three addresses were requested (HEAD, and GET after each error status).
    assert!(server.hits.load(Ordering::Relaxed) <= 5);
}

#[test]
fn timeout_must_be_positive() {
    let site = TestSite::new();
    let o = site.run(&["check", "--links", "--timeout", "0"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let o = site.run(&["check", "--timeout", "3"]);
    assert_eq!(code(&o), 2, "--timeout requires --links: {}", stderr(&o));
}
