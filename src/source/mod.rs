//! Load: read files from `content/` safely and split front matter from body.
//!
//! This stage knows nothing of providers or skills. It guarantees that what it hands on is bounded
//! in size, valid UTF-8 with `\n` line ends and no BOM, and really inside the content directory
//! (no symlink escapes); everything else becomes a [`FileError`] for that one file.

pub mod yaml;

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One text file of the content directory, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path shown to contributors, relative to the site root (`content/prestataires/x.md`).
    pub path: PathBuf,
    /// Text without BOM, with `\n` line endings. Positions in diagnostics refer to this text,
    /// which has the same lines and columns as the file on disk.
    pub text: String,
}

/// Why a file could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    Io(String),
    TooLarge { size: u64, limit: u64 },
    Binary,
    InvalidUtf8 { line: u32, col: u32 },
    SymlinkOutside,
}

/// Reads a text file, refusing before reading it whole anything larger than `limit` bytes.
///
/// A symlink is refused: a pull request can turn `content/charte.md` into a link to a file of the
/// CI machine, whose first lines the diagnostics would then quote in a public log. To follow links
/// that stay inside `content/`, use [`read_contained`].
pub fn read_text(path: &Path, limit: u64) -> Result<String, FileError> {
    if fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(FileError::SymlinkOutside);
    }
    let file = fs::File::open(path).map_err(|e| FileError::Io(e.to_string()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Err(FileError::TooLarge { size, limit });
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // `take` also bounds files that grow while being read or lie about their size.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| FileError::Io(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(FileError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    decode_text(bytes)
}

/// Turns raw bytes into normalised text (see [`SourceFile::text`]).
pub fn decode_text(bytes: Vec<u8>) -> Result<String, FileError> {
    if bytes.contains(&0) {
        return Err(FileError::Binary);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).unwrap_or_default();
            let line = valid.matches('\n').count() as u32 + 1;
            let col = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            return Err(FileError::InvalidUtf8 { line, col });
        }
    };
    Ok(normalize(text))
}

fn normalize(text: String) -> String {
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}

/// A file split at its front matter fences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// File line of the first YAML line (2 when the file opens with `---`).
    pub yaml_first_line: u32,
    pub body: &'a str,
    pub body_first_line: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    Missing,
    /// No closing `---` line; `line` is the last line of the file.
    Unterminated { line: u32 },
}

/// Splits `---\n<yaml>\n---\n<body>`. The closing fence may also be `...`; trailing spaces on fences
/// are tolerated, as every editor adds them some day.
pub fn split_front_matter(text: &str) -> Result<Split<'_>, SplitError> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().ok_or(SplitError::Missing)?;
    if first.trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_no = 1u32;
    for line in lines {
        line_no += 1;
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = offset + line.len();
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_first_line: 2,
                body: &text[body_start..],
                body_first_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(SplitError::Unterminated { line: line_no })
}

/// A candidate file found under a content folder, before reading.
#[derive(Debug, Clone)]
pub struct Found {
    pub abs: PathBuf,
    /// Relative to the site root, for display.
    pub rel: PathBuf,
    /// The file stem, as written on disk (validated later as a slug).
    pub stem: String,
    pub is_symlink: bool,
}

/// Lists the `.md` files directly inside `dir` in a stable order. Hidden files and editor
/// leftovers (`.x.md.swp`, `x.md~`, `#x.md#`) are skipped so a half-saved file never counts.
pub fn list_markdown(root: &Path, dir: &Path) -> std::io::Result<Vec<Found>> {
    let mut found = Vec::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .follow_links(false)
        .sort_by_file_name()
    {
        let entry = entry.map_err(std::io::Error::other)?;
        let name = entry.file_name().to_string_lossy();
        if !is_candidate_name(&name) {
            continue;
        }
        let is_symlink = entry.path_is_symlink();
        if entry.file_type().is_dir() {
            continue;
        }
        let abs = entry.path().to_path_buf();
        let rel = abs.strip_prefix(root).unwrap_or(&abs).to_path_buf();
        let stem = name.trim_end_matches(".md").to_string();
        found.push(Found {
            abs,
            rel,
            stem,
            is_symlink,
        });
    }
    Ok(found)
}

/// Whether a file name can be a content file: `.md`, neither hidden nor an editor leftover.
fn is_candidate_name(name: &str) -> bool {
    !(name.starts_with('.') || name.starts_with('#') || name.starts_with('_'))
        && name.ends_with(".md")
}

/// The one file `abs` as [`list_markdown`] of its folder would list it, or `None` when that
/// listing would not hold it (gone, a folder, not a candidate name). One `lstat` instead of a
/// listing: `serve` calls it for every saved entry. Like the listing, it does not follow a
/// symlink; [`read_found`] checks where one leads.
pub fn found_at(root: &Path, abs: &Path) -> Option<Found> {
    let name = abs.file_name()?.to_string_lossy().into_owned();
    if !is_candidate_name(&name) {
        return None;
    }
    let meta = fs::symlink_metadata(abs).ok()?;
    if meta.is_dir() {
        return None;
    }
    Some(Found {
        abs: abs.to_path_buf(),
        rel: abs.strip_prefix(root).unwrap_or(abs).to_path_buf(),
        stem: name.trim_end_matches(".md").to_string(),
        is_symlink: meta.file_type().is_symlink(),
    })
}

/// Reads a text file (see [`read_text`]) whose real path, symlinks resolved, lies inside
/// `content_root`. Use it for every file a pull request can change (entries, pages, the charter,
/// the site's YAML files): a symlink to `~/.git-credentials` would otherwise be read, and its first
/// lines shown in the diagnostics of a public CI log.
pub fn read_contained(path: &Path, content_root: &Path, limit: u64) -> Result<String, FileError> {
    read_contained_in(path, &RealRoot::new(content_root), limit)
}

/// A folder whose real path (symlinks resolved) is looked up once for the many files read inside
/// it: resolving it again for each of 10,000 entries was a few percent of `annuaire check`. The
/// real paths of the folders holding the files are kept too, so a file that is not itself a
/// symlink costs one `lstat` instead of a `readlink` per component of its path.
#[derive(Debug)]
pub struct RealRoot {
    root: Result<PathBuf, String>,
    folders: std::sync::Mutex<std::collections::HashMap<PathBuf, PathBuf>>,
}

impl RealRoot {
    pub fn new(folder: &Path) -> RealRoot {
        RealRoot {
            root: fs::canonicalize(folder).map_err(|e| e.to_string()),
            folders: Default::default(),
        }
    }

    /// The real path of `path`: its folder's (kept) joined with its name, unless the file is a
    /// symlink or its name is not a plain name, which are resolved in full.
    fn real_path(&self, path: &Path) -> std::io::Result<PathBuf> {
        let plain_name = matches!(
            path.components().next_back(),
            Some(std::path::Component::Normal(_))
        );
        let (Some(folder), Some(name), true) = (path.parent(), path.file_name(), plain_name) else {
            return fs::canonicalize(path);
        };
        if fs::symlink_metadata(path)?.file_type().is_symlink() {
            return fs::canonicalize(path);
        }
        let known = self
            .folders
            .lock()
            .ok()
            .and_then(|folders| folders.get(folder).cloned());
        let real_folder = match known {
            Some(real) => real,
            None => {
                let real = fs::canonicalize(folder)?;
                if let Ok(mut folders) = self.folders.lock() {
                    folders.insert(folder.to_path_buf(), real.clone());
                }
                real
            }
        };
        Ok(real_folder.join(name))
    }
}

/// [`read_contained`] with the folder's real path already resolved.
pub fn read_contained_in(path: &Path, root: &RealRoot, limit: u64) -> Result<String, FileError> {
    let target = root
        .real_path(path)
        .map_err(|e| FileError::Io(e.to_string()))?;
    let base = root.root.as_ref().map_err(|e| FileError::Io(e.clone()))?;
    if !target.starts_with(base) {
        return Err(FileError::SymlinkOutside);
    }
    read_text(&target, limit)
}

/// Reads a found file, refusing anything whose real path lies outside `content_root`: a symlinked
/// file, but also a regular file reached through a symlinked folder (`content/pages -> /etc`).
pub fn read_found(
    found: &Found,
    content_root: &RealRoot,
    limit: u64,
) -> Result<SourceFile, FileError> {
    let text = read_contained_in(&found.abs, content_root, limit)?;
    Ok(SourceFile {
        path: found.rel.clone(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_counts_lines() {
        let s = split_front_matter("---\na: 1\nb: 2\n---\nBody\n").unwrap();
        assert_eq!(s.yaml, "a: 1\nb: 2\n");
        assert_eq!(s.yaml_first_line, 2);
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_first_line, 5);
    }

    #[test]
    fn empty_front_matter_and_no_body() {
        let s = split_front_matter("---\n---").unwrap();
        assert_eq!(s.yaml, "");
        assert_eq!(s.body, "");
    }

    #[test]
    fn missing_and_unterminated() {
        assert_eq!(split_front_matter(""), Err(SplitError::Missing));
        assert_eq!(split_front_matter("nom: x\n"), Err(SplitError::Missing));
        assert_eq!(
            split_front_matter("---\nnom: x\n"),
            Err(SplitError::Unterminated { line: 2 })
        );
    }

    #[test]
    fn bom_and_crlf_are_normalised() {
        let text = decode_text(b"\xef\xbb\xbf---\r\nnom: x\r\n---\r\nCorps\r\n".to_vec()).unwrap();
        assert_eq!(text, "---\nnom: x\n---\nCorps\n");
        assert!(split_front_matter(&text).is_ok());
    }

    #[test]
    fn invalid_utf8_is_located() {
        let err = decode_text(b"---\nnom: \xff\n".to_vec()).unwrap_err();
        assert_eq!(err, FileError::InvalidUtf8 { line: 2, col: 6 });
    }

    #[cfg(unix)]
    #[test]
    fn files_reached_through_a_symlinked_folder_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "---\ntitre: x\n---\n").unwrap();
        let site = tempfile::tempdir().unwrap();
        let content = site.path().join("content");
        std::fs::create_dir_all(content.join("prestataires")).unwrap();
        std::fs::write(content.join("prestataires/ok.md"), "---\n---\n").unwrap();
        std::os::unix::fs::symlink(outside.path(), content.join("pages")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.md"), content.join("lien.md"))
            .unwrap();

        let pages = list_markdown(site.path(), &content.join("pages")).unwrap();
        assert_eq!(pages.len(), 1);
        assert!(!pages[0].is_symlink, "the file itself is not a link");
        assert_eq!(
            read_found(&pages[0], &RealRoot::new(&content), 1024),
            Err(FileError::SymlinkOutside)
        );
        assert_eq!(
            read_contained(&content.join("lien.md"), &content, 1024),
            Err(FileError::SymlinkOutside)
        );
        // Site files read directly (charter, site.yaml) never follow a link.
        assert_eq!(
            read_text(&content.join("lien.md"), 1024),
            Err(FileError::SymlinkOutside)
        );
        let ok = list_markdown(site.path(), &content.join("prestataires")).unwrap();
        assert!(read_found(&ok[0], &RealRoot::new(&content), 1024).is_ok());
        // One RealRoot for all, as a check uses it: the folders it keeps change nothing.
        let root = RealRoot::new(&content);
        for _ in 0..2 {
            assert!(read_found(&ok[0], &root, 1024).is_ok());
            assert_eq!(
                read_found(&pages[0], &root, 1024),
                Err(FileError::SymlinkOutside)
            );
            assert_eq!(
                read_contained_in(&content.join("lien.md"), &root, 1024),
                Err(FileError::SymlinkOutside)
            );
            assert!(
                read_contained_in(
                    &content.join("prestataires/../prestataires/ok.md"),
                    &root,
                    1024
                )
                .is_ok()
            );
        }
    }

    #[test]
    fn binary_is_refused() {
        assert_eq!(decode_text(b"\x00\x01".to_vec()), Err(FileError::Binary));
    }

    #[test]
    fn found_at_agrees_with_the_folder_listing() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("content/prestataires");
        fs::create_dir_all(dir.join("dossier.md")).unwrap();
        for name in [
            "a.md",
            ".cache.md",
            "_brouillon.md",
            "#a.md#",
            "a.md~",
            "notes.txt",
        ] {
            fs::write(dir.join(name), "---\n---\n").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.join("a.md"), dir.join("lien.md")).unwrap();
        let listed = list_markdown(root.path(), &dir).unwrap();
        for name in [
            "a.md",
            "lien.md",
            ".cache.md",
            "_brouillon.md",
            "#a.md#",
            "a.md~",
            "notes.txt",
            "dossier.md",
            "absent.md",
        ] {
            let one = found_at(root.path(), &dir.join(name));
            let from_list = listed.iter().find(|f| f.abs == dir.join(name));
            assert_eq!(
                one.as_ref().map(|f| (&f.rel, &f.stem, f.is_symlink)),
                from_list.map(|f| (&f.rel, &f.stem, f.is_symlink)),
                "{name}"
            );
        }
    }
}
