//! Write: a staging directory beside the output, swapped in only when everything succeeded, so a
//! failed build never leaves a half-written site and the previous one stays in place.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error("{action} {path}: {source}")]
pub struct OutputError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

fn err<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> OutputError + 'a {
    move |source| OutputError {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// A build being written. Dropping it without [`Staging::commit`] removes it.
pub struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates `.<name>.staging-<pid>` next to `target` (same file system, so the swap is a rename).
    pub fn new(target: &Path) -> Result<Staging, OutputError> {
        let target = absolute(target);
        let parent = target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        fs::create_dir_all(&parent).map_err(err("création de", &parent))?;
        let name = target
            .file_name()
            .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(err("suppression de", &dir))?;
        }
        fs::create_dir_all(&dir).map_err(err("création de", &dir))?;
        Ok(Staging {
            dir,
            target,
            committed: false,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file (path relative to the site root, `/`-separated). Safe from several threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(err("création de", parent))?;
        }
        fs::write(&path, bytes).map_err(err("écriture de", &path))
    }

    /// Replaces the target with the staged site.
    pub fn commit(mut self) -> Result<PathBuf, OutputError> {
        let old = self.target.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .map_or_else(|| "public".into(), |n| n.to_string_lossy().into_owned()),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            if old.exists() {
                fs::remove_dir_all(&old).map_err(err("suppression de", &old))?;
            }
            fs::rename(&self.target, &old).map_err(err("déplacement de", &self.target))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            // Put the previous site back before reporting.
            if had_old {
                let _ = fs::rename(&old, &self.target);
            }
            return Err(OutputError {
                action: "remplacement de",
                path: self.target.clone(),
                source: e,
            });
        }
        self.committed = true;
        if had_old {
            fs::remove_dir_all(&old).map_err(err("suppression de", &old))?;
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

/// JSON safe to embed anywhere: `<`, `>` and `&` (and the JavaScript line separators) are written
/// as `\u` escapes, so a `</script>` or an HTML tag in contributor text can never close or open
/// markup, whether the file is fetched, inlined or sniffed. These characters only ever occur inside
/// JSON strings, so the replacement keeps the document equal.
pub fn safe_json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into());
    if json.as_bytes().iter().any(needs_escape) {
        escape_json_markup(&json).into_bytes()
    } else {
        json.into_bytes()
    }
}

/// Whether a byte may start something [`escape_json_markup`] rewrites (most JSON holds none, so
/// one byte scan spares the copy). U+2028 and U+2029 both start with the byte E2.
fn needs_escape(b: &u8) -> bool {
    matches!(b, b'<' | b'>' | b'&' | 0xE2)
}

/// The escaping of [`safe_json`], for JSON text already written (pretty-printed, say).
pub fn escape_json_markup(json: &str) -> String {
    let Some(first) = json.as_bytes().iter().position(needs_escape) else {
        return json.to_string();
    };
    let mut out = String::with_capacity(json.len() + 16);
    out.push_str(&json[..first]);
    for c in json[first..].chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            _ => out.push(c),
        }
    }
    out
}

/// A short, stable content hash for fingerprinted asset names (FNV-1a, 64 bits).
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:010x}", h & 0xff_ffff_ffff)
}

/// `style.css` → `style.1a2b3c4d5e.css`.
pub fn fingerprinted_name(name: &str, bytes: &[u8]) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{}.{ext}", fingerprint(bytes)),
        None => format!("{name}.{}", fingerprint(bytes)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_commits_and_replaces() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("old.html"), "old").unwrap();
        let s = Staging::new(&target).unwrap();
        s.write("a/index.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(target.join("a/index.html").exists());
        assert!(!target.join("old.html").exists());
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "no leftovers beside the output"
        );
    }

    #[test]
    fn dropped_staging_leaves_the_old_site() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("old.html"), "old").unwrap();
        {
            let s = Staging::new(&target).unwrap();
            s.write("index.html", b"half").unwrap();
        }
        assert!(target.join("old.html").exists());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn json_is_escaped_but_equal() {
        let v = serde_json::json!({"n": "</script><b>&amp;\u{2028}"});
        let bytes = safe_json(&v);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !text.contains('<') && !text.contains('>') && !text.contains('&'),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(b"body{}"), fingerprint(b"body{}"));
        assert_ne!(fingerprint(b"body{}"), fingerprint(b"body{ }"));
        assert!(fingerprinted_name("style.css", b"x").starts_with("style."));
    }
}
