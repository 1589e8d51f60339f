//! `annuaire serve`: build into memory, serve over HTTP, watch the content and the theme, rebuild
//! incrementally, reload open pages, and show problems over the last good state. Nothing is written
//! to `public/`.

pub mod http;
pub mod state;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use notify::{Event, EventKind, RecursiveMode, Watcher};
use tokio::sync::watch;

use crate::audience::Audience;
use crate::{Error, SiteOptions};
use state::{Live, Update};

#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub site: SiteOptions,
    pub audience: Audience,
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
    /// Poll the file system instead of relying on its events (WSL, Docker volumes, network shares).
    pub poll: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("{0}")]
    Site(#[from] Error),
    #[error("impossible d'écouter sur {addr} : {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("surveillance des fichiers impossible : {0}")]
    Watch(#[from] notify::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Quiet time that ends a burst of file events (an editor's save-rename-delete dance).
const DEBOUNCE: Duration = Duration::from_millis(30);
/// A burst never delays a rebuild longer than this.
const MAX_BATCH: Duration = Duration::from_millis(300);

/// Runs until Ctrl-C. `on_ready` receives the URL once the server listens.
pub fn run(opts: ServeOptions, on_ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let live = Live::open(opts.site.clone(), opts.audience)?;
    let first = live.snapshot();
    let (versions_tx, versions_rx) = watch::channel(first.version);
    let snapshot = Arc::new(RwLock::new(first));
    let shared = http::Shared {
        snapshot: snapshot.clone(),
        versions: versions_rx,
    };

    // The watcher lives on its own thread; it owns `Live` and publishes snapshots.
    let (events_tx, events_rx) = mpsc::channel::<Vec<PathBuf>>();
    let handler = move |res: notify::Result<Event>| {
        if let Ok(event) = res
            && !matches!(event.kind, EventKind::Access(_))
        {
            let _ = events_tx.send(event.paths);
        }
    };
    let mut watcher: Box<dyn Watcher + Send> = if opts.poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(300));
        Box::new(notify::PollWatcher::new(handler, config)?)
    } else {
        Box::new(notify::recommended_watcher(handler)?)
    };
    for dir in live.watched() {
        watcher.watch(&dir, RecursiveMode::Recursive)?;
    }
    std::thread::spawn(move || rebuild_loop(live, events_rx, snapshot, versions_tx));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(opts.bind, opts.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind { addr, source })?;
        let local = listener.local_addr()?;
        let host = if local.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            local.ip().to_string()
        };
        let url = format!("http://{host}:{}/", local.port());
        // The handler is installed before the URL is announced, so an interrupt sent as soon as
        // the URL shows (by a person or a test) always stops the server cleanly.
        let interrupted = interrupt_signal()?;
        on_ready(&url);
        if opts.open {
            open_browser(&url);
        }
        axum::serve(listener, http::router(shared))
            .with_graceful_shutdown(interrupted)
            .await?;
        drop(watcher);
        Ok(())
    })
}

/// A future that completes on Ctrl-C (SIGINT) or SIGTERM, registered when this is called.
#[cfg(unix)]
fn interrupt_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut int = signal(SignalKind::interrupt())?;
    let mut term = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn interrupt_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

fn rebuild_loop(
    mut live: Live,
    events: mpsc::Receiver<Vec<PathBuf>>,
    snapshot: Arc<RwLock<Arc<state::Snapshot>>>,
    versions: watch::Sender<u64>,
) {
    while let Ok(mut batch) = events.recv() {
        let started = Instant::now();
        loop {
            match events.recv_timeout(DEBOUNCE) {
                Ok(more) => batch.extend(more),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
            if started.elapsed() > MAX_BATCH {
                break;
            }
        }
        batch.sort();
        batch.dedup();
        let t = Instant::now();
        let update = live.apply(&batch);
        let snap = live.snapshot();
        let took = t.elapsed();
        let previous = std::mem::replace(
            &mut *snapshot.write().unwrap_or_else(|p| p.into_inner()),
            snap.clone(),
        );
        let _ = versions.send(snap.version);
        // Freeing the previous version (its view, routes and pages) takes milliseconds on a big
        // directory: not on the way to the next page, nor under the lock readers wait on.
        // Should no thread be available, the closure, and the version with it, drops right here.
        let _ = std::thread::Builder::new()
            .name("annuaire-free".into())
            .spawn(move || drop(previous));
        let what = match update {
            Update::Entries { changed: 0 } => continue,
            Update::Entries { changed } => format!("{changed} fiche(s)"),
            Update::Full => "tout le site".to_string(),
            Update::KeptPrevious => "échec, version précédente conservée".to_string(),
        };
        eprintln!(
            "reconstruit ({what}) en {:.1} ms — version {}{}",
            took.as_secs_f64() * 1000.0,
            snap.version,
            if snap.problems.is_empty() {
                String::new()
            } else {
                format!(", {} problème(s)", snap.problems.len())
            }
        );
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        ("open", vec![url.to_string()])
    } else if cfg!(windows) {
        ("cmd", vec!["/C".into(), "start".into(), url.to_string()])
    } else {
        ("xdg-open", vec![url.to_string()])
    };
    let _ = std::process::Command::new(cmd.0).args(cmd.1).spawn();
}
