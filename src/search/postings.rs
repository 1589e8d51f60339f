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

use foldhash::HashMap;
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
        &self.terms[self.prefix_range(prefix)]
    }

    /// Where the terms starting with `prefix` are in the sorted list.
    pub fn prefix_range(&self, prefix: &str) -> std::ops::Range<usize> {
        let start = self.terms.partition_point(|(t, _)| t.as_str() < prefix);
        let len = self.terms[start..].partition_point(|(t, _)| t.starts_with(prefix));
        start..start + len
    }

    /// The [`postings_len`] of every term, in order.
    pub fn postings_lens(&self) -> Vec<usize> {
        self.terms.iter().map(|(_, p)| postings_len(p)).collect()
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
    for (c, range) in children(rest, depth) {
        out.push_str(",\"");
        out.push(c);
        out.push_str("\":{");
        write_node(out, &rest[range], depth + c.len_utf8());
    }
    out.push('}');
}

/// The children of a trie node whose terms (its own excluded) are `rest`, sharing their first
/// `depth` bytes: each next character, with the run of `rest` that continues with it.
fn children(
    rest: &[(String, Vec<Posting>)],
    depth: usize,
) -> impl Iterator<Item = (char, std::ops::Range<usize>)> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < rest.len() {
            let Some(c) = rest[i].0[depth..].chars().next() else {
                i += 1;
                continue;
            };
            let prefix = &rest[i].0[..depth + c.len_utf8()];
            let len = rest[i..].partition_point(|(t, _)| t.starts_with(prefix));
            let range = i..i + len;
            i += len;
            return Some((c, range));
        }
        None
    })
}

/// `"docs":{…},"df":n` without the opening brace (the caller's node has opened it).
pub fn write_postings(out: &mut String, postings: &[Posting]) {
    out.push_str("\"docs\":{");
    for (k, p) in postings.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        out.push('"');
        push_u32(out, p.doc);
        out.push_str("\":{\"tf\":");
        match TF.get(p.count as usize) {
            Some(tf) => out.push_str(tf),
            None => write_tf(out, p.count),
        }
        out.push('}');
    }
    out.push_str("},\"df\":");
    push_u32(out, postings.len() as u32);
}

/// The length of what [`write_postings`] writes, without writing it.
pub fn postings_len(postings: &[Posting]) -> usize {
    let mut len = "\"docs\":{".len() + "},\"df\":".len() + digits(postings.len() as u32);
    for p in postings {
        len += "\"\":{\"tf\":}".len() + digits(p.doc) + tf_len(p.count);
    }
    len + postings.len().saturating_sub(1)
}

/// The length of what [`write_node`] writes for `terms` at `depth`, without writing it;
/// `lens[i]` is the [`postings_len`] of `terms[i]`. Deciding whether a shard must be split no
/// longer means writing it first.
pub fn node_len(terms: &[(String, Vec<Posting>)], lens: &[usize], depth: usize) -> usize {
    let (own, rest, rest_lens) = match terms.first() {
        Some((t, _)) if t.len() == depth => (lens[0], &terms[1..], &lens[1..]),
        _ => (postings_len(&[]), terms, lens),
    };
    let mut len = own + "}".len();
    for (c, range) in children(rest, depth) {
        let child = node_len(
            &rest[range.clone()],
            &rest_lens[range],
            depth + c.len_utf8(),
        );
        len += ",\"\":{".len() + c.len_utf8() + child;
    }
    len
}

fn digits(mut n: u32) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

fn tf_len(count: u32) -> usize {
    match TF.get(count as usize) {
        Some(tf) => tf.len(),
        None => {
            let mut s = String::new();
            write_tf(&mut s, count);
            s.len()
        }
    }
}

/// Decimal digits of `n`, without going through `fmt` (a third of the time of writing shards).
fn push_u32(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// [`write_tf`] of the small counts nearly every posting has, formatted once.
static TF: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    (0..256)
        .map(|count| {
            let mut s = String::new();
            write_tf(&mut s, count);
            s
        })
        .collect()
});

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

    #[test]
    fn lengths_are_those_of_the_written_json() {
        let idx = index(&[
            &["ab", "abc", "ab", "été", "b"],
            &["b", "abd", "a"],
            &["zz", "éa", "z", "ab"],
        ]);
        let lens = idx.postings_lens();
        for (terms, postings) in &idx.terms {
            let mut out = String::new();
            write_postings(&mut out, postings);
            assert_eq!(out.len(), postings_len(postings), "{terms}");
        }
        for prefix in ["", "a", "ab", "é", "z", "q"] {
            let range = idx.prefix_range(prefix);
            let mut out = String::new();
            write_node(&mut out, &idx.terms[range.clone()], prefix.len());
            assert_eq!(
                out.len(),
                node_len(&idx.terms[range.clone()], &lens[range], prefix.len()),
                "{prefix:?}"
            );
        }
        let many: Vec<Posting> = (0..300)
            .map(|i| Posting {
                doc: i * 7919,
                count: i + 1,
            })
            .collect();
        let mut out = String::new();
        write_postings(&mut out, &many);
        assert_eq!(out.len(), postings_len(&many));
    }

    #[test]
    fn postings_are_written_as_fmt_would() {
        for postings in [
            vec![],
            vec![Posting { doc: 0, count: 1 }],
            vec![
                Posting { doc: 9, count: 2 },
                Posting {
                    doc: 10,
                    count: 255,
                },
                Posting {
                    doc: 4_294_967_295,
                    count: 256,
                },
                Posting {
                    doc: 1_000_000,
                    count: 70_000,
                },
            ],
        ] {
            let mut by_hand = String::new();
            write_postings(&mut by_hand, &postings);
            let mut by_fmt = String::from("\"docs\":{");
            let cells: Vec<String> = postings
                .iter()
                .map(|p| {
                    let tf = (p.count as f64).sqrt();
                    let tf = if tf.fract() == 0.0 {
                        format!("{}", tf as u64)
                    } else {
                        format!("{tf}")
                    };
                    format!("\"{}\":{{\"tf\":{tf}}}", p.doc)
                })
                .collect();
            by_fmt.push_str(&cells.join(","));
            by_fmt.push_str(&format!("}},\"df\":{}", postings.len()));
            assert_eq!(by_hand, by_fmt);
        }
    }
}
