//! Contents of the search index: what is indexed, in which field, how it is tokenized, and what
//! never gets in (private data).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use annuaire::audience::{self, Audience};
use annuaire::model::Date;
use annuaire::{SiteOptions, search};
use serde_json::Value;

fn built(audience: Audience) -> (BTreeMap<String, Vec<u8>>, Value) {
    let (_, files, manifest) = built_at(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini"),
        audience,
    );
    (files, manifest)
}

/// The search files of the site at `root` for `audience`, with the view they were built from
/// and the parsed manifest.
fn built_at(root: &Path, audience: Audience) -> (audience::View, BTreeMap<String, Vec<u8>>, Value) {
    let opts = SiteOptions {
        root: root.to_path_buf(),
        today: Date::parse("2025-11-28").unwrap(),
        base_url: None,
    };
    let loaded = annuaire::load(&opts).unwrap();
    let view = audience::project(&loaded.directory, audience);
    let index = search::build(&view);
    let files: BTreeMap<String, Vec<u8>> =
        index.files.into_iter().map(|f| (f.path, f.bytes)).collect();
    let manifest_path = index.manifest_url.trim_start_matches('/');
    let manifest = serde_json::from_slice(&files[manifest_path]).unwrap();
    (view, files, manifest)
}

/// Every term of `field` with the documents it points to, gathered from all shards.
fn terms(
    files: &BTreeMap<String, Vec<u8>>,
    manifest: &Value,
    field: &str,
) -> BTreeMap<String, BTreeSet<String>> {
    postings_by_term(files, manifest, field)
        .into_iter()
        .map(|(term, (_, docs))| (term, docs.into_iter().map(|(doc, _)| doc).collect()))
        .collect()
}

#[test]
fn fields_hold_names_skills_places_and_text() {
    let (files, manifest) = built(Audience::Public);
    let fields: Vec<&str> = manifest["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["nom", "competences", "lieu", "texte"]);
    assert_eq!(
        manifest["skeleton"]["pipeline"],
        serde_json::json!(["annuaire-stop-fr", "annuaire-stem-fr"])
    );
    let nom = terms(&files, &manifest, "nom");
    // "Bêta Web": accents folded.
    assert!(
        nom.contains_key("beta") && nom.contains_key("web"),
        "{nom:?}"
    );
    assert!(nom.contains_key("alpha"));
    let competences = terms(&files, &manifest, "competences");
    assert!(competences.contains_key("accessibil"), "{competences:?}");
    let lieu = terms(&files, &manifest, "lieu");
    // Commune, postcode (digits kept), the former commune (alias), zone communes.
    for t in ["villeneuv", "99100", "ancien", "amont", "99200", "pre"] {
        assert!(lieu.contains_key(t), "{t} missing from lieu: {lieu:?}");
    }
    let texte = terms(&files, &manifest, "texte");
    assert!(texte.contains_key("artisan"), "summary indexed: {texte:?}");
    assert!(texte.contains_key("vitrin"), "description indexed");
    // Elided articles and single letters never become terms.
    for field in ["nom", "competences", "lieu", "texte"] {
        let t = terms(&files, &manifest, field);
        assert!(
            !t.keys()
                .any(|k| k.len() == 1 && k.as_bytes()[0].is_ascii_lowercase()),
            "{field}: {t:?}"
        );
        assert!(
            !t.keys()
                .any(|k| k.contains('\'') || k.contains('’') || !k.is_ascii()),
            "{field}: {t:?}"
        );
    }
}

#[test]
fn private_data_never_reaches_the_index() {
    for audience in [Audience::Public, Audience::Mediation] {
        let (files, _) = built(audience);
        let all: String = files
            .values()
            .map(|b| String::from_utf8_lossy(b).to_lowercase())
            .collect();
        for private in [
            "mairie",
            "bonjour@alpha",
            "04 66 00 00 01",
            "rendez-vous",
            "rendez",
        ] {
            assert!(
                !all.contains(private),
                "{private} in the {audience:?} search files"
            );
        }
    }
}

#[test]
fn places_resolve_names_former_names_and_postcodes() {
    let (_, manifest) = built(Audience::Public);
    let places = manifest["places"].as_object().unwrap();
    let communes = manifest["communes"].as_array().unwrap();
    let name_of = |key: &str| -> Vec<String> {
        places[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                communes[i.as_u64().unwrap() as usize][1]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(name_of("villeneuve"), ["Villeneuve"]);
    assert_eq!(name_of("sainte ancienne"), ["Villeneuve"]);
    assert_eq!(name_of("bourg d amont"), ["Bourg-d'Amont"]);
    assert_eq!(name_of("99210"), ["Bourg-d'Amont"]);
}

#[test]
fn files_are_fingerprinted_and_cards_hold_only_display_fields() {
    let (files, manifest) = built(Audience::Public);
    for path in files.keys() {
        let name = path.rsplit('/').next().unwrap();
        let parts: Vec<&str> = name.split('.').collect();
        assert!(
            parts.len() == 3 && parts[1].len() == 10 && parts[2] == "json",
            "{name}"
        );
    }
    let docs_url = manifest["docs"]["files"][0]
        .as_str()
        .unwrap()
        .trim_start_matches('/');
    let cards: Value = serde_json::from_slice(&files[docs_url]).unwrap();
    let first = cards[0].as_object().unwrap();
    assert_eq!(
        first.keys().cloned().collect::<Vec<_>>(),
        ["c", "n", "r", "s", "u", "v"]
    );
    assert_eq!(first["n"], "Alpha Graphisme");
    assert_eq!(first["v"], true);
}

/// The split files put back together (every shard grafted, the field lengths from the facets)
/// are the index elasticlunr-rs itself builds from the same documents: same terms, same postings,
/// same term frequencies and document frequencies, same field lengths and document count.
#[test]
fn split_files_equal_elasticlunr_rs_index_of_the_same_documents() {
    for audience in [Audience::Public, Audience::Mediation] {
        let (view, files, manifest) = built_at(Path::new(env!("CARGO_MANIFEST_DIR")), audience);
        let read = |url: &str| -> Value {
            serde_json::from_slice(&files[url.trim_start_matches('/')]).unwrap()
        };

        let mut oracle =
            elasticlunr::IndexBuilder::with_language(Box::new(search::pipeline::French))
                .save_docs(false)
                .add_fields(search::FIELDS.iter().map(|f| f.0))
                .build();
        for (i, fields) in search::documents(&view).iter().enumerate() {
            oracle.add_doc(&i.to_string(), fields);
        }
        let oracle: Value = serde_json::from_str(&oracle.to_json()).unwrap();

        // Skeleton: everything but the tries and the document store's contents.
        let skeleton = &manifest["skeleton"];
        for key in ["version", "fields", "ref", "pipeline", "lang"] {
            assert_eq!(skeleton[key], oracle[key], "{key}");
        }
        assert_eq!(
            skeleton["documentStore"]["length"],
            oracle["documentStore"]["length"]
        );

        // Tries: every term's postings, from the shards.
        for (field, _) in search::FIELDS {
            let ours = postings_by_term(&files, &manifest, field);
            let theirs = {
                let mut out = BTreeMap::new();
                walk_postings(&oracle["index"][field]["root"], "", &mut out);
                out
            };
            assert_eq!(ours.len(), theirs.len(), "{audience:?} {field}: term count");
            assert_eq!(ours, theirs, "{audience:?} {field}");
        }

        // Field lengths, from the facets.
        let facets = read(manifest["facets"].as_str().unwrap());
        let doc_info = oracle["documentStore"]["docInfo"].as_object().unwrap();
        assert_eq!(facets.as_array().unwrap().len(), doc_info.len());
        for (id, row) in facets.as_array().unwrap().iter().enumerate() {
            for (k, (field, _)) in search::FIELDS.iter().enumerate() {
                assert_eq!(
                    row[4][k],
                    doc_info[&id.to_string()][*field],
                    "doc {id} {field}"
                );
            }
        }
    }
}

/// term → (df, [(doc, tf)]) of one field's trie.
type Postings = BTreeMap<String, (i64, Vec<(String, String)>)>;

fn walk_postings(node: &Value, prefix: &str, out: &mut Postings) {
    let Value::Object(map) = node else { return };
    if let Some(Value::Object(docs)) = map.get("docs")
        && !docs.is_empty()
    {
        // tf compared as numbers printed the same way (1 and 1.0 are the same to JavaScript).
        let list = docs
            .iter()
            .map(|(d, tf)| (d.clone(), format!("{:.12}", tf["tf"].as_f64().unwrap())))
            .collect();
        out.insert(prefix.to_string(), (map["df"].as_i64().unwrap(), list));
    }
    for (k, v) in map {
        if k != "docs" && k != "df" {
            walk_postings(v, &format!("{prefix}{k}"), out);
        }
    }
}

fn postings_by_term(files: &BTreeMap<String, Vec<u8>>, manifest: &Value, field: &str) -> Postings {
    let mut out = BTreeMap::new();
    for (key, url) in manifest["shards"].as_object().unwrap() {
        let shard: Value =
            serde_json::from_slice(&files[url.as_str().unwrap().trim_start_matches('/')]).unwrap();
        let prefix = key.trim_end_matches('=');
        if let Some(tree) = shard["tries"].get(field) {
            walk_postings(tree, prefix, &mut out);
        }
    }
    out
}
