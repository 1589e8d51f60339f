//! Open data and discoverability, end to end with the real binary on `tests/fixtures/mini`:
//! the JSON and CSV exports (read back and compared with the entries, checked against their JSON
//! Schemas), the absence of private data, the sitemap, the Atom feed, the JSON-LD, the meta tags,
//! the web manifest, robots.txt and the Données page.

mod common;

mod canonical_html;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use annuaire::source::yaml::{self, Kind, Limits, Node};
use common::{TestSite, stderr};
use serde_json::Value;

/// Private strings of the fixture: a private reference, private e-mail and phone, a mediator note.
const PRIVATE: [&str; 4] = [
    "Mairie de Villeneuve",
    "bonjour@alpha.example",
    "04 66 00 00 01",
    "Portfolio vu en rendez-vous",
];

const BASE: &str = "https://annuaire-test.example";

fn build(site: &TestSite, extra: &[&str]) -> PathBuf {
    let out = site.join(if extra.contains(&"mediation") {
        "public-mediation"
    } else {
        "public"
    });
    let mut args = vec!["build", "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    let o = site.run(&args);
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
    out
}

/// A written file; HTML in the canonical spelling of `canonical_html`.
fn read(out: &Path, rel: &str) -> String {
    let text = fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    if rel.ends_with(".html") {
        canonical_html::canonical(&text)
    } else {
        text
    }
}

fn json(out: &Path, rel: &str) -> Value {
    serde_json::from_str(&read(out, rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Every file of a folder, relative `/`-separated path → bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap();
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

fn html_pages(out: &Path) -> Vec<String> {
    files(out)
        .into_keys()
        .filter(|p| p.ends_with(".html"))
        .collect()
}

/// A fixture entry's front matter, parsed with the project's own positioned YAML reader.
fn entry(site: &TestSite, slug: &str) -> Node {
    let text = site.read(&format!("content/prestataires/{slug}.md"));
    let fm = text
        .strip_prefix("---\n")
        .and_then(|t| t.split_once("\n---\n"))
        .unwrap()
        .0;
    yaml::parse(fm, 2, Limits::ENTRY)
        .root
        .expect("front matter")
}

fn scalar<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    let mut cur = n;
    for key in path {
        cur = cur.get(key)?;
    }
    match &cur.kind {
        Kind::Scalar(s) => Some(&s.text),
        _ => None,
    }
}

fn seq<'a>(n: &'a Node, key: &str) -> &'a [Node] {
    match n.get(key).map(|n| &n.kind) {
        Some(Kind::Seq(v)) => v,
        _ => &[],
    }
}

fn strings(n: &Node, key: &str) -> Vec<String> {
    seq(n, key)
        .iter()
        .filter_map(|x| match &x.kind {
            Kind::Scalar(s) => Some(s.text.clone()),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A small JSON Schema (2020-12) validator for the keywords our schemas use: type, enum, const,
// required, properties, additionalProperties: false, items, $ref to #/$defs, anyOf, minimum.

fn validate(schema: &Value, root: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local $ref");
        validate(&root["$defs"][name], root, v, at, errors);
    }
    if let Some(any) = schema.get("anyOf").and_then(Value::as_array) {
        let ok = any.iter().any(|s| {
            let mut e = Vec::new();
            validate(s, root, v, at, &mut e);
            e.is_empty()
        });
        if !ok {
            errors.push(format!("{at}: matches no anyOf branch: {v}"));
        }
    }
    if let Some(t) = schema.get("type") {
        let types: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            errors.push(format!("{at}: expected {types:?}, got {v}"));
            return;
        }
    }
    if let Some(e) = schema.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errors.push(format!("{at}: {v} not in {e:?}"));
    }
    if let (Some(min), Some(n)) = (schema.get("minimum").and_then(Value::as_f64), v.as_f64())
        && n < min
    {
        errors.push(format!("{at}: {n} < {min}"));
    }
    if let Some(obj) = v.as_object() {
        for r in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = r.as_str().unwrap();
            if !obj.contains_key(key) {
                errors.push(format!("{at}: missing required `{key}`"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(s) => validate(s, root, val, &format!("{at}.{k}"), errors),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{at}: unexpected key `{k}`"))
                }
                None => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(items, root, x, &format!("{at}[{i}]"), errors);
        }
    }
}

fn assert_valid(schema_file: &str, doc: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schema/donnees")
        .join(schema_file);
    let schema: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let mut errors = Vec::new();
    validate(&schema, &schema, doc, "$", &mut errors);
    assert!(errors.is_empty(), "{schema_file}:\n{}", errors.join("\n"));
}

#[test]
fn schema_validator_rejects_what_it_should() {
    let schema: Value = serde_json::from_str(
        &fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/donnees/communes.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let bad = serde_json::json!({"licence": 1, "communes": [{"code": 5, "extra": true}]});
    let mut errors = Vec::new();
    validate(&schema, &schema, &bad, "$", &mut errors);
    let text = errors.join("\n");
    for needle in [
        "missing required `date`",
        "$.licence: expected",
        "$.communes[0].code: expected",
        "unexpected key `extra`",
    ] {
        assert!(text.contains(needle), "{needle} not in:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------------

fn assert_header(doc: &Value, schema: &str, audience: &str) {
    assert_eq!(doc["$schema"], format!("{BASE}/donnees/{schema}"));
    assert_eq!(doc["date"], "2025-11-28", "the build date");
    assert_eq!(doc["audience"], audience);
    assert_eq!(doc["source"]["nom"], "Annuaire de test");
    assert_eq!(doc["source"]["url"], format!("{BASE}/"));
    assert_eq!(doc["source"]["editeur"], "Équipe de test");
    if audience == "public" {
        assert_eq!(doc["licence"]["nom"], "Licence Ouverte 2.0");
        assert_eq!(
            doc["licence"]["url"],
            "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
        );
    } else {
        assert_ne!(doc["licence"]["nom"], "Licence Ouverte 2.0");
    }
}

#[test]
fn json_exports_hold_the_entries_public_fields() {
    let site = TestSite::new();
    let out = build(&site, &[]);
    let doc = json(&out, "donnees/prestataires.json");
    assert_header(&doc, "prestataires.schema.json", "public");
    assert_valid("prestataires.schema.json", &doc);
    let providers = doc["prestataires"].as_array().unwrap();
    let slugs: Vec<&str> = providers
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["alpha-graphisme", "beta-web"]);

    for p in providers {
        let slug = p["slug"].as_str().unwrap();
        let e = entry(&site, slug);
        assert_eq!(p["url"], format!("{BASE}/prestataires/{slug}/"));
        assert_eq!(p["nom"], scalar(&e, &["nom"]).unwrap());
        assert_eq!(p["forme"], scalar(&e, &["forme"]).unwrap());
        assert_eq!(p["siret"], scalar(&e, &["siret"]).unwrap());
        assert_eq!(p["resume"], scalar(&e, &["resume"]).unwrap());
        assert_eq!(
            p["charte"]["version"],
            scalar(&e, &["charte", "version"]).unwrap()
        );
        assert_eq!(
            p["charte"]["signee_le"],
            scalar(&e, &["charte", "signee_le"]).unwrap()
        );
        assert_eq!(p["charte"]["en_vigueur"], true);
        assert_eq!(p["mis_a_jour"], scalar(&e, &["mis_a_jour"]).unwrap());
        let langues: Vec<String> = strings(&e, "langues");
        assert_eq!(p["langues"], serde_json::json!(langues));
        // Skills: the entry's ids, in nomenclature order.
        let mut want: Vec<&str> = seq(&e, "competences")
            .iter()
            .map(|c| scalar(c, &["id"]).unwrap())
            .collect();
        let mut got: Vec<&str> = p["competences"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        want.sort_unstable();
        got.sort_unstable();
        assert_eq!(got, want, "{slug}");
        // Public evidence only: every entry evidence without `prive: true`, with its title.
        for c in seq(&e, "competences") {
            let id = scalar(c, &["id"]).unwrap();
            let exported = p["competences"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == id)
                .unwrap();
            let public: Vec<&Node> = seq(c, "justificatifs")
                .iter()
                .filter(|j| scalar(j, &["prive"]) != Some("true"))
                .collect();
            let ev = exported["justificatifs"].as_array().unwrap();
            assert_eq!(ev.len(), public.len(), "{slug} {id}");
            for (x, j) in ev.iter().zip(public) {
                assert_eq!(x["type"], scalar(j, &["type"]).unwrap());
                assert_eq!(x["titre"].as_str(), scalar(j, &["titre"]));
                assert_eq!(x["url"].as_str(), scalar(j, &["url"]));
            }
        }
        // Contact: exactly the fields listed in `publics`.
        let publics = strings(e.get("contact").unwrap(), "publics");
        let contact: BTreeSet<&str> = p["contact"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            contact,
            publics
                .iter()
                .map(String::as_str)
                .collect::<BTreeSet<&str>>(),
            "{slug}"
        );
        for field in &publics {
            assert_eq!(
                p["contact"][field],
                scalar(&e, &["contact", field]).unwrap()
            );
        }
    }
    let alpha = &providers[0];
    assert_eq!(alpha["commune"]["code"], "99001");
    assert_eq!(alpha["commune"]["nom"], "Villeneuve");
    assert_eq!(alpha["zone"]["type"], "commune");
    assert_eq!(alpha["competences"][0]["statut"], "verifiee");
    assert_eq!(alpha["competences"][0]["verifiee"], true);
    assert!(
        alpha["competences"][0]["statut_texte"]
            .as_str()
            .unwrap()
            .starts_with("Vérifiée par CCI Test")
    );
    assert_eq!(alpha["competences_verifiees"], 1);
    let beta = &providers[1];
    assert_eq!(beta["commune"]["code"], "99002", "resolved from the name");
    assert_eq!(beta["zone"]["type"], "communes");
    let zone: Vec<&str> = beta["zone"]["communes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(zone, ["99001", "99003"]);
    assert_eq!(beta["competences"][0]["statut"], "declaree");

    let nomenclature = json(&out, "donnees/nomenclature.json");
    assert_header(&nomenclature, "nomenclature.schema.json", "public");
    assert_valid("nomenclature.schema.json", &nomenclature);
    let families: Vec<&str> = nomenclature["familles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(families, ["graphisme", "web", "formation"]);
    let identite = &nomenclature["familles"][0]["competences"][0];
    assert_eq!(identite["id"], "graphisme/identite-visuelle");
    assert_eq!(identite["prestataires"], 1);
    assert_eq!(identite["verifies"], 1);
    assert_eq!(identite["codes"]["rome"], serde_json::json!(["E1205"]));
    assert_eq!(
        identite["justificatifs_acceptes"],
        serde_json::json!(["portfolio", "reference", "diplome", "certification"])
    );

    let communes = json(&out, "donnees/communes.json");
    assert_header(&communes, "communes.schema.json", "public");
    assert_valid("communes.schema.json", &communes);
    let list = communes["communes"].as_array().unwrap();
    let codes: BTreeSet<&str> = list.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, BTreeSet::from(["99001", "99002", "99003"]));
    let villeneuve = list.iter().find(|c| c["code"] == "99001").unwrap();
    assert_eq!(villeneuve["nom"], "Villeneuve");
    assert_eq!(villeneuve["prestataires_siege"], 1);
    assert_eq!(villeneuve["prestataires_intervenant"], 1);
    assert_eq!(
        villeneuve["anciennes_communes"],
        serde_json::json!(["Sainte-Ancienne"])
    );
    assert_eq!(villeneuve["url"], format!("{BASE}/communes/villeneuve/"));
    // Every URL of the exports is a page of the site.
    for doc in [&doc, &nomenclature, &communes] {
        let mut urls = Vec::new();
        collect_urls(doc, &mut urls);
        for u in urls.iter().filter(|u| u.starts_with(&format!("{BASE}/"))) {
            let rel = &u[BASE.len() + 1..];
            let file = if rel.is_empty() || rel.ends_with('/') {
                format!("{rel}index.html")
            } else {
                rel.to_string()
            };
            assert!(out.join(&file).is_file(), "{u} → {file}");
        }
    }
}

fn collect_urls(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("https://") => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_urls(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_urls(x, out)),
        _ => {}
    }
}

#[test]
fn csv_export_is_rfc4180_and_matches_the_json() {
    let site = TestSite::new();
    let out = build(&site, &[]);
    let bytes = fs::read(out.join("donnees/prestataires.csv")).unwrap();
    assert!(
        !bytes.starts_with(b"\xEF\xBB\xBF"),
        "no BOM in the public CSV"
    );
    let text = String::from_utf8(bytes.clone()).expect("UTF-8");
    assert!(text.ends_with("\r\n"));
    assert_eq!(
        text.matches('\n').count(),
        text.matches("\r\n").count(),
        "CRLF line ends only"
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for col in [
        "slug",
        "nom",
        "siret",
        "commune_code",
        "competence_id",
        "statut",
        "justificatifs",
        "charte_version",
        "mis_a_jour",
    ] {
        assert!(header.iter().any(|h| h == col), "column {col}: {header:?}");
    }
    for private_col in ["note_verification", "coordonnees_privees", "fichier"] {
        assert!(!header.iter().any(|h| h == private_col), "{private_col}");
    }
    let rows: Vec<BTreeMap<String, String>> = reader
        .records()
        .map(|r| {
            header
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect();
    // One row per provider and skill.
    let doc = json(&out, "donnees/prestataires.json");
    let mut expected = Vec::new();
    for p in doc["prestataires"].as_array().unwrap() {
        for c in p["competences"].as_array().unwrap() {
            expected.push((p, c));
        }
    }
    assert_eq!(rows.len(), expected.len());
    for (row, (p, c)) in rows.iter().zip(expected) {
        assert_eq!(row["slug"], p["slug"].as_str().unwrap());
        assert_eq!(row["url"], p["url"].as_str().unwrap());
        assert_eq!(row["nom"], p["nom"].as_str().unwrap());
        assert_eq!(row["siret"], p["siret"].as_str().unwrap());
        assert_eq!(row["commune_code"], p["commune"]["code"].as_str().unwrap());
        assert_eq!(row["resume"], p["resume"].as_str().unwrap());
        assert_eq!(row["site"], p["contact"]["site"].as_str().unwrap_or(""));
        assert_eq!(row["courriel"], "", "not public in the fixture");
        assert_eq!(row["competence_id"], c["id"].as_str().unwrap());
        assert_eq!(row["statut"], c["statut"].as_str().unwrap());
        assert_eq!(row["statut_texte"], c["statut_texte"].as_str().unwrap());
        assert_eq!(row["mis_a_jour"], p["mis_a_jour"].as_str().unwrap());
    }
    // A value with a comma was quoted, and read back whole.
    assert!(rows[0]["statut_texte"].contains(", valable jusqu'au"));
    assert!(text.contains("\"Vérifiée par CCI Test le 12 mars 2025, valable"));
}

#[test]
fn public_build_holds_no_private_field_anywhere() {
    let site = TestSite::new();
    let out = build(&site, &[]);
    let all = files(&out);
    for (path, bytes) in &all {
        let text = String::from_utf8_lossy(bytes);
        for s in PRIVATE {
            assert!(!text.contains(s), "{path} leaks « {s} »");
        }
    }
    for rel in [
        "donnees/prestataires.json",
        "donnees/prestataires.csv",
        "donnees/nomenclature.json",
        "donnees/communes.json",
    ] {
        assert!(all.contains_key(rel), "{rel} written");
    }
}

#[test]
fn mediation_exports_hold_the_private_fields() {
    let site = TestSite::new();
    let out = build(&site, &["--audience", "mediation"]);
    let doc = json(&out, "donnees/prestataires.json");
    assert_header(&doc, "prestataires.schema.json", "mediation");
    assert_valid("prestataires.schema.json", &doc);
    let text = read(&out, "donnees/prestataires.json");
    for s in PRIVATE {
        assert!(text.contains(s), "mediation JSON lacks « {s} »");
    }
    let alpha = &doc["prestataires"][0];
    assert_eq!(alpha["contact"]["courriel"], "bonjour@alpha.example");
    assert_eq!(
        alpha["contact"]["prives"],
        serde_json::json!(["courriel", "telephone"])
    );
    assert_eq!(
        alpha["competences"][0]["note"],
        "Portfolio vu en rendez-vous."
    );
    assert_eq!(alpha["competences"][0]["justificatifs"][1]["prive"], true);
    assert_eq!(alpha["fichier"], "content/prestataires/alpha-graphisme.md");

    // The mediators' CSV: UTF-8 with a BOM and semicolons, for spreadsheets set up for French.
    let bytes = fs::read(out.join("donnees/prestataires.csv")).unwrap();
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM");
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(body);
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "slug");
    assert!(header.iter().any(|h| h == "note_verification"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("courriel")], "bonjour@alpha.example");
    assert_eq!(&rows[0][col("telephone")], "04 66 00 00 01");
    assert_eq!(
        &rows[0][col("note_verification")],
        "Portfolio vu en rendez-vous."
    );
    assert!(rows[0][col("justificatifs")].contains("Mairie de Villeneuve, 2024 (privé)"));
    assert_eq!(&rows[0][col("coordonnees_privees")], "courriel ; telephone");

    // Not for search engines.
    assert_eq!(read(&out, "robots.txt").lines().last(), Some("Disallow: /"));
    for page in html_pages(&out) {
        let html = read(&out, &page);
        assert!(
            html.contains("<meta content=noindex name=robots>"),
            "{page}: noindex"
        );
    }
}

#[test]
fn sitemap_lists_every_page_and_only_pages() {
    let site = TestSite::new();
    let out = build(&site, &[]);
    let xml = read(&out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed sitemap");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let locs: Vec<String> = root
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap().to_string())
        .collect();
    let listed: BTreeSet<&String> = locs.iter().collect();
    assert_eq!(listed.len(), locs.len(), "no duplicates");
    let written: BTreeSet<String> = html_pages(&out)
        .into_iter()
        .filter(|p| p != "404.html")
        .map(|p| format!("{BASE}/{}", p.strip_suffix("index.html").unwrap()))
        .collect();
    assert_eq!(listed, written.iter().collect::<BTreeSet<&String>>());
    assert!(written.contains(&format!("{BASE}/donnees/")));
    assert!(!xml.contains("404"));
    let robots = read(&out, "robots.txt");
    assert!(
        robots.contains(&format!("Sitemap: {BASE}/sitemap.xml")),
        "{robots}"
    );
    assert!(!robots.contains("Disallow: /\n"));
}

#[test]
fn sitemap_and_links_follow_a_base_url_with_a_path() {
    let site = TestSite::new();
    let out = build(&site, &["--base-url", "https://x.example/sous/"]);
    let xml = read(&out, "sitemap.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .map(|n| n.text().unwrap())
        .collect();
    assert!(locs.contains(&"https://x.example/sous/"));
    assert!(locs.contains(&"https://x.example/sous/prestataires/beta-web/"));
    assert!(
        locs.iter()
            .all(|l| l.starts_with("https://x.example/sous/"))
    );
    let index = read(&out, "index.html");
    assert!(
        index.contains("href=/sous/site.webmanifest"),
        "manifest under the prefix"
    );
    let manifest: Value = serde_json::from_str(&read(&out, "site.webmanifest")).unwrap();
    assert_eq!(manifest["start_url"], "/sous/");
}

/// The text of the first `<script type=application/ld+json>` of a page, ended where a browser
/// ends it: at the first `</script`.
fn json_ld(html: &str) -> Value {
    let open = "<script type=application/ld+json>";
    let start = html.find(open).expect("a JSON-LD script") + open.len();
    let end = start + html[start..].find("</script").unwrap();
    serde_json::from_str(&html[start..end])
        .unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {}", &html[start..end]))
}

#[test]
fn provider_and_home_pages_carry_schema_org_json_ld() {
    let site = TestSite::new();
    // A provider whose public data would break out of a naive script element.
    site.write(
        "content/prestataires/gamma-conseil.md",
        r#"---
nom: Gamma & Fils
forme: association
commune: "99003"
zone: departement
resume: "Conseil </script><script>alert(1)</script> & <!-- formation -->"
contact:
  site: https://gamma.example
  courriel: contact@gamma.example
  telephone: "04 66 00 00 02"
  reseaux: ["https://social.example/gamma"]
  publics: [site, courriel, telephone, reseaux]
competences:
  - id: formation/bureautique
    justificatifs:
      - type: diplome
        titre: Formateur professionnel
        etablissement: AFPA
        annee: 2022
charte:
  version: "2025-1"
  signee_le: 2025-06-01
mis_a_jour: 2025-06-02
---
Formations.
"#,
    );
    let out = build(&site, &[]);

    let html = read(&out, "prestataires/alpha-graphisme/index.html");
    let ld = json_ld(&html);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "ProfessionalService");
    assert_eq!(ld["name"], "Alpha Graphisme");
    assert_eq!(ld["description"], "Identité visuelle pour les artisans.");
    assert_eq!(ld["url"], format!("{BASE}/prestataires/alpha-graphisme/"));
    assert_eq!(ld["address"]["@type"], "PostalAddress");
    assert_eq!(ld["address"]["addressLocality"], "Villeneuve");
    assert_eq!(ld["address"]["postalCode"], "99100");
    assert_eq!(ld["address"]["addressCountry"], "FR");
    assert_eq!(ld["areaServed"]["@type"], "City");
    assert_eq!(ld["knowsAbout"], serde_json::json!(["Identité visuelle"]));
    assert_eq!(ld["sameAs"], serde_json::json!(["https://alpha.example"]));
    assert!(
        ld.get("telephone").is_none() && ld.get("email").is_none(),
        "private"
    );

    let beta = json_ld(&read(&out, "prestataires/beta-web/index.html"));
    let area: Vec<&str> = beta["areaServed"]
        .as_array()
        .expect("several communes")
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(area, ["Villeneuve", "Le Pré"]);
    assert!(
        beta["knowsAbout"]
            .as_array()
            .unwrap()
            .iter()
            .all(Value::is_string)
    );

    let gamma_html = read(&out, "prestataires/gamma-conseil/index.html");
    let script_start = gamma_html
        .find("<script type=application/ld+json>")
        .unwrap();
    let script_end = script_start + gamma_html[script_start..].find("</script>").unwrap();
    let script = &gamma_html[script_start..script_end];
    assert!(
        !script[1..].contains('<') && !script.contains('&'),
        "{script}"
    );
    let gamma = json_ld(&gamma_html);
    assert_eq!(gamma["name"], "Gamma & Fils");
    assert_eq!(
        gamma["description"],
        "Conseil </script><script>alert(1)</script> & <!-- formation -->"
    );
    assert_eq!(gamma["telephone"], "04 66 00 00 02");
    assert_eq!(gamma["email"], "contact@gamma.example");
    assert_eq!(
        gamma["sameAs"],
        serde_json::json!(["https://gamma.example", "https://social.example/gamma"])
    );
    assert_eq!(gamma["areaServed"]["@type"], "AdministrativeArea");
    assert_eq!(gamma["areaServed"]["name"], "Testland");
    // Read as a browser would: the only script element is the JSON-LD one.
    let scripts: Vec<Option<String>> = html5gum::Tokenizer::new(gamma_html.as_str())
        .filter_map(|t| match t.unwrap() {
            html5gum::Token::StartTag(tag) if tag.name.as_slice() == b"script" => Some(
                tag.attributes
                    .get(b"type".as_slice())
                    .map(|v| String::from_utf8_lossy(v).into_owned()),
            ),
            _ => None,
        })
        .collect();
    assert_eq!(scripts, [Some("application/ld+json".to_string())]);

    let home = json_ld(&read(&out, "index.html"));
    assert_eq!(home["@type"], "WebSite");
    assert_eq!(home["url"], format!("{BASE}/"));
    assert_eq!(home["name"], "Annuaire de test");
    let action = &home["potentialAction"];
    assert_eq!(action["@type"], "SearchAction");
    assert_eq!(
        action["target"]["urlTemplate"],
        format!("{BASE}/recherche/?q={{search_term_string}}")
    );
    assert_eq!(action["query-input"], "required name=search_term_string");
}

#[test]
fn atom_feed_is_well_formed_and_newest_first() {
    let site = TestSite::new();
    // Markup in a name and a summary must come out escaped, not break the XML.
    site.write(
        "content/prestataires/delta.md",
        r#"---
nom: "Delta <b>&</b> Cie"
forme: association
commune: "99003"
resume: "Ateliers « numérique & co » <br> pour <tous>"
competences:
  - id: formation/bureautique
    justificatifs:
      - type: diplome
        titre: Titre pro
        annee: 2022
charte:
  version: "2025-1"
  signee_le: 2025-01-01
mis_a_jour: 2025-10-01
---
"#,
    );
    let out = build(&site, &[]);
    let xml = read(&out, "flux.xml");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed Atom");
    let atom = "http://www.w3.org/2005/Atom";
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(feed.tag_name().namespace(), Some(atom));
    fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        n.children()
            .find(|c| {
                c.tag_name().name() == name
                    && c.tag_name().namespace() == Some("http://www.w3.org/2005/Atom")
            })
            .unwrap_or_else(|| panic!("<{name}> in <{}>", n.tag_name().name()))
    }
    let text =
        |n: roxmltree::Node<'_, '_>, name: &str| child(n, name).text().unwrap_or("").to_string();
    assert_eq!(text(feed, "id"), format!("{BASE}/"));
    assert!(text(feed, "title").starts_with("Annuaire de test"));
    assert_eq!(text(feed, "updated"), "2025-10-01T00:00:00Z");
    assert_eq!(text(child(feed, "author"), "name"), "Équipe de test");
    let self_link = feed
        .children()
        .find(|c| c.has_tag_name((atom, "link")) && c.attribute("rel") == Some("self"))
        .expect("rel=self");
    assert_eq!(
        self_link.attribute("href"),
        Some(format!("{BASE}/flux.xml").as_str())
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.has_tag_name((atom, "entry")))
        .collect();
    let titles: Vec<String> = entries.iter().map(|e| text(*e, "title")).collect();
    assert_eq!(
        titles,
        ["Delta <b>&</b> Cie", "Alpha Graphisme", "Bêta Web"]
    );
    let updated: Vec<String> = entries.iter().map(|e| text(*e, "updated")).collect();
    assert_eq!(
        updated,
        [
            "2025-10-01T00:00:00Z",
            "2025-02-01T00:00:00Z",
            "2025-01-20T00:00:00Z"
        ]
    );
    for e in &entries {
        let id = text(*e, "id");
        assert!(id.starts_with(&format!("{BASE}/prestataires/")), "{id}");
        let link = child(*e, "link");
        assert_eq!(link.attribute("href"), Some(id.as_str()));
        let rel = link.attribute("href").unwrap()[BASE.len() + 1..].to_string();
        assert!(out.join(format!("{rel}index.html")).is_file());
        assert!(!text(*e, "summary").is_empty());
    }
    assert!(
        text(entries[0], "summary").starts_with("Ateliers « numérique & co » <br> pour <tous>")
    );
    // The feed is announced on every page.
    assert!(read(&out, "index.html").contains(
        "<link href=/flux.xml rel=alternate title=\"Annuaire de test : fiches nouvelles et mises à jour\" type=application/atom+xml>"
    ));
}

#[test]
fn every_page_has_social_meta_favicon_and_manifest() {
    let site = TestSite::new();
    let out = build(&site, &[]);
    for page in html_pages(&out) {
        let html = read(&out, &page);
        for needle in [
            "property=og:title",
            "property=og:url",
            "<meta content=website property=og:type>",
            "<meta content=fr_FR property=og:locale>",
            "<meta content=\"Annuaire de test\" property=og:site_name>",
            "<meta content=summary name=twitter:card>",
            "rel=icon type=image/svg+xml>",
            "<link href=/site.webmanifest rel=manifest>",
        ] {
            assert!(html.contains(needle), "{page}: {needle}");
        }
        assert!(
            !html.contains("name=robots"),
            "{page}: the public site is indexed"
        );
    }
    let provider = read(&out, "prestataires/alpha-graphisme/index.html");
    assert!(provider.contains(
        "<meta content=https://annuaire-test.example/prestataires/alpha-graphisme/ property=og:url>"
    ));
    assert!(provider.contains(
        "<meta content=\"Identité visuelle pour les artisans.\" property=og:description>"
    ));

    let manifest: Value = serde_json::from_str(&read(&out, "site.webmanifest")).unwrap();
    assert_eq!(manifest["name"], "Annuaire de test");
    assert!(manifest["short_name"].as_str().unwrap().chars().count() <= 12);
    assert_eq!(manifest["lang"], "fr");
    assert_eq!(manifest["start_url"], "/");
    assert_eq!(manifest["display"], "standalone");
    let icon = &manifest["icons"][0];
    assert_eq!(icon["type"], "image/svg+xml");
    let src = icon["src"].as_str().unwrap();
    let svg = read(&out, src.trim_start_matches('/'));
    let svg_doc = roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert_eq!(svg_doc.root_element().tag_name().name(), "svg");
    assert!(provider.contains(&format!("<link href={src} rel=icon")));
}

#[test]
fn data_page_documents_every_file_and_column() {
    let site = TestSite::new();
    let out = build(&site, &[]);
    let html = read(&out, "donnees/index.html");
    for file in [
        "prestataires.json",
        "prestataires.csv",
        "nomenclature.json",
        "communes.json",
    ] {
        assert!(html.contains(&format!("href=/donnees/{file}>")), "{file}");
    }
    for schema in ["prestataires", "nomenclature", "communes"] {
        let href = format!("/donnees/{schema}.schema.json");
        assert!(
            html.contains(&format!("href={href}>")),
            "{schema} schema link"
        );
        let published: Value = serde_json::from_str(&read(&out, &href[1..])).unwrap();
        let repo: Value = serde_json::from_str(
            &fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("schema/donnees")
                    .join(format!("{schema}.schema.json")),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(published, repo, "published schema = repository schema");
    }
    // Every column of the CSV as written, documented on the page.
    let csv_bytes = fs::read(out.join("donnees/prestataires.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(csv_bytes.as_slice());
    for column in reader.headers().unwrap() {
        assert!(
            html.contains(&format!("<code>{column}</code>")),
            "column {column}"
        );
    }
    // Every key of a provider object, documented.
    let doc = json(&out, "donnees/prestataires.json");
    for key in doc["prestataires"][0].as_object().unwrap().keys() {
        assert!(html.contains(&format!("<code>{key}</code>")), "key {key}");
    }
    assert!(html.contains("Licence Ouverte 2.0"));
    assert!(html.contains("28 novembre 2025"), "the update date");
    assert!(
        read(&out, "index.html").contains("href=/donnees/>"),
        "linked from every page"
    );
}
