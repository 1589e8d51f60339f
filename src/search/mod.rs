//! Search: an elasticlunr index over what the page's audience may see, split so a first query
//! downloads only what it needs.
//!
//! Files, all under `recherche/` with fingerprinted names except the manifest's pointer in the
//! search page:
//! - `index.<hash>.json` — the manifest: the elasticlunr index *skeleton* (fields, pipeline names,
//!   document count, empty tries), the shard table, the doc-chunk and facet file names, the
//!   families and communes used by facets, and a place lookup (names, former names and postcodes
//!   → communes) so "Marvejols" or "48100" in a query becomes a commune filter;
//! - `shard-<prefix>.<hash>.json` — for one term prefix, the subtrees of every field's trie and the
//!   field lengths of the documents they mention: the browser grafts them into the skeleton, so
//!   stock elasticlunr.js scores exactly as the full index would;
//! - `docs-<n>.<hash>.json` — what a result shows (name, URL, summary, commune, skills, verified),
//!   [`DOCS_PER_CHUNK`] documents per file;
//! - `facets.<hash>.json` — per document: family bitmask, verified, commune and zone, for facet
//!   counts over all matches.

pub mod pipeline;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::audience::View;
use crate::output::fingerprinted_name;

/// Index fields and their query-time boosts (the browser reads them from the manifest).
pub const FIELDS: &[(&str, u32)] = &[("nom", 4), ("competences", 3), ("lieu", 2), ("texte", 1)];
pub const DOCS_PER_CHUNK: usize = 64;
/// A shard whose JSON is larger than this is split by one more character.
pub const MAX_SHARD_BYTES: usize = 48 * 1024;

/// One output file of the search index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFile {
    /// Path relative to the output root.
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The search files and the manifest URL the search page points to.
#[derive(Debug, Clone)]
pub struct SearchIndex {
    pub files: Vec<SearchFile>,
    pub manifest_url: String,
}

#[derive(Serialize)]
struct DocCard<'a> {
    n: &'a str,
    u: &'a str,
    r: &'a str,
    c: &'a str,
    s: Vec<&'a str>,
    v: bool,
}

/// Builds the index files for `view` (only what its audience may see).
pub fn build(view: &View) -> SearchIndex {
    let root = &view.site.root;
    let mut index = elasticlunr::IndexBuilder::with_language(Box::new(pipeline::French))
        .save_docs(false)
        .add_fields(FIELDS.iter().map(|f| f.0))
        .build();
    let commune_names: BTreeMap<&str, &crate::audience::CommuneView> =
        view.communes.iter().map(|c| (c.code.as_str(), c)).collect();
    for (i, p) in view.providers.iter().enumerate() {
        let skills: Vec<String> = p
            .groups
            .iter()
            .flat_map(|g| {
                std::iter::once(g.family_label.clone())
                    .chain(g.claims.iter().map(|c| c.label.clone()))
            })
            .collect();
        let mut place = vec![p.commune.name.clone()];
        place.extend(p.commune.postal_codes.iter().cloned());
        if let Some(c) = commune_names.get(p.commune.code.as_str()) {
            place.extend(c.former.iter().cloned());
        }
        for z in &p.zone {
            place.push(z.name.clone());
            if let Some(c) = commune_names.get(z.code.as_str()) {
                place.extend(c.former.iter().cloned());
            }
        }
        let text = format!(
            "{} {}",
            p.summary,
            crate::render::markdown::plain_text(&p.body)
        );
        index.add_doc(
            &i.to_string(),
            [p.name.clone(), skills.join(" "), place.join(" "), text],
        );
    }
    let full: Value = serde_json::from_str(&index.to_json()).unwrap_or(Value::Null);

    let mut files = Vec::new();
    let dir = "recherche";
    let mut add = |name: &str, value: &Value| -> String {
        let bytes = crate::output::safe_json(value);
        let fname = fingerprinted_name(&format!("{name}.json"), &bytes);
        files.push(SearchFile {
            path: format!("{dir}/{fname}"),
            bytes,
        });
        format!("{root}/{dir}/{fname}")
    };

    // Shards by term prefix, split further while too large.
    let (skeleton, tries, doc_info) = split_index(full);
    let mut shard_urls = BTreeMap::new();
    let mut pending: Vec<String> = first_chars(&tries)
        .into_iter()
        .map(|c| c.to_string())
        .collect();
    while let Some(prefix) = pending.pop() {
        let shard = shard_for(&tries, &doc_info, &prefix);
        let size = serde_json::to_vec(&shard).map(|b| b.len()).unwrap_or(0);
        let children = next_chars(&tries, &prefix);
        if size > MAX_SHARD_BYTES && prefix.len() < 3 && !children.is_empty() {
            // The terms equal to the prefix itself stay in a shard of their own ("" child).
            let own = shard_for_exact(&tries, &doc_info, &prefix);
            if let Some(own) = own {
                shard_urls.insert(format!("{prefix}="), add(&format!("shard-{prefix}_"), &own));
            }
            pending.extend(children.into_iter().map(|c| format!("{prefix}{c}")));
        } else {
            shard_urls.insert(prefix.clone(), add(&format!("shard-{prefix}"), &shard));
        }
    }

    // Result cards, in chunks.
    let cards: Vec<DocCard> = view
        .providers
        .iter()
        .map(|p| DocCard {
            n: &p.name,
            u: &p.url,
            r: &p.summary,
            c: &p.commune.name,
            s: p.groups
                .iter()
                .flat_map(|g| g.claims.iter().map(|c| c.label.as_str()))
                .collect(),
            v: p.verified_count > 0,
        })
        .collect();
    let doc_urls: Vec<String> = cards
        .chunks(DOCS_PER_CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            add(
                &format!("docs-{n}"),
                &serde_json::to_value(chunk).unwrap_or(Value::Null),
            )
        })
        .collect();

    // Facets: [family bitmask, verified, commune index, zone] per document; zone is -1 for the
    // whole territory, or the list of commune indices served besides its own.
    let family_index: BTreeMap<&str, usize> = view
        .families
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let commune_index: BTreeMap<&str, usize> = view
        .communes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let facets: Vec<Value> = view
        .providers
        .iter()
        .map(|p| {
            let mask: u64 = p
                .groups
                .iter()
                .filter_map(|g| family_index.get(g.family.as_str()))
                .fold(0, |m, &i| m | (1u64 << i.min(63)));
            let commune = commune_index
                .get(p.commune.code.as_str())
                .copied()
                .map_or(-1, |i| i as i64);
            let zone = match p.zone_kind {
                "territoire" => json!(-1),
                _ => json!(
                    p.zone
                        .iter()
                        .filter_map(|z| commune_index.get(z.code.as_str()))
                        .collect::<Vec<_>>()
                ),
            };
            json!([mask, u8::from(p.verified_count > 0), commune, zone])
        })
        .collect();
    let facets_url = add("facets", &Value::Array(facets));

    // Places a query may name: folded token strings → commune indices.
    let mut places: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, c) in view.communes.iter().enumerate() {
        for name in std::iter::once(&c.name).chain(c.former.iter()) {
            places
                .entry(pipeline::tokenize(name).join(" "))
                .or_default()
                .insert(i);
        }
        for pc in &c.postal_codes {
            places.entry(pc.clone()).or_default().insert(i);
        }
    }
    let manifest = json!({
        "version": 1,
        "skeleton": skeleton,
        "fields": FIELDS.iter().map(|(f, b)| json!({"name": f, "boost": b})).collect::<Vec<_>>(),
        "shards": shard_urls,
        "docs": { "perChunk": DOCS_PER_CHUNK, "files": doc_urls },
        "facets": facets_url,
        "families": view.families.iter().map(|f| json!([f.id, f.label])).collect::<Vec<_>>(),
        "communes": view.communes.iter().map(|c| json!([c.code, c.name, if c.has_page() { Value::String(c.url.clone()) } else { Value::Null }])).collect::<Vec<_>>(),
        "places": places,
        "territoryCount": view.territory_wide.len(),
    });
    let manifest_url = add("index", &manifest);
    SearchIndex {
        files,
        manifest_url,
    }
}

type Tries = BTreeMap<String, Map<String, Value>>;

/// Splits the serialised elasticlunr index into a skeleton (empty tries, empty docInfo), the root
/// trie of each field, and the field lengths of each document.
fn split_index(mut full: Value) -> (Value, Tries, Map<String, Value>) {
    let mut tries = BTreeMap::new();
    if let Some(Value::Object(fields)) = full.get_mut("index") {
        for (field, inverted) in fields.iter_mut() {
            let root = inverted.get_mut("root").map(Value::take);
            if let Some(Value::Object(root)) = root {
                tries.insert(field.clone(), root);
            }
            *inverted = json!({ "root": { "docs": {}, "df": 0 } });
        }
    }
    let doc_info = full
        .get_mut("documentStore")
        .and_then(|d| d.get_mut("docInfo"))
        .map(Value::take)
        .and_then(|v| {
            if let Value::Object(m) = v {
                Some(m)
            } else {
                None
            }
        })
        .unwrap_or_default();
    if let Some(store) = full.get_mut("documentStore") {
        store["docInfo"] = json!({});
        store["docs"] = json!({});
    }
    (full, tries, doc_info)
}

fn is_child_key(k: &str) -> bool {
    k != "docs" && k != "df"
}

fn first_chars(tries: &Tries) -> BTreeSet<String> {
    tries
        .values()
        .flat_map(|root| root.keys().filter(|k| is_child_key(k)).cloned())
        .collect()
}

fn node<'a>(root: &'a Map<String, Value>, prefix: &str) -> Option<&'a Map<String, Value>> {
    let mut cur = root;
    for c in prefix.chars() {
        cur = cur.get(&c.to_string())?.as_object()?;
    }
    Some(cur)
}

fn next_chars(tries: &Tries, prefix: &str) -> BTreeSet<String> {
    tries
        .values()
        .filter_map(|root| node(root, prefix))
        .flat_map(|n| n.keys().filter(|k| is_child_key(k)).cloned())
        .collect()
}

fn collect_docs(n: &Map<String, Value>, out: &mut BTreeSet<String>) {
    if let Some(Value::Object(docs)) = n.get("docs") {
        out.extend(docs.keys().cloned());
    }
    for (k, v) in n {
        if is_child_key(k)
            && let Value::Object(child) = v
        {
            collect_docs(child, out);
        }
    }
}

fn with_doc_info(
    tries: Map<String, Value>,
    doc_info: &Map<String, Value>,
    docs: &BTreeSet<String>,
) -> Value {
    let info: Map<String, Value> = docs
        .iter()
        .filter_map(|d| doc_info.get(d).map(|v| (d.clone(), v.clone())))
        .collect();
    json!({ "tries": tries, "docInfo": info })
}

/// The subtree at `prefix` of every field.
fn shard_for(tries: &Tries, doc_info: &Map<String, Value>, prefix: &str) -> Value {
    let mut out = Map::new();
    let mut docs = BTreeSet::new();
    for (field, root) in tries {
        if let Some(n) = node(root, prefix) {
            collect_docs(n, &mut docs);
            out.insert(field.clone(), Value::Object(n.clone()));
        }
    }
    with_doc_info(out, doc_info, &docs)
}

/// Only the node at `prefix` itself (its own postings), when its children get shards of their own.
fn shard_for_exact(tries: &Tries, doc_info: &Map<String, Value>, prefix: &str) -> Option<Value> {
    let mut out = Map::new();
    let mut docs = BTreeSet::new();
    for (field, root) in tries {
        if let Some(n) = node(root, prefix) {
            let own: Map<String, Value> = n
                .iter()
                .filter(|(k, _)| !is_child_key(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if let Some(Value::Object(d)) = own.get("docs")
                && !d.is_empty()
            {
                docs.extend(d.keys().cloned());
                out.insert(field.clone(), Value::Object(own));
            }
        }
    }
    (!out.is_empty()).then(|| with_doc_info(out, doc_info, &docs))
}
