//! The HTTP side of `serve`: pages from the current snapshot, the live-reload channel, the
//! error overlay. Nothing here is ever written to disk.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::watch;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::WatchStream;

use crate::check::diagnostic::{Diagnostic, Lang};
use crate::serve::state::{Served, Snapshot};

/// Shared between the watcher (writer) and requests (readers).
#[derive(Clone)]
pub struct Shared {
    pub snapshot: Arc<RwLock<Arc<Snapshot>>>,
    pub versions: watch::Receiver<u64>,
}

impl Shared {
    fn current(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

pub fn router(shared: Shared) -> Router {
    Router::new()
        .route("/__annuaire/events", axum::routing::get(events))
        .route(
            "/__annuaire/livereload.js",
            axum::routing::get(livereload_js),
        )
        .fallback(axum::routing::get(page))
        .with_state(shared)
}

const LIVERELOAD_JS: &str = r#"(function () {
  var v = document.currentScript && document.currentScript.dataset.version;
  function connect() {
    var es = new EventSource("/__annuaire/events");
    es.onmessage = function (e) { if (e.data !== v) { location.reload(); } };
    es.onerror = function () { es.close(); setTimeout(connect, 1000); };
  }
  connect();
})();
"#;

async fn livereload_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        LIVERELOAD_JS,
    )
}

/// Sends the current version on connect and each new one; a page reloads when it differs from
/// the version it was rendered at.
async fn events(
    State(shared): State<Shared>,
) -> Sse<impl tokio_stream::Stream<Item = Result<Event, Infallible>>> {
    let stream =
        WatchStream::new(shared.versions.clone()).map(|v| Ok(Event::default().data(v.to_string())));
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

async fn page(State(shared): State<Shared>, uri: Uri) -> Response {
    let snapshot = shared.current();
    let Some(path) = output_path(uri.path(), &snapshot.content.view.site.root) else {
        return (StatusCode::BAD_REQUEST, "chemin invalide").into_response();
    };
    // Rendering takes a millisecond or so; keep it off the async workers anyway.
    let snap = snapshot.clone();
    let served = tokio::task::spawn_blocking(move || snap.content.get(&path)).await;
    let served = match served {
        Ok(s) => s,
        Err(e) => Served::Failed(e.to_string()),
    };
    match served {
        Served::Asset(bytes) => {
            let ct = content_type(uri.path());
            bytes_response(StatusCode::OK, ct, bytes.to_vec())
        }
        Served::Page(bytes) => html_response(StatusCode::OK, &bytes, &snapshot),
        Served::NotFound(bytes) => html_response(StatusCode::NOT_FOUND, &bytes, &snapshot),
        Served::Redirect(to) => {
            let location = format!(
                "{}/{}",
                snapshot.content.view.site.root,
                to.trim_start_matches('/')
            );
            let mut r = StatusCode::MOVED_PERMANENTLY.into_response();
            if let Ok(v) = HeaderValue::from_str(&location) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        Served::Failed(message) => {
            let body = format!(
                "<!doctype html><html lang=fr><meta charset=utf-8><title>Erreur de rendu</title><body><h1>Erreur de rendu</h1><pre>{}</pre>",
                crate::text::escape_html(&message)
            );
            html_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                body.as_bytes(),
                &snapshot,
            )
        }
    }
}

/// `/prestataires/x/` → `prestataires/x/index.html`; refuses `..` and other escapes.
fn output_path(url_path: &str, root: &str) -> Option<String> {
    let decoded = percent_decode(url_path)?;
    let rel = decoded
        .strip_prefix(root)
        .unwrap_or(&decoded)
        .trim_start_matches('/');
    if rel
        .split('/')
        .any(|seg| seg == ".." || seg == "." || seg.contains('\\'))
        || rel.contains('\0')
    {
        return None;
    }
    Some(if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_string()
    })
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "geojson" => "application/geo+json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "webmanifest" => "application/manifest+json",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn bytes_response(status: StatusCode, ct: &'static str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// Adds the live-reload script and, when the latest edit has errors, the overlay.
fn html_response(status: StatusCode, html: &[u8], snapshot: &Snapshot) -> Response {
    let html = String::from_utf8_lossy(html);
    let mut inject = format!(
        "<script src=\"/__annuaire/livereload.js\" data-version=\"{}\" defer></script>",
        snapshot.version
    );
    inject.push_str(snapshot.overlay());
    let body = match html.rfind("</body>") {
        Some(i) => format!("{}{inject}{}", &html[..i], &html[i..]),
        None => format!("{html}{inject}"),
    };
    bytes_response(status, "text/html; charset=utf-8", body.into_bytes())
}

/// The problems of the latest edit, over the page, readable and dismissable without JavaScript
/// frameworks. Inline styles are fine here: this never reaches a built site.
pub fn overlay(problems: &[Diagnostic]) -> String {
    let mut items = String::new();
    for d in problems.iter().take(50) {
        let place = match (&d.file, d.span) {
            (Some(f), Some(s)) => format!("{}:{}:{}", f.display(), s.start.line, s.start.col),
            (Some(f), None) => f.display().to_string(),
            _ => String::new(),
        };
        items.push_str(&format!(
            "<li style=\"margin:.6rem 0\"><code>{}</code> <strong>[{}]</strong> {}<br><span>aide : {}</span></li>",
            crate::text::escape_html(&place),
            crate::text::escape_html(d.rule()),
            crate::text::escape_html(&d.message(Lang::Fr)),
            crate::text::escape_html(&d.help(Lang::Fr))
        ));
    }
    format!(
        "<div id=\"annuaire-overlay\" role=\"alert\" style=\"position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;\
         background:#fff4f4;color:#1b1b1b;border-top:4px solid #b00020;padding:1rem 1.5rem;z-index:2147483647;\
         font:15px/1.5 system-ui,sans-serif;box-shadow:0 -4px 16px rgba(0,0,0,.25)\">\
         <p style=\"margin:0 0 .5rem;font-weight:700\">annuaire serve : {} problème(s) — la dernière version correcte reste affichée.</p>\
         <ul style=\"margin:0;padding-left:1.2rem\">{items}</ul>\
         <button type=\"button\" onclick=\"this.parentNode.remove()\" style=\"margin-top:.5rem\">Masquer</button></div>",
        problems.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_output_files() {
        assert_eq!(output_path("/", "").as_deref(), Some("index.html"));
        assert_eq!(
            output_path("/prestataires/x/", "").as_deref(),
            Some("prestataires/x/index.html")
        );
        assert_eq!(
            output_path("/sous/prestataires/", "/sous").as_deref(),
            Some("prestataires/index.html")
        );
        assert_eq!(
            output_path("/static/style.a.css", "").as_deref(),
            Some("static/style.a.css")
        );
        assert_eq!(output_path("/%2e%2e/etc/passwd", ""), None);
        assert_eq!(output_path("/a/../b", ""), None);
    }
}
