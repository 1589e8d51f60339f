//! Write: a staging directory beside the output, swapped in only when everything succeeded, so a
//! failed build never leaves a half-written site and the previous one stays in place.
//!
//! Only files whose bytes changed are written: a file equal to the one at the same path in the
//! previous output is hard-linked into the staging directory instead, so it keeps its inode and
//! modification time through the swap (rsync, deploy tools and backups see it unchanged, and the
//! disk is not rewritten for nothing).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

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
    written: AtomicUsize,
    unchanged: AtomicUsize,
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
            written: AtomicUsize::new(0),
            unchanged: AtomicUsize::new(0),
        })
    }

    /// Files written so far, and files kept from the previous output because their bytes had not
    /// changed.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.written.load(Ordering::Relaxed),
            self.unchanged.load(Ordering::Relaxed),
        )
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file (path relative to the site root, `/`-separated), or links the previous
    /// output's file when it holds the same bytes. Safe from several threads.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(err("création de", parent))?;
        }
        let previous = self.target.join(rel);
        if same_bytes(&previous, bytes) && fs::hard_link(&previous, &path).is_ok() {
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        fs::write(&path, bytes).map_err(err("écriture de", &path))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Writes one file through `write` (buffered), for files too large to hold in memory; like
    /// [`Staging::write`], a file equal to the previous output's is replaced by a link to it.
    /// The bytes are compared with the previous file as they come and nothing is written until
    /// they differ: the JSON and CSV exports of 100,000 entries (640 MB) used to be written,
    /// read back and compared, to be thrown away when nothing had changed.
    pub fn write_stream(
        &self,
        rel: &str,
        write: &mut dyn FnMut(&mut dyn io::Write) -> io::Result<()>,
    ) -> Result<(), OutputError> {
        use io::Write as _;
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(err("création de", parent))?;
        }
        let previous = self.target.join(rel);
        let mut out = io::BufWriter::with_capacity(1 << 16, UnlessSame::new(&previous, &path));
        write(&mut out)
            .and_then(|()| out.flush())
            .map_err(err("écriture de", &path))?;
        let same = out
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(UnlessSame::finish)
            .map_err(err("écriture de", &path))?;
        if same {
            if fs::hard_link(&previous, &path).is_ok() {
                self.unchanged.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            // Not linkable (another file system, say): the same bytes, copied.
            fs::copy(&previous, &path).map_err(err("écriture de", &path))?;
        }
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
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
            remove_tree(&old).map_err(err("suppression de", &old))?;
        }
        Ok(self.target.clone())
    }
}

/// `fs::remove_dir_all` with the subfolders removed in parallel: removing the previous site (a
/// folder per provider) one file at a time was a tenth of a second of a 10,000-entry build, on
/// one core, at the very end. Never follows a symlink (it is removed, not its target).
pub fn remove_tree(dir: &Path) -> io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| {
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            remove_tree(&path)
        } else {
            fs::remove_file(&path)
        }
    })?;
    fs::remove_dir(dir)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A writer that compares its bytes with the previous output's file (a regular file, never
/// followed through a symlink) and creates the new file only at the first difference, with the
/// equal part copied from the previous one. [`UnlessSame::finish`] tells whether the bytes were
/// the same to the end.
struct UnlessSame<'a> {
    /// The previous file while every byte so far matched it.
    old: Option<fs::File>,
    /// Bytes that matched.
    matched: u64,
    previous: &'a Path,
    path: &'a Path,
    /// The new file, once the bytes differed.
    new: Option<fs::File>,
    compare: Vec<u8>,
}

impl<'a> UnlessSame<'a> {
    fn new(previous: &'a Path, path: &'a Path) -> UnlessSame<'a> {
        let old = open_regular(previous).filter(|f| f.metadata().is_ok_and(|m| m.is_file()));
        UnlessSame {
            old,
            matched: 0,
            previous,
            path,
            new: None,
            compare: Vec::new(),
        }
    }

    /// Creates the new file with the bytes that matched so far.
    fn diverge(&mut self) -> io::Result<&mut fs::File> {
        use io::Read as _;
        let mut new = fs::File::create(self.path)?;
        if self.matched > 0 {
            let copied = io::copy(
                &mut fs::File::open(self.previous)?.take(self.matched),
                &mut new,
            )?;
            if copied != self.matched {
                return Err(io::Error::other(
                    "le fichier précédent a changé pendant l'écriture",
                ));
            }
        }
        self.old = None;
        Ok(self.new.insert(new))
    }

    /// Whether the bytes were those of the previous file, to its end; when not, the new file is
    /// complete.
    fn finish(mut self) -> io::Result<bool> {
        use io::Read as _;
        if self.new.is_none() {
            if let Some(old) = &mut self.old {
                let mut probe = [0u8; 1];
                if matches!(old.read(&mut probe), Ok(0)) {
                    return Ok(true);
                }
            }
            self.diverge()?;
        }
        Ok(false)
    }
}

impl io::Write for UnlessSame<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        use io::Read as _;
        if let Some(new) = &mut self.new {
            return new.write_all(buf);
        }
        if let Some(old) = &mut self.old {
            self.compare.resize(buf.len(), 0);
            if old.read_exact(&mut self.compare).is_ok() && self.compare == buf {
                self.matched += buf.len() as u64;
                return Ok(());
            }
        }
        self.diverge()?.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Whether `path` is a regular file (not a symlink) holding exactly `bytes`; the size is
/// compared first, so most changed files are told apart without being read.
///
/// Called for every page, so with few system calls: the file is opened without following a
/// symlink (nor waiting on a FIFO) and its size read from the open file, where a path `lstat`
/// then `fs::read` made six calls and two path walks, and read into a new buffer.
fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    use std::io::Read as _;
    let Some(mut file) = open_regular(path) else {
        return false;
    };
    if !file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
    {
        return false;
    }
    let mut block = [0u8; 16 * 1024];
    bytes.chunks(block.len()).all(|expected| {
        let got = &mut block[..expected.len()];
        file.read_exact(got).is_ok() && got == expected
    })
}

/// Opens `path` for reading unless it is a symlink; a FIFO opens without blocking (and is then
/// told apart by its metadata).
#[cfg(unix)]
fn open_regular(path: &Path) -> Option<fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()
}

#[cfg(not(unix))]
fn open_regular(path: &Path) -> Option<fs::File> {
    fs::symlink_metadata(path)
        .ok()
        .filter(fs::Metadata::is_file)
        .and_then(|_| fs::File::open(path).ok())
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
    let mut out = Vec::new();
    if serde_json::to_writer(MarkupSafe(&mut out), value).is_err() {
        return b"null".to_vec();
    }
    out
}

/// Writes JSON text with the escaping of [`safe_json`] as it goes, so a large export is never
/// held twice. serde_json writes whole characters in each call, so U+2028 and U+2029 are never
/// split across two.
pub struct MarkupSafe<W>(pub W);

impl<W: io::Write> io::Write for MarkupSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        // The bytes to replace are found with memchr (a byte-by-byte loop was 2 % of a
        // 100,000-entry build, through the JSON export). `markup`: the next `<`, `>` or `&` at or
        // after `from`, kept until passed, so text full of other E2 sequences is scanned once.
        let mut start = 0;
        let mut from = 0;
        let mut markup = None;
        while from < bytes.len() {
            let next_markup = match markup {
                Some(m) if m >= from => m,
                _ => {
                    let m = memchr::memchr3(b'<', b'>', b'&', &bytes[from..])
                        .map_or(bytes.len(), |k| from + k);
                    markup = Some(m);
                    m
                }
            };
            let i =
                memchr::memchr(0xE2, &bytes[from..next_markup]).map_or(next_markup, |k| from + k);
            if i == bytes.len() {
                break;
            }
            let (escape, len): (&[u8], usize) = match bytes[i] {
                b'<' => (b"\\u003c", 1),
                b'>' => (b"\\u003e", 1),
                b'&' => (b"\\u0026", 1),
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; other E2 sequences (’, –) stay.
                _ => match bytes.get(i + 1..i + 3) {
                    Some([0x80, 0xA8]) => (b"\\u2028", 3),
                    Some([0x80, 0xA9]) => (b"\\u2029", 3),
                    _ => {
                        from = i + 1;
                        continue;
                    }
                },
            };
            self.0.write_all(&bytes[start..i])?;
            self.0.write_all(escape)?;
            from = i + len;
            start = from;
        }
        self.0.write_all(&bytes[start..])
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The escaping of [`safe_json`], for JSON text already written (pretty-printed, say).
pub fn escape_json_markup(json: &str) -> String {
    use io::Write as _;
    let mut out = Vec::with_capacity(json.len() + 16);
    let _ = MarkupSafe(&mut out).write_all(json.as_bytes());
    // Only ASCII escapes replaced whole characters: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// A short content hash for fingerprinted file names: 40 bits of SeaHash, whose output is fixed
/// by its specification, so a name changes only when the bytes do.
pub fn fingerprint(bytes: &[u8]) -> String {
    format!("{:010x}", seahash::hash(bytes) & 0xff_ffff_ffff)
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
    fn remove_tree_removes_everything_but_what_symlinks_point_to() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("ailleurs");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("garde.txt"), "à garder").unwrap();
        let tree = tmp.path().join("vieux");
        for i in 0..50 {
            let d = tree.join(format!("prestataires/p{i}/sous"));
            fs::create_dir_all(&d).unwrap();
            fs::write(d.join("index.html"), "x").unwrap();
            fs::write(tree.join(format!("prestataires/p{i}/index.html")), "y").unwrap();
        }
        fs::write(tree.join("index.html"), "z").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&outside, tree.join("lien-dossier")).unwrap();
            std::os::unix::fs::symlink(outside.join("garde.txt"), tree.join("lien")).unwrap();
        }
        remove_tree(&tree).unwrap();
        assert!(!tree.exists());
        assert_eq!(
            fs::read_to_string(outside.join("garde.txt")).unwrap(),
            "à garder"
        );
        assert!(remove_tree(&tree).is_err(), "a missing folder is an error");
    }

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

    #[cfg(unix)]
    #[test]
    fn unchanged_files_are_linked_not_rewritten() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        let first = Staging::new(&target).unwrap();
        for (rel, bytes) in [
            ("same.html", "same"),
            ("edit.html", "v1"),
            ("size.html", "abc"),
        ] {
            first.write(rel, bytes.as_bytes()).unwrap();
        }
        assert_eq!(first.counts(), (3, 0));
        first.commit().unwrap();
        let inode = |rel: &str| fs::metadata(target.join(rel)).unwrap().ino();
        let before = [inode("same.html"), inode("edit.html"), inode("size.html")];
        // A symlink where a file was: never followed, never linked.
        fs::write(tmp.path().join("elsewhere"), "link").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), target.join("link.html")).unwrap();

        // A FIFO where a file was: neither waited on nor linked.
        let fifo = std::process::Command::new("mkfifo")
            .arg(target.join("fifo.html"))
            .status()
            .is_ok_and(|s| s.success());

        let second = Staging::new(&target).unwrap();
        second.write("same.html", b"same").unwrap();
        second.write("edit.html", b"v2").unwrap();
        second.write("size.html", b"abcd").unwrap();
        second.write("link.html", b"link").unwrap();
        assert_eq!(second.counts(), (3, 1));
        if fifo {
            second.write("fifo.html", b"").unwrap();
            second
                .write_stream("fifo.html", &mut |w| w.write_all(b""))
                .unwrap();
            assert_eq!(second.counts(), (5, 1));
            fs::remove_file(second.dir().join("fifo.html")).unwrap();
        }
        // Streamed files: the same rule.
        second
            .write_stream("big.csv", &mut |w| w.write_all(b"a,b\r\n"))
            .unwrap();
        second.commit().unwrap();
        assert_eq!(inode("same.html"), before[0], "unchanged file kept");
        assert_ne!(inode("edit.html"), before[1]);
        assert_ne!(inode("size.html"), before[2]);
        assert_eq!(fs::read(target.join("edit.html")).unwrap(), b"v2");
        assert!(
            !fs::symlink_metadata(target.join("link.html"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(
            fs::read_dir(tmp.path()).unwrap().count(),
            2,
            "public and elsewhere"
        );

        let big = inode("big.csv");
        let third = Staging::new(&target).unwrap();
        third
            .write_stream("big.csv", &mut |w| w.write_all(b"a,b\r\n"))
            .unwrap();
        third
            .write_stream("other.csv", &mut |w| w.write_all(b"x"))
            .unwrap();
        assert_eq!(third.counts(), (1, 1));
        third.commit().unwrap();
        assert_eq!(
            inode("big.csv"),
            big,
            "an unchanged streamed file is kept too"
        );
        assert_eq!(fs::read(target.join("big.csv")).unwrap(), b"a,b\r\n");
    }

    /// A streamed file equal to the previous one is linked; one that differs anywhere (first
    /// byte, after a long equal start, only in length, either way) is written whole and right.
    #[cfg(unix)]
    #[test]
    fn streamed_files_are_compared_as_they_are_written() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        // Over several 64 KiB blocks, written in pieces of odd sizes.
        let big: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut changed_late = big.clone();
        changed_late[200_001] ^= 1;
        let mut changed_first = big.clone();
        changed_first[0] ^= 1;
        let cases: [(&str, Vec<u8>); 6] = [
            ("same.json", big.clone()),
            ("late.json", changed_late),
            ("first.json", changed_first),
            ("longer.json", [big.as_slice(), b"x"].concat()),
            ("shorter.json", big[..big.len() - 1].to_vec()),
            ("empty.json", Vec::new()),
        ];
        let stream = |s: &Staging, rel: &str, bytes: &[u8]| {
            s.write_stream(rel, &mut |w| {
                for piece in bytes.chunks(7_919) {
                    w.write_all(piece)?;
                }
                Ok(())
            })
            .unwrap();
        };
        let first = Staging::new(&target).unwrap();
        for (rel, _) in &cases {
            stream(&first, rel, if *rel == "empty.json" { &[] } else { &big });
        }
        first.commit().unwrap();
        let inode = |rel: &str| fs::metadata(target.join(rel)).unwrap().ino();
        let before: Vec<u64> = cases.iter().map(|(rel, _)| inode(rel)).collect();
        // A symlink where a file was is never followed.
        fs::write(tmp.path().join("elsewhere"), &big).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("elsewhere"), target.join("link.json")).unwrap();

        let second = Staging::new(&target).unwrap();
        for (rel, bytes) in &cases {
            stream(&second, rel, bytes);
        }
        stream(&second, "link.json", &big);
        assert_eq!(
            second.counts(),
            (5, 2),
            "same.json and empty.json unchanged"
        );
        second.commit().unwrap();
        for ((rel, bytes), ino) in cases.iter().zip(before) {
            assert!(fs::read(target.join(rel)).unwrap() == *bytes, "{rel}");
            let kept = *rel == "same.json" || *rel == "empty.json";
            assert_eq!(inode(rel) == ino, kept, "{rel}");
        }
        assert!(
            !fs::symlink_metadata(target.join("link.json"))
                .unwrap()
                .is_symlink()
        );
        assert_eq!(fs::read(target.join("link.json")).unwrap(), big);
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
        let v = serde_json::json!({"n": "</script><b>&amp;\u{2028}l’été – \u{2029}…"});
        let bytes = safe_json(&v);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']),
            "{text}"
        );
        assert!(text.contains("l’été – \\u2029…"), "{text}");
        let back: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, v);
    }

    /// The byte-by-byte escaping [`MarkupSafe`] used to do, as the reference of its memchr scan.
    fn markup_safe_reference(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let (escape, len): (&[u8], usize) = match bytes[i] {
                b'<' => (b"\\u003c", 1),
                b'>' => (b"\\u003e", 1),
                b'&' => (b"\\u0026", 1),
                0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA8) => {
                    (b"\\u2028", 3)
                }
                0xE2 if bytes.get(i + 1) == Some(&0x80) && bytes.get(i + 2) == Some(&0xA9) => {
                    (b"\\u2029", 3)
                }
                _ => (std::slice::from_ref(&bytes[i]), 1),
            };
            out.extend_from_slice(escape);
            i += len;
        }
        out
    }

    #[test]
    fn markup_safe_escapes_like_the_byte_by_byte_reference() {
        use io::Write as _;
        // Pieces that matter (the escaped bytes, the E2 sequences that are and are not line
        // separators, cut ones) glued in every order and cut at every point, as serde_json
        // may write a string in several calls.
        let pieces: [&[u8]; 9] = [
            b"<",
            b">",
            b"&",
            "\u{2028}".as_bytes(),
            "\u{2029}".as_bytes(),
            "’–…".as_bytes(),
            b"\xE2\x80",
            b"abc",
            b"\xE2",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let mut text = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut s = seed;
            for _ in 0..(s % 12) {
                s = s.rotate_left(5) ^ 0x9e37_79b9;
                text.extend_from_slice(pieces[(s % 9) as usize]);
            }
            let mut whole = Vec::new();
            MarkupSafe(&mut whole).write_all(&text).unwrap();
            assert_eq!(whole, markup_safe_reference(&text), "{text:?}");
        }
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint(b"body{}"), fingerprint(b"body{}"));
        assert_ne!(fingerprint(b"body{}"), fingerprint(b"body{ }"));
        assert!(fingerprinted_name("style.css", b"x").starts_with("style."));
        // Fixed by SeaHash's specification: the same name on every machine and release.
        assert_eq!(fingerprint(b"body{}"), "6eadd98580");
    }
}
