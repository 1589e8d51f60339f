//! Two audiences from the same files: nothing private reaches the public build (every file
//! written, whatever its type), everything reaches the mediation build; and the mediators' tools
//! count right on a small hand-made directory.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use annuaire::audience::{self, Audience};
use annuaire::mediation;
use annuaire::model::Date;

fn copy_fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini");
    for e in walkdir::WalkDir::new(&from) {
        let e = e.unwrap();
        let to = dir.path().join(e.path().strip_prefix(&from).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&to).unwrap();
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
    dir
}

/// Every private field of an entry holds a unique marker.
const MARKED: &str = r#"---
nom: Delta Marqueurs
forme: association
commune: "99003"
resume: Une fiche dont chaque champ privé porte un marqueur.
contact:
  site: https://marqueur-site-k7q.example
  courriel: marqueur-courriel-k7q@prive.example
  telephone: "04 66 12 34 97"
  adresse: MARQUEUR-ADRESSE-K7Q, Le Pré
  reseaux: [https://marqueur-reseau-k7q.example]
  publics: []
competences:
  - id: formation/bureautique
    justificatifs:
      - type: reference
        client: Client public de Delta
      - type: reference
        client: MARQUEUR-CLIENT-K7Q
        titre: MARQUEUR-TITRE-K7Q
        annee: 2024
        prive: true
      - type: certification
        titre: MARQUEUR-CERTIF-K7Q
        organisme: MARQUEUR-ORGANISME-K7Q
        url: https://marqueur-certif-k7q.example
        annee: 2024
        prive: true
    verification:
      statut: verifiee
      par: CCI Test
      le: 2025-06-01
      note: MARQUEUR-NOTE-K7Q
  - id: web/accessibilite
    justificatifs:
      - type: reference
        client: MARQUEUR-REFUS-CLIENT-K7Q
    verification:
      statut: refusee
      par: CCI Test
      le: 2025-06-02
      note: MARQUEUR-REFUS-K7Q
charte:
  version: "2025-1"
  signee_le: 2025-05-01
---
Ateliers de bureautique au Pré.
"#;

const MARKERS: &[&str] = &[
    "marqueur-site-k7q",
    "marqueur-courriel-k7q",
    "04 66 12 34 97",
    "MARQUEUR-ADRESSE-K7Q",
    "marqueur-reseau-k7q",
    "MARQUEUR-CLIENT-K7Q",
    "MARQUEUR-TITRE-K7Q",
    "MARQUEUR-CERTIF-K7Q",
    "MARQUEUR-ORGANISME-K7Q",
    "marqueur-certif-k7q",
    "MARQUEUR-NOTE-K7Q",
    "MARQUEUR-REFUS-K7Q",
];

fn build(root: &Path, out: &Path, audience: &str) {
    let o = Command::new(env!("CARGO_BIN_EXE_annuaire"))
        .args(["build", "--audience", audience, "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "1764320000")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every file of a build, as text (lossy: markers are ASCII).
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().to_path_buf(),
                String::from_utf8_lossy(&fs::read(e.path()).unwrap()).into_owned(),
            )
        })
        .collect()
}

#[test]
fn private_markers_never_reach_the_public_build_and_all_reach_mediation() {
    let site = copy_fixture();
    fs::write(
        site.path().join("content/prestataires/delta-marqueurs.md"),
        MARKED,
    )
    .unwrap();
    let public = site.path().join("out-public");
    let mediation = site.path().join("out-mediation");
    build(site.path(), &public, "public");
    build(site.path(), &mediation, "mediation");

    let public_files = files(&public);
    assert!(public_files.len() > 20, "a whole site was written");
    assert!(
        public_files
            .iter()
            .any(|(p, _)| p.ends_with("prestataires/delta-marqueurs/index.html"))
    );
    for (path, text) in &public_files {
        for m in MARKERS {
            assert!(!text.contains(m), "{m} leaked into {}", path.display());
        }
    }
    let mediation_text: String = files(&mediation).into_iter().map(|(_, t)| t).collect();
    for m in MARKERS {
        assert!(
            mediation_text.contains(m),
            "{m} missing from the mediation build"
        );
    }
    // Mediation-only pages exist only there.
    for page in [
        "mediation/index.html",
        "mediation/competences/index.html",
        "mediation/revue/index.html",
    ] {
        assert!(mediation.join(page).exists(), "{page}");
        assert!(!public.join(page).exists(), "{page} in the public build");
    }
}

fn mediation_view(extra: &[(&str, &str)]) -> audience::View {
    let site = copy_fixture();
    for (name, text) in extra {
        fs::write(site.path().join("content/prestataires").join(name), text).unwrap();
    }
    let opts = annuaire::SiteOptions {
        root: site.path().to_path_buf(),
        today: Date::parse("2025-11-28").unwrap(),
        base_url: None,
    };
    let loaded = annuaire::load(&opts).unwrap();
    assert_eq!(
        annuaire::check::error_count(&loaded.diagnostics),
        0,
        "{:?}",
        loaded.diagnostics
    );
    audience::project(&loaded.directory, Audience::Mediation)
}

/// A provider of the whole territory, not verified, with the identity skill; and one whose
/// verification is pending.
const GAMMA: &str = r#"---
nom: Gamma Territoire
forme: association
commune: "99002"
zone: departement
resume: Partout.
competences:
  - id: graphisme/identite-visuelle
    justificatifs:
      - type: reference
        client: Client
  - id: formation/bureautique
    justificatifs:
      - type: reference
        client: Client
    verification:
      statut: a_verifier
charte:
  version: "2024-1"
  signee_le: 2024-05-01
---
"#;

#[test]
fn skills_matrix_counts_zones_groups_and_verification() {
    let view = mediation_view(&[("gamma-territoire.md", GAMMA)]);
    let cover = mediation::coverage(&view);
    let matrix = mediation::skills_matrix(&view, &cover);
    let names: Vec<&str> = matrix.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Communauté d'Amont", "Communauté des Plateaux"]);
    let row = |id: &str| {
        matrix
            .families
            .iter()
            .flat_map(|f| &f.rows)
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    let cells = |id: &str| {
        row(id)
            .cells
            .iter()
            .map(|c| (c.total, c.verified))
            .collect::<Vec<_>>()
    };
    // Alpha (Villeneuve, Plateaux, verified) and Gamma (everywhere, not verified).
    assert_eq!(cells("graphisme/identite-visuelle"), [(1, 0), (2, 1)]);
    // Bêta is based in Bourg-d'Amont and lists Villeneuve and Le Pré in its zone.
    assert_eq!(cells("web/site-vitrine"), [(1, 0), (1, 0)]);
    assert_eq!(cells("formation/bureautique"), [(1, 0), (1, 0)]);
    assert_eq!(cells("graphisme/print"), [(0, 0), (0, 0)]);
    assert_eq!(row("graphisme/print").gaps, 2);

    let idx = |name: &str| view.communes.iter().position(|c| c.name == name).unwrap();
    let all = mediation::commune_counts(&view, &cover, None);
    assert_eq!(all[idx("Villeneuve")], 3);
    assert_eq!(all[idx("Le Pré")], 2);
    assert_eq!(all[idx("Bourg-d'Amont")], 2);
    let graphisme = mediation::commune_counts(&view, &cover, Some("graphisme"));
    assert_eq!(
        graphisme[idx("Le Pré")],
        1,
        "only Gamma offers graphisme at Le Pré"
    );

    let routing = mediation::routing(&view, &cover, idx("Le Pré"));
    let names = |label: &str| -> Vec<String> {
        routing
            .iter()
            .find(|s| s.label == label)
            .map(|s| s.providers.iter().map(|p| p.name.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(names("Site vitrine"), ["Bêta Web"]);
    assert_eq!(names("Identité visuelle"), ["Gamma Territoire"]);
    let villeneuve = mediation::routing(&view, &cover, idx("Villeneuve"));
    let ident = villeneuve
        .iter()
        .find(|s| s.label == "Identité visuelle")
        .unwrap();
    // Verified first.
    assert_eq!(
        ident
            .providers
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["Alpha Graphisme", "Gamma Territoire"]
    );
    assert!(
        ident.providers[0].contacts.iter().any(|c| c.private),
        "mediators see private contacts"
    );

    let review = mediation::review(&view, view.today, view.max_evidence_age);
    assert!(
        review
            .to_verify
            .iter()
            .any(|i| i.provider == "Gamma Territoire" && i.detail == "Bureautique")
    );
    assert!(
        review
            .charters
            .iter()
            .any(|i| i.provider == "Gamma Territoire")
    );
}
