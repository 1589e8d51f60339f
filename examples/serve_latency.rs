//! Latency of `annuaire serve` from saving an entry to the new page being served.
//!
//! `serve_latency BIN ROOT [EDITS]` starts `BIN serve --port 0 --root ROOT`, picks a published
//! entry, then EDITS times (default 10): appends a marker line to the entry's file and polls the
//! entry's page over HTTP (plain `TcpStream`) until the marker shows. The time counts the file
//! watcher, its debounce (30 ms), the incremental rebuild and rendering the page. Prints each
//! latency, their median, and the rebuild times the server itself reports. The entry is restored
//! and the server stopped at the end. Run it with `SOURCE_DATE_EPOCH` set as for the build.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (bin, root, edits) = match args.as_slice() {
        [bin, root] => (bin, root, 10),
        [bin, root, n] => match n.parse() {
            Ok(n) => (bin, root, n),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let mut server = match Server::start(Path::new(bin), Path::new(root)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("serve_latency: {e}");
            return ExitCode::from(2);
        }
    };
    let result = measure(&server, Path::new(root), edits);
    server.stop();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("serve_latency: {e}");
            ExitCode::from(1)
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: serve_latency BIN ROOT [EDITS]");
    ExitCode::from(2)
}

struct Server {
    child: Child,
    addr: String,
    started: Duration,
    /// "reconstruit (…) en X ms" lines from the server's stderr, in ms.
    rebuilds: Arc<Mutex<Vec<f64>>>,
}

impl Server {
    fn start(bin: &Path, root: &Path) -> Result<Server, String> {
        let t = Instant::now();
        let mut child = Command::new(bin)
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let stderr = child.stderr.take().ok_or("no stderr")?;
        let rebuilds = Arc::new(Mutex::new(Vec::new()));
        let sink = rebuilds.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(ms) = line
                    .strip_prefix("reconstruit")
                    .and_then(|rest| rest.split(" en ").nth(1))
                    .and_then(|rest| rest.split(" ms").next())
                    .and_then(|ms| ms.trim().parse::<f64>().ok())
                {
                    sink.lock().unwrap_or_else(|p| p.into_inner()).push(ms);
                }
            }
        });
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) {
                        break url
                            .trim_start_matches("http://")
                            .trim_end_matches('/')
                            .to_string();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let status = child.wait().map_err(|e| e.to_string())?;
                    return Err(format!("serve exited ({status}) before listening"));
                }
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Server {
            child,
            addr,
            started: t.elapsed(),
            rebuilds,
        })
    }

    fn get(&self, path: &str) -> Result<(u16, String), String> {
        let mut s = TcpStream::connect(&self.addr).map_err(|e| e.to_string())?;
        s.set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&buf).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("bad response to {path}"))?;
        Ok((status, text))
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

fn measure(server: &Server, root: &Path, edits: usize) -> Result<(), String> {
    let dir = root.join("content/prestataires");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    // A published entry near the middle.
    let start = files.len() / 2;
    let t = Instant::now();
    let (file, url) = files[start..]
        .iter()
        .chain(&files[..start])
        .find_map(|f| {
            let stem = f.file_stem()?.to_string_lossy().into_owned();
            let url = format!("/prestataires/{stem}/");
            matches!(server.get(&url), Ok((200, _))).then(|| (f.clone(), url))
        })
        .ok_or("no published entry")?;
    let first_page = t.elapsed();
    let original = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
    // Let the watcher settle before the first edit.
    std::thread::sleep(Duration::from_millis(500));
    let mut latencies = Vec::new();
    let mut result = Ok(());
    for k in 0..edits {
        let marker = format!("Marqueur de latence {k}-{}.", std::process::id());
        let t = Instant::now();
        if let Err(e) = std::fs::write(&file, format!("{original}\n{marker}\n")) {
            result = Err(e.to_string());
            break;
        }
        loop {
            match server.get(&url) {
                Ok((200, body)) if body.contains(&marker) => break,
                Ok(_) => {}
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            if t.elapsed() > Duration::from_secs(60) {
                result = Err(format!("edit {k} not served after 60 s"));
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if result.is_err() {
            break;
        }
        let ms = t.elapsed().as_secs_f64() * 1e3;
        println!("edit {k}: {ms:.1} ms");
        latencies.push(ms);
        // Apart from the next edit by more than the watcher's batching window.
        std::thread::sleep(Duration::from_millis(400));
    }
    let _ = std::fs::write(&file, &original);
    result?;
    let mut rebuilds = server
        .rebuilds
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let n = latencies.len();
    let (min, max) = latencies
        .iter()
        .fold((f64::MAX, 0f64), |(a, b), &x| (a.min(x), b.max(x)));
    println!(
        "serve {} ({} entries): started in {:.0} ms, first page {:.0} ms; save→page median {:.1} ms over {n} edits (min {:.1}, max {:.1}); server rebuild median {:.1} ms over {}",
        root.display(),
        files.len(),
        server.started.as_secs_f64() * 1e3,
        first_page.as_secs_f64() * 1e3,
        median(&mut latencies),
        min,
        max,
        median(&mut rebuilds),
        rebuilds.len()
    );
    Ok(())
}
