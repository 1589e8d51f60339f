//! The output link checker run by every build: a broken internal link fails the build, names the
//! page and the link, and leaves the previous site in place.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use common::{TestSite, code, copy_dir, leftovers, stderr};

fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// Builds once (the "previous" site), breaks something, builds again: the second build must
/// fail with `expected` in its message and leave the first site as it was.
fn assert_broken_build_keeps_previous_site(site: &TestSite, expected: &[&str]) {
    let before = snapshot(&site.join("public"));
    assert!(before.contains_key("index.html"));
    let o = site.run(&["build"]);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "the build must fail:\n{err}");
    for needle in expected {
        assert!(err.contains(needle), "« {needle} » not in:\n{err}");
    }
    assert_eq!(
        snapshot(&site.join("public")),
        before,
        "the previous public/ is untouched"
    );
    let left = leftovers(site.path());
    assert!(left.is_empty(), "staging folders left: {left:?}");
}

#[test]
fn markdown_link_to_a_missing_page_fails_the_build() {
    let site = TestSite::new();
    let o = site.run(&["build"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    site.write(
        "content/pages/a-propos.md",
        "---\ntitre: À propos\nordre: 1\n---\nVoir [la page disparue](/nulle-part/) et la [charte](/charte/).\n",
    );
    assert_broken_build_keeps_previous_site(
        &site,
        &[
            "1 lien(s) interne(s) cassé(s)",
            "a-propos/index.html : lien « /nulle-part/ » cassé (aucun fichier nulle-part/index.html dans le site)",
            "le site précédent reste en place",
        ],
    );
}

#[test]
fn missing_anchor_fails_the_build() {
    let site = TestSite::new();
    let o = site.run(&["build"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    site.write(
        "content/pages/a-propos.md",
        "---\ntitre: À propos\n---\nLes [compétences](/prestataires/alpha-graphisme/#competences) existent, pas [celle-ci](/prestataires/alpha-graphisme/#inexistante).\n",
    );
    assert_broken_build_keeps_previous_site(
        &site,
        &[
            "lien « /prestataires/alpha-graphisme/#inexistante » cassé (prestataires/alpha-graphisme/index.html n'a pas d'élément d'identifiant « inexistante »)",
        ],
    );
}

#[test]
fn missing_anchor_on_the_page_itself_fails_the_build() {
    // `#id` links are settled as each page is written, against that page's own ids.
    let site = TestSite::new();
    let o = site.run(&["build"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    site.write(
        "content/pages/a-propos.md",
        "---\ntitre: À propos\n---\n## Qui\n\nVoir [le contenu](#contenu), pas [ceci](#inexistante).\n",
    );
    assert_broken_build_keeps_previous_site(
        &site,
        &[
            "a-propos/index.html : lien « #inexistante » cassé (a-propos/index.html n'a pas d'élément d'identifiant « inexistante »)",
        ],
    );
}

#[test]
fn theme_with_a_bad_href_fails_the_build() {
    let site = TestSite::new();
    let o = site.run(&["build"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A copy of the default theme whose footer links to a page that does not exist.
    let theme = site.join("themes/default");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &theme,
    );
    let base = theme.join("templates/base.html");
    let html = fs::read_to_string(&base).unwrap();
    let broken = html.replacen(
        "</footer>",
        "<p><a href=\"{{ site.root }}/mentions-legales/\">Mentions légales</a></p></footer>",
        1,
    );
    assert_ne!(html, broken);
    fs::write(&base, broken).unwrap();
    assert_broken_build_keeps_previous_site(
        &site,
        &[
            "index.html : lien « /mentions-legales/ » cassé",
            "prestataires/beta-web/index.html : lien « /mentions-legales/ » cassé",
            "corrigez chaque lien",
        ],
    );
}

#[test]
fn links_outside_the_base_path_are_broken() {
    let site = TestSite::new();
    // Under a sub-path, Markdown site-absolute links get the prefix and pass…
    let o = site.run(&["build", "--base-url", "https://x.example/sous"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // …but a theme link written without `site.root` leaves the site.
    let theme = site.join("themes/default");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
        &theme,
    );
    let base = theme.join("templates/base.html");
    let html = fs::read_to_string(&base).unwrap();
    fs::write(
        &base,
        html.replacen(
            "</footer>",
            "<p><a href=\"/charte/\">Charte</a></p></footer>",
            1,
        ),
    )
    .unwrap();
    let o = site.run(&["build", "--base-url", "https://x.example/sous"]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("lien « /charte/ » cassé (l'adresse sort du site)"),
        "{}",
        stderr(&o)
    );
}

/// Every page of the bundled directory, both audiences, minified or not, is read by the fast
/// scanner (the build's link check would otherwise fall back to the slower html5gum), and read
/// exactly as html5gum reads it.
#[test]
fn every_built_page_stays_on_the_fast_scan_path() {
    use annuaire::audience::Audience;
    use annuaire::links::internal::{fast_scan, tokenize};

    let tmp = tempfile::tempdir().unwrap();
    let mut pages = 0;
    for (audience, minify) in [
        (Audience::Public, true),
        (Audience::Mediation, true),
        (Audience::Public, false),
    ] {
        let out = tmp.path().join(format!("{audience:?}-{minify}"));
        common::build_bundled(audience, minify, &out);
        for (name, html) in snapshot(&out) {
            if !name.ends_with(".html") {
                continue;
            }
            let fast = fast_scan(&html)
                .unwrap_or_else(|| panic!("{audience:?} {name}: the fast scan gave up"));
            let reference = tokenize(&html);
            assert_eq!(fast.links, reference.links, "{audience:?} {name}: links");
            assert_eq!(fast.ids, reference.ids, "{audience:?} {name}: ids");
            pages += 1;
        }
    }
    assert!(pages > 100, "only {pages} pages built");
}
