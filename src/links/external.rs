//! `annuaire check --links`: are the external addresses of the entries still answering?
//!
//! Evidence URLs (portfolio, reference, diploma, certification `url`) and contact `site` and
//! `reseaux` are read from the entries' front matter trees, which keep the position of every value,
//! so a dead address is reported at its line and column. Each distinct URL is requested once, by
//! a bounded pool of threads; each request is a HEAD, then a GET when the server refuses HEAD
//! (any 4xx/5xx status), following redirects, within a per-request timeout. A timeout, a DNS
//! failure or a refused connection is not retried with GET.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::check::diagnostic::{Diagnostic, Problem};
use crate::source::yaml::{Kind, Node, Span};

/// Where an address is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlKind {
    /// `competences[].justificatifs[].url`.
    Evidence,
    /// `contact.site` or `contact.reseaux[]`.
    Contact,
}

/// One use of an external address in an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRef {
    pub file: PathBuf,
    pub span: Span,
    pub url: String,
    pub kind: UrlKind,
}

fn http_url(n: &Node) -> Option<&str> {
    match &n.kind {
        Kind::Scalar(s) => {
            let t = s.text.trim();
            let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
            (lower.starts_with("https://") || lower.starts_with("http://")).then_some(t)
        }
        _ => None,
    }
}

fn items(n: Option<&Node>) -> &[Node] {
    match n.map(|n| &n.kind) {
        Some(Kind::Seq(items)) => items,
        _ => &[],
    }
}

/// The external addresses of the entries, in file then position order. With `only`, only those
/// of these files.
pub fn collect(front_matters: &HashMap<PathBuf, Node>, only: Option<&[PathBuf]>) -> Vec<UrlRef> {
    let mut out = Vec::new();
    for (file, fm) in front_matters {
        if only.is_some_and(|o| !o.contains(file)) {
            continue;
        }
        let mut push = |n: &Node, kind| {
            if let Some(url) = http_url(n) {
                out.push(UrlRef {
                    file: file.clone(),
                    span: n.span,
                    url: url.to_string(),
                    kind,
                });
            }
        };
        for claim in items(fm.get("competences")) {
            for e in items(claim.get("justificatifs")) {
                if let Some(u) = e.get("url") {
                    push(u, UrlKind::Evidence);
                }
            }
        }
        if let Some(contact) = fm.get("contact") {
            if let Some(site) = contact.get("site") {
                push(site, UrlKind::Contact);
            }
            for r in items(contact.get("reseaux")) {
                push(r, UrlKind::Contact);
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.span.start).cmp(&(&b.file, b.span.start)));
    out
}

/// How to check.
#[derive(Debug, Clone)]
pub struct Options {
    /// Per request (HEAD, then GET), redirects included.
    pub timeout: Duration,
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Show a progress bar on stderr (only drawn when stderr is a terminal).
    pub progress: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            concurrency: 8,
            progress: true,
        }
    }
}

/// What an address answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Alive,
    /// Why it is considered dead, in French.
    Dead(String),
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(10)
        .user_agent(concat!(
            "annuaire-check-links/",
            env!("CARGO_PKG_VERSION"),
            " (+verification des liens de l'annuaire)"
        ))
        .build()
        .into()
}

/// Why a request failed, in French, and whether the server is unreachable (then a GET after the
/// HEAD would fail the same way, after as long a wait).
fn describe(e: &ureq::Error, timeout: Duration) -> (String, bool) {
    let no_answer = || format!("pas de réponse en {} s", timeout.as_secs_f32());
    match e {
        ureq::Error::Timeout(_) => (no_answer(), true),
        ureq::Error::HostNotFound => ("nom de domaine introuvable".into(), true),
        ureq::Error::ConnectionFailed => ("connexion impossible".into(), true),
        ureq::Error::BadUri(_) => ("adresse invalide".into(), true),
        ureq::Error::TooManyRedirects => ("trop de redirections".into(), false),
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => (no_answer(), true),
            std::io::ErrorKind::ConnectionRefused => ("connexion refusée".into(), true),
            _ if io.to_string().contains("lookup address") => {
                ("nom de domaine introuvable".into(), true)
            }
            _ => (io.to_string(), false),
        },
        other => (other.to_string(), false),
    }
}

/// Requests `url`: HEAD, then GET if HEAD got an error status or a protocol error (some servers
/// refuse or mishandle HEAD). An unreachable server is not asked twice: the run stays bounded.
pub fn probe(agent: &ureq::Agent, url: &str, timeout: Duration) -> Outcome {
    let head_failure = match agent.head(url).call() {
        Ok(r) if r.status().as_u16() < 400 => return Outcome::Alive,
        Ok(r) => format!("HTTP {}", r.status().as_u16()),
        Err(e) => match describe(&e, timeout) {
            (why, true) => return Outcome::Dead(why),
            (why, false) => why,
        },
    };
    match agent.get(url).call() {
        Ok(r) if r.status().as_u16() < 400 => Outcome::Alive,
        Ok(r) => Outcome::Dead(format!("HTTP {}", r.status().as_u16())),
        Err(e) => {
            let (why, _) = describe(&e, timeout);
            Outcome::Dead(if why == head_failure {
                why
            } else {
                format!("{why} ; {head_failure} en HEAD")
            })
        }
    }
}

/// Checks every distinct URL of `refs` and returns a warning for each use of a dead one.
pub fn check(refs: &[UrlRef], opts: &Options) -> Vec<Diagnostic> {
    let mut distinct: Vec<&str> = refs.iter().map(|r| r.url.as_str()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let bar = if opts.progress && std::io::stderr().is_terminal() && !distinct.is_empty() {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(distinct.len() as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} liens vérifiés {pos}/{len} {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let agent = agent(opts.timeout);
    let next = AtomicUsize::new(0);
    let results: Mutex<BTreeMap<&str, Outcome>> = Mutex::new(BTreeMap::new());
    let workers = opts.concurrency.clamp(1, 64).min(distinct.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&url) = distinct.get(i) else { break };
                    let outcome = probe(&agent, url, opts.timeout);
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .insert(url, outcome);
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    refs.iter()
        .filter_map(|r| match results.get(r.url.as_str()) {
            Some(Outcome::Dead(reason)) => {
                let problem = match r.kind {
                    UrlKind::Evidence => Problem::EvidenceUnreachable {
                        url: r.url.clone(),
                        reason: reason.clone(),
                    },
                    UrlKind::Contact => Problem::ContactSiteUnreachable {
                        url: r.url.clone(),
                        reason: reason.clone(),
                    },
                };
                Some(Diagnostic::new(problem, Some(r.file.clone()), Some(r.span)))
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml::{Limits, parse};

    #[test]
    fn collects_evidence_and_contact_urls_with_positions() {
        let text = "nom: X\ncontact:\n  site: https://x.example\n  reseaux: [\"https://r.example/x\", mailto:a]\ncompetences:\n  - id: a/b\n    justificatifs:\n      - type: portfolio\n        url: https://p.example/\n      - type: diplome\n        titre: T\n";
        let doc = parse(text, 1, Limits::ENTRY);
        let mut fms = HashMap::new();
        fms.insert(
            PathBuf::from("content/prestataires/x.md"),
            doc.root.unwrap(),
        );
        let refs = collect(&fms, None);
        let got: Vec<(&str, u32, u32, UrlKind)> = refs
            .iter()
            .map(|r| (r.url.as_str(), r.span.start.line, r.span.start.col, r.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                ("https://x.example", 3, 9, UrlKind::Contact),
                ("https://r.example/x", 4, 13, UrlKind::Contact),
                ("https://p.example/", 9, 14, UrlKind::Evidence),
            ]
        );
        assert!(collect(&fms, Some(&[PathBuf::from("other.md")])).is_empty());
    }
}
