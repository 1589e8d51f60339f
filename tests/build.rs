//! `annuaire build` end to end, with the real binary on temporary sites.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2025-11-28: every date rule of the fixtures is relative to this.
const EPOCH: &str = "1764320000";

struct Site {
    dir: tempfile::TempDir,
}

impl Site {
    fn mini() -> Site {
        let dir = tempfile::tempdir().unwrap();
        common::copy_dir(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini"),
            dir.path(),
        );
        Site { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.root().join("public")
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.root().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    fn annuaire(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_annuaire"))
            .args(args)
            .arg("--root")
            .arg(self.root())
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    }

    fn build(&self, extra: &[&str]) -> Output {
        let mut args = vec!["build"];
        args.extend_from_slice(extra);
        self.annuaire(&args)
    }

    fn page(&self, rel: &str) -> String {
        fs::read_to_string(self.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Every file of the output with its bytes.
    fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        tree(&self.out())
    }
}

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_success(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}\n{}",
        o.status.code(),
        stderr(o)
    );
}

#[test]
fn builds_every_page_kind() {
    let site = Site::mini();
    let o = site.build(&[]);
    assert_success(&o);
    assert!(
        stderr(&o).contains("2 prestataire(s) publié(s) sur 2"),
        "{}",
        stderr(&o)
    );
    let pages = [
        "index.html",
        "404.html",
        "prestataires/index.html",
        "prestataires/alpha-graphisme/index.html",
        "prestataires/beta-web/index.html",
        "competences/graphisme/index.html",
        "competences/graphisme/identite-visuelle/index.html",
        "competences/web/accessibilite/index.html",
        "competences/formation/bureautique/index.html",
        "communes/index.html",
        "communes/villeneuve/index.html",
        "communes/bourg-d-amont/index.html",
        "communes/le-pre/index.html",
        "nomenclature/index.html",
        "charte/index.html",
        "a-propos/index.html",
        "recherche/index.html",
    ];
    for rel in pages {
        let html = site.page(rel);
        assert!(
            html.to_ascii_lowercase().starts_with("<!doctype html>"),
            "{rel}: {}",
            &html[..40.min(html.len())]
        );
        assert!(html.contains("<html lang=\"fr\">"), "{rel}");
        assert_eq!(html.matches("<h1").count(), 1, "{rel}: one h1");
        assert!(html.contains("<title>"), "{rel}");
    }
    let css: Vec<String> = fs::read_dir(site.out().join("static"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("style.") && n.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1, "one fingerprinted stylesheet");
    let css = css[0].clone();
    assert!(css.starts_with("style.") && css.ends_with(".css") && css.len() > "style..css".len());
    assert!(site.page("index.html").contains(&format!("/static/{css}")));
    // A commune with nobody has no page.
    assert!(!site.out().join("communes/sainte-ancienne").exists());
}

#[test]
fn provider_page_shows_status_in_words_and_only_public_data() {
    let site = Site::mini();
    assert_success(&site.build(&[]));
    let alpha = site.page("prestataires/alpha-graphisme/index.html");
    assert!(
        alpha.contains("Vérifiée par CCI Test le 12 mars 2025, valable jusqu&#39;au 12 mars 2027"),
        "{alpha}"
    );
    assert!(alpha.contains("https://alpha.example/portfolio"));
    assert!(alpha.contains("Charte signée le 1er février 2025"));
    // Private evidence, private contact fields and the mediator note stay out of the public site.
    for private in [
        "Mairie de Villeneuve",
        "bonjour@alpha.example",
        "04 66 00 00 01",
        "Portfolio vu en rendez-vous",
    ] {
        assert!(!alpha.contains(private), "{private} leaked");
    }
    let beta = site.page("prestataires/beta-web/index.html");
    assert!(beta.contains("Déclarée, justifiée"));
    assert!(beta.contains("Bourg-d&#39;Amont") || beta.contains("Bourg-d'Amont"));
    // The skill page lists the verified provider first.
    let skill = site.page("competences/graphisme/identite-visuelle/index.html");
    assert!(skill.contains("Alpha Graphisme"));
    // Le Pré is served by Bêta Web through its zone.
    assert!(site.page("communes/le-pre/index.html").contains("Bêta Web"));
}

#[test]
fn mediation_audience_shows_private_data() {
    let site = Site::mini();
    let out = site.root().join("mediation");
    assert_success(&site.build(&["--audience", "mediation", "--out", out.to_str().unwrap()]));
    let alpha = fs::read_to_string(out.join("prestataires/alpha-graphisme/index.html")).unwrap();
    for private in [
        "Mairie de Villeneuve",
        "bonjour@alpha.example",
        "04 66 00 00 01",
        "Portfolio vu en rendez-vous",
    ] {
        assert!(
            alpha.contains(private),
            "{private} missing from the mediation view"
        );
    }
}

#[test]
fn entry_with_errors_is_left_out_and_others_publish() {
    let site = Site::mini();
    site.write(
        "content/prestataires/gamma.md",
        "---\nnom: Gamma\nforme: independant\ncommune: \"99001\"\nresume: x\ncompetences: []\n---\n",
    );
    let o = site.build(&[]);
    assert_success(&o);
    let err = stderr(&o);
    assert!(
        err.contains("2 prestataire(s) publié(s) sur 3, 1 écarté(s)"),
        "{err}"
    );
    assert!(
        err.contains("écartée : content/prestataires/gamma.md"),
        "{err}"
    );
    assert!(err.contains("identite/siret-manquant"), "{err}");
    assert!(!site.out().join("prestataires/gamma").exists());
    assert!(
        site.out()
            .join("prestataires/alpha-graphisme/index.html")
            .exists()
    );
    assert!(!site.page("prestataires/index.html").contains("Gamma"));
}

#[test]
fn strict_fails_on_any_entry_error_and_writes_nothing() {
    let site = Site::mini();
    assert_success(&site.build(&[]));
    let before = site.snapshot();
    site.write("content/prestataires/gamma.md", "---\nnom: Gamma\n---\n");
    let o = site.build(&["--strict"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--strict"), "{}", stderr(&o));
    assert_eq!(site.snapshot(), before, "the previous site stays as it was");
}

#[test]
fn failed_render_keeps_the_previous_site_and_leaves_no_staging() {
    // A site-local copy of the theme with a template broken at render time: a page's, and the
    // card's (rendered once, for the listings), each named in the message.
    for (template, broken) in [
        (
            "provider.html",
            "{% extends \"base.html\" %}{% block content %}<h1>{{ provider.name }}</h1>{{ provider.nope.deeper }}{% endblock content %}",
        ),
        (
            "partials/card.html",
            "<li>{{ card.name | no_such_filter }}</li>",
        ),
    ] {
        let site = Site::mini();
        assert_success(&site.build(&[]));
        let before = site.snapshot();
        let theme = local_theme(&site);
        fs::write(theme.join("templates").join(template), broken).unwrap();
        let o = site.build(&[]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains(template), "{}", stderr(&o));
        assert_eq!(site.snapshot(), before);
        let left = common::leftovers(site.root());
        assert!(left.is_empty(), "{left:?}");
    }
}

#[test]
fn broken_site_files_fail_with_a_located_message() {
    let site = Site::mini();
    assert_success(&site.build(&[]));
    let before = site.snapshot();
    site.write(
        "content/site.yaml",
        "titre: [Annuaire\nurl_base: https://x.example\n",
    );
    let o = site.build(&[]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("yaml/syntaxe") && err.contains("content/site.yaml"),
        "{err}"
    );
    assert_eq!(site.snapshot(), before);

    let site = Site::mini();
    site.write(
        "content/nomenclature.yaml",
        "familles:\n  - id: Graphisme!\n    libelle: x\n    competences: []\n",
    );
    let o = site.build(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("content/nomenclature.yaml:2:"),
        "{}",
        stderr(&o)
    );
    assert!(!site.out().exists());
}

#[test]
fn markdown_html_and_dangerous_links_never_reach_the_page() {
    let site = Site::mini();
    let entry = fs::read_to_string(site.root().join("content/prestataires/beta-web.md")).unwrap();
    let entry = entry.replace(
        "Nous créons des sites vitrines.",
        "<script>alert('body')</script>\n\n<img src=x onerror=alert(2)>\n\n[clic](javascript:alert(3)) \
         [data](data:text/html;base64,PHNjcmlwdD4=) [ok](https://ok.example/)\n\n<a href=\"javascript:alert(4)\">a</a>",
    );
    site.write("content/prestataires/beta-web.md", &entry);
    assert_success(&site.build(&[]));
    let html = site.page("prestataires/beta-web/index.html");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains("<img src=x"), "{html}");
    // Real tags only (text shows `&lt;a href=…`, which is harmless).
    for tag in html
        .split("<a ")
        .skip(1)
        .map(|t| t.split('>').next().unwrap_or(""))
    {
        let lower = tag.to_lowercase();
        assert!(
            !lower.contains("javascript:") && !lower.contains("data:"),
            "{tag}"
        );
    }
    assert!(
        html.contains("&lt;script>alert('body')") || html.contains("&lt;script&gt;alert('body')"),
        "shown as text: {html}"
    );
    let tag = html
        .split("<a ")
        .find(|t| t.contains("https://ok.example/"))
        .expect("the safe link is kept");
    assert!(tag.contains(r#"rel="nofollow ugc noopener""#), "{tag}");
}

/// Writes the embedded default theme into the site, for a test to change.
fn local_theme(site: &Site) -> PathBuf {
    let theme = site.root().join("themes/default");
    for (rel, bytes) in annuaire::render::theme::EMBEDDED {
        let p = theme.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    theme
}

/// Cards are rendered once by `partials/card.html` and placed on every listing; a theme without
/// that template gets each card's fields instead. Both ways give the same site, byte for byte,
/// for both audiences (the mediation one adds a badge to flagged cards).
#[test]
fn listings_are_the_same_with_cards_rendered_once_or_from_their_fields() {
    for audience in ["public", "mediation"] {
        let site = Site::mini();
        assert_success(&site.build(&["--audience", audience]));
        let once = site.snapshot();
        assert!(
            once.values()
                .any(|b| String::from_utf8_lossy(b).contains("<li class=\"card\">")),
            "the listings show cards"
        );
        let theme = local_theme(&site);
        let card = fs::read_to_string(theme.join("templates/partials/card.html")).unwrap();
        let body = card.split_once("-#}").unwrap().1;
        fs::remove_file(theme.join("templates/partials/card.html")).unwrap();
        fs::write(
            theme.join("templates/partials/cards.html"),
            format!("<ul class=\"cards\">{{% for card in cards %}}{body}{{% endfor %}}</ul>"),
        )
        .unwrap();
        assert_success(&site.build(&["--audience", audience]));
        let fields = site.snapshot();
        assert_eq!(once.len(), fields.len());
        for (path, bytes) in &once {
            assert!(
                fields.get(path) == Some(bytes),
                "{audience}: {} differs",
                path.display()
            );
        }
    }
}

#[test]
fn same_content_and_date_give_identical_bytes() {
    let site = Site::mini();
    assert_success(&site.build(&[]));
    let first = site.snapshot();
    assert_success(&site.build(&[]));
    assert_eq!(first, site.snapshot());
}

/// A rebuild writes only the files whose bytes changed: the others keep their inode (hard-linked
/// from the previous output), so deploy tools and backups see them unchanged.
#[cfg(unix)]
#[test]
fn a_rebuild_writes_only_changed_files() {
    use std::os::unix::fs::MetadataExt;
    let site = Site::mini();
    assert_success(&site.build(&[]));
    let inode = |rel: &str| fs::metadata(site.out().join(rel)).unwrap().ino();
    let beta = "prestataires/beta-web/index.html";
    let alpha = "prestataires/alpha-graphisme/index.html";
    let (alpha_before, beta_before) = (inode(alpha), inode(beta));
    let entry = site.root().join("content/prestataires/beta-web.md");
    let text = fs::read_to_string(&entry).unwrap();
    fs::write(&entry, format!("{text}\nUn paragraphe de plus.\n")).unwrap();
    let o = site.build(&[]);
    assert_success(&o);
    assert_eq!(inode(alpha), alpha_before, "alpha's page did not change");
    assert_ne!(inode(beta), beta_before, "beta's page changed");
    assert!(site.page(beta).contains("Un paragraphe de plus."));
    let err = stderr(&o);
    let counts = err
        .split(" fichier(s) écrit(s), ")
        .next()
        .and_then(|s| s.rsplit('(').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("{err}"));
    assert!((1..20).contains(&counts), "few files rewritten: {err}");
}

#[test]
fn base_url_override_and_sub_path() {
    let site = Site::mini();
    assert_success(&site.build(&[
        "--base-url",
        "https://preview--annuaire.example/sous/chemin/",
    ]));
    let home = site.page("index.html");
    assert!(
        home.contains(r#"href=https://preview--annuaire.example/sous/chemin/"#)
            || home.contains("https://preview--annuaire.example/sous/chemin/\""),
        "{home}"
    );
    assert!(
        home.contains("/sous/chemin/prestataires/"),
        "internal links carry the path prefix"
    );
    assert!(
        site.out()
            .join("prestataires/alpha-graphisme/index.html")
            .exists(),
        "files stay at the output root"
    );
}

#[test]
fn new_writes_an_entry_that_checks_once_filled() {
    let site = Site::mini();
    let o = site.annuaire(&["new", "Café Numérique d'Été"]);
    assert_success(&o);
    let path = site
        .root()
        .join("content/prestataires/cafe-numerique-d-ete.md");
    let text = fs::read_to_string(&path).unwrap();
    // Unfilled, check names the fields still to fill.
    let o = site.annuaire(&["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    for field in ["forme", "commune", "resume", "\"id\"", "type"] {
        assert!(
            out.contains(field.trim_matches('"')),
            "{field} not named: {out}"
        );
    }
    assert!(out.contains("charte/non-signee"));
    // Filled, it is accepted.
    let filled = text
        .replace("\nforme:\n", "\nforme: association\n")
        .replace("\ncommune:\n", "\ncommune: Villeneuve\n")
        .replace("\nresume:\n", "\nresume: Ateliers numériques pour tous.\n")
        .replace("  - id:\n", "  - id: formation/bureautique\n")
        .replace(
            "      - type:\n        titre:\n        url:\n",
            "      - type: reference\n        client: Mairie\n",
        )
        .replace("  signee_le:\n", "  signee_le: 2025-06-01\n")
        .lines()
        .map(|l| {
            if l.starts_with("mis_a_jour:") {
                "mis_a_jour: 2025-06-01".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    fs::write(&path, filled).unwrap();
    let o = site.annuaire(&["check"]);
    assert_success(&o);
    // And `new` never overwrites.
    let o = site.annuaire(&["new", "Café Numérique d'Été"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("existe déjà"));
}

#[test]
fn shipped_schema_is_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new(env!("CARGO_BIN_EXE_annuaire"))
        .args(["schema", "--root"])
        .arg(root)
        .output()
        .unwrap();
    assert_success(&o);
    let shipped = fs::read_to_string(root.join("schema/prestataire.schema.json")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        shipped,
        "schema/prestataire.schema.json is stale: run `cargo run -- schema --out schema/prestataire.schema.json`"
    );
}
