//! The theme: Tera templates and static assets, from `themes/<name>/` or, for the default theme
//! when the site has no copy of its own, from the copy built into the binary (as mdBook does), so
//! `annuaire build` works on a directory that holds only `content/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::Tera;

/// The default theme, embedded at compile time. A test keeps this list equal to the folder.
pub const EMBEDDED: &[(&str, &[u8])] = &[
    (
        "templates/base.html",
        include_bytes!("../../themes/default/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_bytes!("../../themes/default/templates/index.html"),
    ),
    (
        "templates/provider.html",
        include_bytes!("../../themes/default/templates/provider.html"),
    ),
    (
        "templates/providers.html",
        include_bytes!("../../themes/default/templates/providers.html"),
    ),
    (
        "templates/family.html",
        include_bytes!("../../themes/default/templates/family.html"),
    ),
    (
        "templates/skill.html",
        include_bytes!("../../themes/default/templates/skill.html"),
    ),
    (
        "templates/commune.html",
        include_bytes!("../../themes/default/templates/commune.html"),
    ),
    (
        "templates/communes.html",
        include_bytes!("../../themes/default/templates/communes.html"),
    ),
    (
        "templates/nomenclature.html",
        include_bytes!("../../themes/default/templates/nomenclature.html"),
    ),
    (
        "templates/page.html",
        include_bytes!("../../themes/default/templates/page.html"),
    ),
    (
        "templates/search.html",
        include_bytes!("../../themes/default/templates/search.html"),
    ),
    (
        "templates/map.html",
        include_bytes!("../../themes/default/templates/map.html"),
    ),
    (
        "templates/mediation.html",
        include_bytes!("../../themes/default/templates/mediation.html"),
    ),
    (
        "templates/matrix.html",
        include_bytes!("../../themes/default/templates/matrix.html"),
    ),
    (
        "templates/routing-index.html",
        include_bytes!("../../themes/default/templates/routing-index.html"),
    ),
    (
        "templates/routing.html",
        include_bytes!("../../themes/default/templates/routing.html"),
    ),
    (
        "templates/review.html",
        include_bytes!("../../themes/default/templates/review.html"),
    ),
    (
        "templates/404.html",
        include_bytes!("../../themes/default/templates/404.html"),
    ),
    (
        "templates/data.html",
        include_bytes!("../../themes/default/templates/data.html"),
    ),
    (
        "templates/partials/card.html",
        include_bytes!("../../themes/default/templates/partials/card.html"),
    ),
    (
        "templates/partials/cards.html",
        include_bytes!("../../themes/default/templates/partials/cards.html"),
    ),
    (
        "templates/partials/pagination.html",
        include_bytes!("../../themes/default/templates/partials/pagination.html"),
    ),
    (
        "static/style.css",
        include_bytes!("../../themes/default/static/style.css"),
    ),
    (
        "static/favicon.svg",
        include_bytes!("../../themes/default/static/favicon.svg"),
    ),
    (
        "static/annuaire-pipeline.js",
        include_bytes!("../../themes/default/static/annuaire-pipeline.js"),
    ),
    (
        "static/elasticlunr.min.js",
        include_bytes!("../../themes/default/static/elasticlunr.min.js"),
    ),
    (
        "static/search-core.js",
        include_bytes!("../../themes/default/static/search-core.js"),
    ),
    (
        "static/search.js",
        include_bytes!("../../themes/default/static/search.js"),
    ),
    (
        "static/licences/elasticlunr.txt",
        include_bytes!("../../themes/default/static/licences/elasticlunr.txt"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("thème « {0} » introuvable (ni {1}, ni thème intégré)")]
    NotFound(String, PathBuf),
    #[error("lecture du thème impossible ({path}) : {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("gabarit invalide :\n{0}")]
    Template(String),
}

/// Loaded theme files: templates (by name) and static assets (by relative path).
pub struct Theme {
    pub templates: BTreeMap<String, String>,
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Where it came from, for messages and for the watcher.
    pub dir: Option<PathBuf>,
    /// Strip the templates' layout whitespace when parsing them (see [`super::minify`]); off for
    /// `build --no-minify`, to read the output against the templates.
    pub minify: bool,
}

impl Theme {
    pub fn load(root: &Path, name: &str) -> Result<Theme, ThemeError> {
        let dir = root.join("themes").join(name);
        if dir.is_dir() {
            return Theme::from_dir(&dir);
        }
        if name == "default" {
            return Ok(Theme::embedded());
        }
        Err(ThemeError::NotFound(name.to_string(), dir))
    }

    pub fn embedded() -> Theme {
        let mut templates = BTreeMap::new();
        let mut assets = BTreeMap::new();
        for (path, bytes) in EMBEDDED {
            if let Some(name) = path.strip_prefix("templates/") {
                templates.insert(
                    name.to_string(),
                    String::from_utf8_lossy(bytes).into_owned(),
                );
            } else if let Some(name) = path.strip_prefix("static/") {
                assets.insert(name.to_string(), bytes.to_vec());
            }
        }
        Theme {
            templates,
            assets,
            dir: None,
            minify: true,
        }
    }

    fn from_dir(dir: &Path) -> Result<Theme, ThemeError> {
        let mut templates = BTreeMap::new();
        let mut assets = BTreeMap::new();
        for (sub, is_template) in [("templates", true), ("static", false)] {
            let base = dir.join(sub);
            if !base.is_dir() {
                continue;
            }
            for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
                let entry = entry.map_err(|e| ThemeError::Io {
                    path: base.clone(),
                    source: e.into(),
                })?;
                if !entry.file_type().is_file()
                    || entry.file_name().to_string_lossy().starts_with('.')
                {
                    continue;
                }
                let rel = entry.path().strip_prefix(&base).unwrap_or(entry.path());
                let name = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes = std::fs::read(entry.path()).map_err(|e| ThemeError::Io {
                    path: entry.path().to_path_buf(),
                    source: e,
                })?;
                if is_template {
                    let text = String::from_utf8(bytes).map_err(|_| {
                        ThemeError::Template(format!(
                            "{} n'est pas en UTF-8",
                            entry.path().display()
                        ))
                    })?;
                    templates.insert(name, text);
                } else {
                    assets.insert(name, bytes);
                }
            }
        }
        Ok(Theme {
            templates,
            assets,
            dir: Some(dir.to_path_buf()),
            minify: true,
        })
    }

    /// Parses every template once (minified first, unless switched off); pages then only render.
    pub fn tera(&self) -> Result<Tera, ThemeError> {
        let mut tera = Tera::new();
        let sources: Vec<(&str, std::borrow::Cow<str>)> = self
            .templates
            .iter()
            .map(|(name, text)| {
                let text = if self.minify && name.ends_with(".html") {
                    super::minify::minify_template(text).into()
                } else {
                    std::borrow::Cow::Borrowed(text.as_str())
                };
                (name.as_str(), text)
            })
            .collect();
        tera.add_raw_templates(sources.iter().map(|(k, v)| (*k, v.as_ref())))
            .map_err(|e| ThemeError::Template(error_chain(&e)))?;
        tera.set_escape_fn(escape_html);
        Ok(tera)
    }
}

/// Tera's autoescaping, the same five characters (`&`, `<`, `>`, `"`, `'`), written in runs:
/// Tera 2's own writes byte by byte through `dyn Write`, which showed in profiles of large builds.
pub fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

/// Tera errors keep the useful part (file, line, what) in their sources.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str("\n  ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_list_matches_the_theme_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let on_disk = Theme::from_dir(&dir).unwrap();
        let embedded = Theme::embedded();
        assert_eq!(
            on_disk.templates.keys().collect::<Vec<_>>(),
            embedded.templates.keys().collect::<Vec<_>>()
        );
        assert_eq!(
            on_disk.assets.keys().collect::<Vec<_>>(),
            embedded.assets.keys().collect::<Vec<_>>()
        );
    }

    #[test]
    fn escaping_matches_teras_own() {
        for s in [
            "",
            "a",
            "<a href=\"x\">l'été & co</a>",
            "&&",
            "plain text",
            "'\"<>&",
        ] {
            let mut ours = Vec::new();
            escape_html(s, &mut ours).unwrap();
            let mut theirs = Vec::new();
            tera::escape_html(s, &mut theirs).unwrap();
            assert_eq!(ours, theirs, "{s}");
        }
    }

    #[test]
    fn default_templates_parse() {
        Theme::embedded().tera().unwrap();
    }
}
