//! The inverted index, built compactly and written straight into elasticlunr.js's trie format.
//!
//! Why not keep elasticlunr-rs's `Index` for this: it holds every posting in a `BTreeMap` keyed by
//! a `String` document reference inside a tree of `BTreeMap<char, _>` nodes (≈70 bytes a posting,
//! over 1 GB at 100,000 providers) and only gives the index back as one JSON string of the whole
//! thing, which we then had to re-parse to cut into shards (22 s at 10,000 providers). Here a
//! posting is 8 bytes, terms are sorted once, and each shard is written once from a slice of the
//! sorted terms. The bytes mean exactly what elasticlunr-rs would have written: a test rebuilds
//! the whole trie from the shards and compares it with elasticlunr-rs's own index of the same
//! documents (`tests/search_index.rs`).

use std::collections::HashMap;
use std::fmt::Write as _;

/// One document's occurrences of a term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub doc: u32,
    /// Occurrences in the field; elasticlunr scores `tf = √count`.
    pub count: u32,
}

/// A field's terms, sorted, each with its postings in document order.
#[derive(Debug, Default)]
pub struct FieldIndex {
    pub terms: Vec<(String, Vec<Posting>)>,
}

/// Collects postings document by document (documents must come in increasing order).
#[derive(Default)]
pub struct FieldBuilder {
    terms: HashMap<String, Vec<Posting>>,
}

impl FieldBuilder {
    /// Adds the tokens of one document's field (as the pipeline left them, repeats included).
    pub fn add(&mut self, doc: u32, tokens: &mut [String]) {
        tokens.sort_unstable();
        let mut i = 0;
        while i < tokens.len() {
            let mut j = i + 1;
            while j < tokens.len() && tokens[j] == tokens[i] {
                j += 1;
            }
            let count = (j - i) as u32;
            match self.terms.get_mut(tokens[i].as_str()) {
                Some(list) => list.push(Posting { doc, count }),
                None => {
                    self.terms
                        .insert(std::mem::take(&mut tokens[i]), vec![Posting { doc, count }]);
                }
            }
            i = j;
        }
    }

    pub fn finish(self) -> FieldIndex {
        let mut terms: Vec<(String, Vec<Posting>)> = self.terms.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        FieldIndex { terms }
    }
}

impl FieldIndex {
    /// The terms starting with `prefix` (a contiguous run of the sorted list).
    pub fn with_prefix(&self, prefix: &str) -> &[(String, Vec<Posting>)] {
        let start = self.terms.partition_point(|(t, _)| t.as_str() < prefix);
        let len = self.terms[start..].partition_point(|(t, _)| t.starts_with(prefix));
        &self.terms[start..start + len]
    }
}

/// Writes the trie node of the terms in `terms`, which all share their first `depth` bytes:
/// `{"docs":{ref:{"tf":x}…},"df":n, "<next char>":{…}…}`, the shape elasticlunr.js loads.
pub fn write_node(out: &mut String, terms: &[(String, Vec<Posting>)], depth: usize) {
    let (own, rest) = match terms.first() {
        Some((t, postings)) if t.len() == depth => (postings.as_slice(), &terms[1..]),
        _ => (&[][..], terms),
    };
    write_postings(out, own);
    let mut i = 0;
    while i < rest.len() {
        let Some(c) = rest[i].0[depth..].chars().next() else {
            i += 1;
            continue;
        };
        let next = depth + c.len_utf8();
        let prefix = &rest[i].0[..next];
        let len = rest[i..].partition_point(|(t, _)| t.starts_with(prefix));
        out.push_str(",\"");
        out.push(c);
        out.push_str("\":{");
        write_node(out, &rest[i..i + len], next);
        i += len;
    }
    out.push('}');
}

/// `"docs":{…},"df":n` without the opening brace (the caller's node has opened it).
pub fn write_postings(out: &mut String, postings: &[Posting]) {
    out.push_str("\"docs\":{");
    for (k, p) in postings.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        let _ = write!(out, "\"{}\":{{\"tf\":", p.doc);
        write_tf(out, p.count);
        out.push('}');
    }
    let _ = write!(out, "}},\"df\":{}", postings.len());
}

/// `√count` as JavaScript will read it back: integers without a fraction, other values in the
/// shortest form that round-trips.
fn write_tf(out: &mut String, count: u32) {
    let root = (count as f64).sqrt();
    if root.fract() == 0.0 {
        let _ = write!(out, "{}", root as u64);
    } else {
        let _ = write!(out, "{root}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(docs: &[&[&str]]) -> FieldIndex {
        let mut b = FieldBuilder::default();
        for (i, tokens) in docs.iter().enumerate() {
            let mut tokens: Vec<String> = tokens.iter().map(|t| t.to_string()).collect();
            b.add(i as u32, &mut tokens);
        }
        b.finish()
    }

    #[test]
    fn trie_of_shared_prefixes() {
        let idx = index(&[&["ab", "abc", "ab"], &["b"]]);
        let mut out = String::from("{");
        write_node(&mut out, &idx.terms, 0);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["docs"], serde_json::json!({}));
        assert_eq!(v["a"]["df"], 0);
        assert_eq!(v["a"]["b"]["df"], 1);
        assert_eq!(v["a"]["b"]["docs"]["0"]["tf"], 2f64.sqrt());
        assert_eq!(v["a"]["b"]["c"]["docs"]["0"]["tf"], 1);
        assert_eq!(v["b"]["docs"]["1"]["tf"], 1);
        assert_eq!(idx.with_prefix("ab").len(), 2);
        assert_eq!(idx.with_prefix("b").len(), 1);
        assert!(idx.with_prefix("c").is_empty());
    }
}
