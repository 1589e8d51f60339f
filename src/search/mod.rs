//! Search: an elasticlunr index over what the page's audience may see, split so a first query
//! downloads only what it needs.
//!
//! Files, all under `recherche/` with fingerprinted names except the manifest's pointer in the
//! search page:
//! - `index.<hash>.json` — the manifest: the elasticlunr index *skeleton* (fields, pipeline names,
//!   document count, empty tries), the shard table, the doc-chunk and facet file names, the
//!   families and communes used by facets, and a place lookup (names, former names and postcodes
//!   → communes) so "Marvejols" or "48100" in a query becomes a commune filter;
//! - `shard-<prefix>.<hash>.json` — for one term prefix, the subtrees of every field's trie: the
//!   browser grafts them into the skeleton, so stock elasticlunr.js scores exactly as the full
//!   index would;
//! - `docs-<n>.<hash>.json` — what a result shows (name, URL, summary, commune, skills, verified),
//!   [`DOCS_PER_CHUNK`] documents per file;
//! - `facets.<hash>.json` — per document: family bitmask, verified, commune and zone, for facet
//!   counts over all matches, and the field lengths elasticlunr scores with (its `docInfo`), sent
//!   once here rather than repeated in every shard that names the document.
//!
//! The postings are built by [`postings`] (compact, written straight into shards); the tokens
//! come from [`pipeline`], the same code our elasticlunr-rs [`pipeline::French`] language runs.

pub mod pipeline;
pub mod postings;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::audience::View;
use crate::output::fingerprinted_name;

/// Index fields and their query-time boosts (the browser reads them from the manifest).
pub const FIELDS: &[(&str, u32)] = &[("nom", 4), ("competences", 3), ("lieu", 2), ("texte", 1)];
pub const DOCS_PER_CHUNK: usize = 64;
/// A shard whose JSON is larger than this is split by one more character.
pub const MAX_SHARD_BYTES: usize = 48 * 1024;
/// Prefixes stop growing at this length: a longer one would only ever split a handful of terms.
pub const MAX_PREFIX_CHARS: usize = 3;

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

/// The texts indexed for each provider, in document order, one per field of [`FIELDS`]: name; families and skills;
/// commune, postcodes, zone and former commune names; summary and body as plain text (refused addresses left out, as in the open data).
pub fn documents(view: &View) -> Vec<[String; 4]> {
    let former = former_names(view);
    view.providers
        .iter()
        .map(|p| document(p, &former))
        .collect()
}

/// Former names of each commune, by code.
fn former_names(view: &View) -> HashMap<&str, &[String]> {
    view.communes
        .iter()
        .map(|c| (c.code.as_str(), c.former.as_slice()))
        .collect()
}

fn document(p: &crate::audience::ProviderView, former: &HashMap<&str, &[String]>) -> [String; 4] {
    let former = |code: &str| former.get(code).copied().unwrap_or_default();
    let mut skills = String::new();
    for g in &p.groups {
        push_word(&mut skills, &g.family_label);
        for c in &g.claims {
            push_word(&mut skills, &c.label);
        }
    }
    let mut place = p.commune.name.clone();
    for pc in &p.commune.postal_codes {
        push_word(&mut place, pc);
    }
    for f in former(&p.commune.code) {
        push_word(&mut place, f);
    }
    for z in &p.zone {
        push_word(&mut place, &z.name);
        for f in former(&z.code) {
            push_word(&mut place, f);
        }
    }
    let text = format!("{} {}", p.summary, p.text);
    [p.name.clone(), skills, place, text]
}

fn push_word(out: &mut String, word: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
}

/// Providers analysed per batch: enough to keep both cores busy, few enough that the token lists
/// in flight stay small next to the postings.
const BATCH: usize = 2048;

/// The inverted index of every field, and each document's field lengths (tokens after the
/// pipeline, as elasticlunr counts them).
pub fn index_fields(view: &View) -> (Vec<postings::FieldIndex>, Vec<[u32; 4]>) {
    let mut builders: Vec<postings::FieldBuilder> =
        FIELDS.iter().map(|_| Default::default()).collect();
    let mut lengths = Vec::with_capacity(view.providers.len());
    let former = former_names(view);
    for (batch, providers) in view.providers.chunks(BATCH).enumerate() {
        // Analysed in parallel, then transposed so each field's postings grow on their own thread.
        let analysed: Vec<[Vec<String>; 4]> = providers
            .par_iter()
            .map(|p| document(p, &former).map(|text| pipeline::analyze(&text)))
            .collect();
        let first = (batch * BATCH) as u32;
        let mut per_field: Vec<Vec<Vec<String>>> = FIELDS.iter().map(|_| Vec::new()).collect();
        for fields in analysed {
            lengths.push(fields.each_ref().map(|f| f.len() as u32));
            for (column, tokens) in per_field.iter_mut().zip(fields) {
                column.push(tokens);
            }
        }
        builders
            .par_iter_mut()
            .zip(per_field.par_iter_mut())
            .for_each(|(builder, column)| {
                for (k, tokens) in column.iter_mut().enumerate() {
                    builder.add(first + k as u32, tokens);
                }
            });
    }
    let fields = builders
        .into_par_iter()
        .map(postings::FieldBuilder::finish)
        .collect();
    (fields, lengths)
}

/// The manifest's index skeleton: elasticlunr-rs's own serialisation of an empty index with our
/// language and pipeline, so elasticlunr.js loads it as one of its own, with the real count of
/// documents (idf depends on it).
fn skeleton(documents: usize) -> Value {
    let empty = elasticlunr::IndexBuilder::with_language(Box::new(pipeline::French))
        .save_docs(false)
        .add_fields(FIELDS.iter().map(|f| f.0))
        .build();
    let mut skeleton: Value = serde_json::from_str(&empty.to_json()).unwrap_or(Value::Null);
    if let Some(store) = skeleton.get_mut("documentStore") {
        store["length"] = json!(documents);
    }
    skeleton
}

/// A shard file before fingerprinting: its key in the manifest's shard table and its bytes.
struct Shard {
    key: String,
    name: String,
    json: String,
}

/// Builds the index files for `view` (only what its audience may see).
pub fn build(view: &View) -> SearchIndex {
    let root = &view.site.root;
    let (fields, lengths) = index_fields(view);

    let mut files = Vec::new();
    let dir = "recherche";
    let mut add = |name: &str, bytes: Vec<u8>| -> String {
        let fname = fingerprinted_name(&format!("{name}.json"), &bytes);
        files.push(SearchFile {
            path: format!("{dir}/{fname}"),
            bytes,
        });
        format!("{root}/{dir}/{fname}")
    };

    // Shards by term prefix, split further while too large; written in parallel.
    let lens: Vec<Vec<usize>> = fields
        .par_iter()
        .map(postings::FieldIndex::postings_lens)
        .collect();
    let shards: Vec<Shard> = first_chars(&fields, "")
        .into_par_iter()
        .flat_map_iter(|c| {
            let mut out = Vec::new();
            shard_tree(&fields, &lens, &c.to_string(), &mut out);
            out
        })
        .collect();
    let mut shard_urls = BTreeMap::new();
    for shard in shards {
        shard_urls.insert(shard.key, add(&shard.name, shard.json.into_bytes()));
    }
    drop(fields);

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
    let chunks: Vec<Vec<u8>> = cards
        .par_chunks(DOCS_PER_CHUNK)
        .map(crate::output::safe_json)
        .collect();
    let doc_urls: Vec<String> = chunks
        .into_iter()
        .enumerate()
        .map(|(n, bytes)| add(&format!("docs-{n}"), bytes))
        .collect();

    // Facets: [family bitmask, verified, commune index, zone, field lengths] per document; zone
    // is -1 for the whole territory, or the list of commune indices served besides its own. The
    // field lengths (elasticlunr's `docInfo`) come here, fetched once with the first query,
    // rather than repeated in every shard that mentions a document.
    let family_index: HashMap<&str, usize> = view
        .families
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let commune_index: HashMap<&str, usize> = view
        .communes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let facets: Vec<FacetRow> = view
        .providers
        .iter()
        .zip(&lengths)
        .map(|(p, lengths)| {
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
                "territoire" => Zone::Territory(-1),
                _ => Zone::Communes(
                    p.zone
                        .iter()
                        .filter_map(|z| commune_index.get(z.code.as_str()).copied())
                        .collect(),
                ),
            };
            (
                mask,
                u8::from(p.verified_count > 0),
                commune,
                zone,
                *lengths,
            )
        })
        .collect();
    let facets_url = add("facets", crate::output::safe_json(&facets));

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
        "version": 2,
        "skeleton": skeleton(view.providers.len()),
        "fields": FIELDS.iter().map(|(f, b)| json!({"name": f, "boost": b})).collect::<Vec<_>>(),
        "shards": shard_urls,
        "docs": { "perChunk": DOCS_PER_CHUNK, "files": doc_urls },
        "facets": facets_url,
        "families": view.families.iter().map(|f| json!([f.id, f.label])).collect::<Vec<_>>(),
        "communes": view.communes.iter().map(|c| json!([c.code, c.name, if c.has_page() { Value::String(c.url.clone()) } else { Value::Null }])).collect::<Vec<_>>(),
        "places": places,
        "territoryCount": view.territory_wide.len(),
    });
    let manifest_url = add("index", crate::output::safe_json(&manifest));
    SearchIndex {
        files,
        manifest_url,
    }
}

/// One row of the facets file.
type FacetRow = (u64, u8, i64, Zone, [u32; 4]);

#[derive(Serialize)]
#[serde(untagged)]
enum Zone {
    /// `-1`: the whole territory.
    Territory(i8),
    /// The indices of the communes served besides the provider's own.
    Communes(Vec<usize>),
}

/// The distinct characters following `prefix` in the terms of any field.
fn first_chars(fields: &[postings::FieldIndex], prefix: &str) -> BTreeSet<char> {
    let mut out = BTreeSet::new();
    for field in fields {
        for (term, _) in field.with_prefix(prefix) {
            if let Some(c) = term[prefix.len()..].chars().next() {
                out.insert(c);
            }
        }
    }
    out
}

/// The shard of `prefix`, or, when it is too large, one shard for the terms equal to `prefix` and
/// the shards of each longer prefix. Sizes are computed before anything is written (`lens`: the
/// postings length of every term of every field), so each shard is written once.
fn shard_tree(
    fields: &[postings::FieldIndex],
    lens: &[Vec<usize>],
    prefix: &str,
    out: &mut Vec<Shard>,
) {
    let len = shard_len(fields, lens, prefix, false);
    if len > MAX_SHARD_BYTES && prefix.chars().count() < MAX_PREFIX_CHARS {
        let own = shard_len(fields, lens, prefix, true);
        if own > EMPTY_SHARD {
            let json = shard_json(fields, prefix, true);
            debug_assert_eq!(json.len(), own, "shard_len of {prefix:?}, exact");
            out.push(Shard {
                key: format!("{prefix}="),
                name: format!("shard-{prefix}_"),
                json,
            });
        }
        for c in first_chars(fields, prefix) {
            shard_tree(fields, lens, &format!("{prefix}{c}"), out);
        }
    } else {
        let json = shard_json(fields, prefix, false);
        debug_assert_eq!(json.len(), len, "shard_len of {prefix:?}");
        out.push(Shard {
            key: prefix.to_string(),
            name: format!("shard-{prefix}"),
            json,
        });
    }
}

/// The fields a shard of `prefix` holds, with the range of their terms under it: those with
/// terms there, or, for the `exact` shard of a split prefix, those where `prefix` is itself a term.
fn shard_fields<'a>(
    fields: &'a [postings::FieldIndex],
    prefix: &'a str,
    exact: bool,
) -> impl Iterator<Item = (usize, &'static str, std::ops::Range<usize>)> + 'a {
    FIELDS
        .iter()
        .zip(fields)
        .enumerate()
        .filter_map(move |(i, ((name, _), field))| {
            let range = field.prefix_range(prefix);
            let own = range
                .clone()
                .next()
                .is_some_and(|first| field.terms[first].0 == prefix);
            (!range.is_empty() && (own || !exact)).then_some((i, *name, range))
        })
}

/// The length of [`shard_json`]`(fields, prefix, exact)`, without writing it.
fn shard_len(
    fields: &[postings::FieldIndex],
    lens: &[Vec<usize>],
    prefix: &str,
    exact: bool,
) -> usize {
    let mut len = "{\"tries\":{}}".len();
    for (k, (i, name, range)) in shard_fields(fields, prefix, exact).enumerate() {
        len += usize::from(k > 0) + name.len() + "\"\":{".len();
        len += if exact {
            lens[i][range.start] + "}".len()
        } else {
            postings::node_len(
                &fields[i].terms[range.clone()],
                &lens[i][range],
                prefix.len(),
            )
        };
    }
    len
}

/// `{"tries":{}}`: a shard with nothing in it.
const EMPTY_SHARD: usize = 12;

/// `{"tries":{field: node…}}` with each field's node at `prefix`: the whole subtree, or only the
/// node's own postings (`exact`, when its children go to shards of their own).
fn shard_json(fields: &[postings::FieldIndex], prefix: &str, exact: bool) -> String {
    let mut out = String::from("{\"tries\":{");
    for (k, (i, name, range)) in shard_fields(fields, prefix, exact).enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('"');
        out.push_str(name);
        out.push_str("\":{");
        let terms = &fields[i].terms[range];
        if exact {
            postings::write_postings(&mut out, &terms[0].1);
            out.push('}');
        } else {
            postings::write_node(&mut out, terms, prefix.len());
        }
    }
    out.push_str("}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Enough postings under `a` that its shard must be split, down to the longest prefix.
    #[test]
    fn large_prefixes_split_and_each_term_lands_in_one_shard() {
        let mut builders: Vec<postings::FieldBuilder> =
            FIELDS.iter().map(|_| Default::default()).collect();
        for doc in 0..3000u32 {
            let tokens: Vec<String> = (0..8)
                .map(|k| format!("a{}b{k}", (doc + k) % 37))
                .chain(["abc".to_string(), "ab".to_string(), format!("z{doc}")])
                .collect();
            for builder in &mut builders {
                builder.add(doc, &mut tokens.clone());
            }
        }
        let fields: Vec<postings::FieldIndex> = builders
            .into_iter()
            .map(postings::FieldBuilder::finish)
            .collect();
        let lens: Vec<Vec<usize>> = fields
            .iter()
            .map(postings::FieldIndex::postings_lens)
            .collect();
        let mut shards = Vec::new();
        for c in first_chars(&fields, "") {
            shard_tree(&fields, &lens, &c.to_string(), &mut shards);
        }
        assert!(
            shards.iter().any(|s| s.key == "ab="),
            "`ab` has its own shard"
        );
        let mut found: BTreeMap<String, usize> = BTreeMap::new();
        for shard in &shards {
            let prefix = shard.key.trim_end_matches('=');
            // A term's own postings cannot be split; a prefix is split until the longest.
            assert!(
                shard.json.len() <= MAX_SHARD_BYTES
                    || shard.key.ends_with('=')
                    || prefix.chars().count() >= MAX_PREFIX_CHARS,
                "{} is {} bytes",
                shard.key,
                shard.json.len()
            );
            let json: Value = serde_json::from_str(&shard.json).expect("valid JSON");
            // Walk the `nom` trie from the shard's prefix, collecting the terms with postings.
            fn walk(node: &Value, term: String, found: &mut BTreeMap<String, usize>) {
                let Some(obj) = node.as_object() else { return };
                if obj.get("df").and_then(Value::as_u64).unwrap_or(0) > 0 {
                    *found.entry(term.clone()).or_default() += 1;
                }
                for (k, child) in obj {
                    if k != "docs" && k != "df" {
                        walk(child, format!("{term}{k}"), found);
                    }
                }
            }
            walk(&json["tries"]["nom"], prefix.to_string(), &mut found);
        }
        let terms: Vec<&String> = fields[0].terms.iter().map(|(t, _)| t).collect();
        assert_eq!(found.keys().collect::<Vec<_>>(), terms);
        assert!(found.values().all(|&n| n == 1), "a term in two shards");
    }
}
