//! The only module that knows the YAML crate.
//!
//! Everything YAML in `content/` (front matter, `site.yaml`, the nomenclature, the communes) goes
//! through [`parse`], which turns the event stream of `saphyr-parser` into a small [`Node`] tree in
//! which every key and value keeps its line and column. We do not use `serde_yaml` (archived, and it
//! neither keeps the position of values nor bounds alias expansion: a 35 KB alias bomb took seconds and
//! gigabytes) and we do not deserialize with serde at all for entries, because serde stops at the
//! first error while contributors must see every problem of a file in one run.
//!
//! Limits are enforced while the tree is built, before anything is materialised: nesting depth, and
//! the number of nodes and scalar bytes *after* alias expansion, so an alias bomb is refused as soon
//! as the first alias that would cross the budget is read.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

/// A position in a file: 1-based line, 1-based column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// The extent of a node in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn at(pos: Pos) -> Span {
        Span {
            start: pos,
            end: pos,
        }
    }
}

/// A YAML value with its position. Scalars keep their source text: typing happens when the
/// schema asks for a type, so `commune: 48095` and `commune: "48095"` both read as a code, and
/// `version: 2025-1` is never silently turned into something else.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<MapEntry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Plain (unquoted, not a block scalar): only plain scalars can be null, numbers or booleans.
    pub plain: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if s.plain && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The value of `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// A word for the node's type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar(_) if self.is_null() => "null",
            Kind::Scalar(s) if s.plain && s.text.parse::<f64>().is_ok() => "number",
            Kind::Scalar(s) if s.plain && matches!(s.text.as_str(), "true" | "false") => "bool",
            Kind::Scalar(_) => "string",
            Kind::Seq(_) => "list",
            Kind::Map(_) => "map",
        }
    }
}

/// Bounds on what one YAML document may cost. The defaults fit a directory entry comfortably
/// (a real entry has a few hundred nodes) while refusing hostile documents in milliseconds.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    /// Nodes after alias expansion.
    pub max_nodes: usize,
    /// Scalar bytes after alias expansion.
    pub max_scalar_bytes: usize,
}

impl Limits {
    /// For contributor entries and small settings files.
    pub const ENTRY: Limits = Limits {
        max_depth: 24,
        max_nodes: 20_000,
        max_scalar_bytes: 1 << 20,
    };
    /// For bundled reference data (the communes of a whole region, a large nomenclature).
    pub const DATA: Limits = Limits {
        max_depth: 24,
        max_nodes: 2_000_000,
        max_scalar_bytes: 64 << 20,
    };
}

/// Why a document could not be read. `Soft` problems (a duplicate key) still yield a tree.
#[derive(Debug, Clone, PartialEq)]
pub enum YamlError {
    Syntax {
        message: String,
        pos: Pos,
    },
    DuplicateKey {
        key: String,
        pos: Pos,
        first: Pos,
    },
    ComplexKey {
        pos: Pos,
    },
    TooDeep {
        limit: usize,
        pos: Pos,
    },
    TooLarge {
        nodes: usize,
        bytes: usize,
        pos: Pos,
    },
    UnknownAlias {
        pos: Pos,
    },
}

impl YamlError {
    pub fn pos(&self) -> Pos {
        match self {
            YamlError::Syntax { pos, .. }
            | YamlError::DuplicateKey { pos, .. }
            | YamlError::ComplexKey { pos }
            | YamlError::TooDeep { pos, .. }
            | YamlError::TooLarge { pos, .. }
            | YamlError::UnknownAlias { pos } => *pos,
        }
    }
}

/// A parsed document: the tree (absent when a fatal error stopped the parse) and every problem met.
#[derive(Debug, Default)]
pub struct Document {
    pub root: Option<Node>,
    pub errors: Vec<YamlError>,
}

/// What `saphyr-parser`'s scanner says when flow collections nest deeper than it counts.
const SCANNER_DEPTH_ERROR: &str = "recursion limit exceeded";

/// Parses one YAML document. `first_line` is the file line on which `text` starts, so positions are
/// file positions (front matter starts on line 2).
pub fn parse(text: &str, first_line: u32, limits: Limits) -> Document {
    let mut builder = Builder::new(text, first_line, limits);
    let mut parser = Parser::new_from_str(text);
    let mut doc = Document::default();
    let mut documents = 0;
    loop {
        let (event, span) = match parser.next_event() {
            None => break,
            Some(Ok(pair)) => pair,
            Some(Err(e)) => {
                let m = e.marker();
                let pos = builder.pos(m.line(), m.col());
                // The scanner reads flow collections (`[[[[…`) ahead of the events and stops at
                // 255 levels, before our own depth check sees them: the same problem, said the same way.
                doc.errors.push(if e.info() == SCANNER_DEPTH_ERROR {
                    YamlError::TooDeep {
                        limit: limits.max_depth,
                        pos,
                    }
                } else {
                    YamlError::Syntax {
                        message: e.info().to_string(),
                        pos,
                    }
                });
                return finish(doc, builder);
            }
        };
        let start = builder.pos(span.start.line(), span.start.col());
        let end = builder.pos(span.end.line(), span.end.col());
        let span = Span { start, end };
        let step = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    doc.errors.push(YamlError::Syntax {
                        message: "only one YAML document is allowed here".into(),
                        pos: start,
                    });
                    return finish(doc, builder);
                }
                Ok(())
            }
            Event::Scalar(value, style, anchor, tag) => {
                let plain = matches!(style, ScalarStyle::Plain) && tag.is_none();
                builder.leaf(
                    Node {
                        kind: Kind::Scalar(Scalar {
                            text: value.into_owned(),
                            plain,
                        }),
                        span,
                    },
                    anchor,
                )
            }
            Event::SequenceStart(anchor, _) => builder.open(Frame::Seq(Vec::new()), anchor, span),
            Event::MappingStart(anchor, _) => {
                builder.open(Frame::Map(Vec::new(), None, HashMap::new()), anchor, span)
            }
            Event::SequenceEnd | Event::MappingEnd => builder.close(end),
            Event::Alias(id) => builder.alias(id, span),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        };
        if let Err(e) = step {
            doc.errors.push(e);
            return finish(doc, builder);
        }
    }
    finish(doc, builder)
}

fn finish(mut doc: Document, builder: Builder) -> Document {
    let fatal = !doc.errors.is_empty();
    doc.errors.splice(0..0, builder.soft_errors);
    if !fatal {
        doc.root = builder.root;
    }
    doc
}

/// Up to this many keys, a mapping finds repeated keys by scanning its entries.
const SMALL_MAP: usize = 16;

enum Frame {
    Seq(Vec<Node>),
    /// Entries, the key waiting for its value, and the keys seen so far (for duplicates).
    Map(Vec<MapEntry>, Option<(String, Span)>, HashMap<String, Pos>),
}

struct Open {
    frame: Frame,
    anchor: usize,
    start: Pos,
    cost: Cost,
}

#[derive(Clone, Copy, Default)]
struct Cost {
    nodes: usize,
    bytes: usize,
}

struct Builder {
    line_offset: u32,
    /// Lines of the text and characters on its last line: the scanner reports the end of a text
    /// without a final newline on the line after it, which is moved back to the end of the text.
    lines: usize,
    last_line_chars: usize,
    limits: Limits,
    stack: Vec<Open>,
    anchors: HashMap<usize, (Node, Cost)>,
    total: Cost,
    root: Option<Node>,
    soft_errors: Vec<YamlError>,
}

impl Builder {
    fn new(text: &str, first_line: u32, limits: Limits) -> Self {
        let last_line = text.rsplit('\n').next().unwrap_or("");
        Builder {
            line_offset: first_line.saturating_sub(1),
            lines: text.matches('\n').count() + 1,
            last_line_chars: last_line.chars().count(),
            limits,
            stack: Vec::new(),
            anchors: HashMap::new(),
            total: Cost::default(),
            root: None,
            soft_errors: Vec::new(),
        }
    }

    fn pos(&self, line: usize, col: usize) -> Pos {
        let (line, col) = if line > self.lines {
            (self.lines, self.last_line_chars)
        } else {
            (line, col)
        };
        Pos {
            line: (line as u32).saturating_add(self.line_offset),
            col: (col as u32).saturating_add(1),
        }
    }

    fn charge(&mut self, cost: Cost, pos: Pos) -> Result<(), YamlError> {
        self.total.nodes = self.total.nodes.saturating_add(cost.nodes);
        self.total.bytes = self.total.bytes.saturating_add(cost.bytes);
        if self.total.nodes > self.limits.max_nodes
            || self.total.bytes > self.limits.max_scalar_bytes
        {
            return Err(YamlError::TooLarge {
                nodes: self.limits.max_nodes,
                bytes: self.limits.max_scalar_bytes,
                pos,
            });
        }
        Ok(())
    }

    fn leaf(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        let bytes = match &node.kind {
            Kind::Scalar(s) => s.text.len(),
            _ => 0,
        };
        let cost = Cost { nodes: 1, bytes };
        self.charge(cost, node.span.start)?;
        self.push(node, anchor, cost)
    }

    fn open(&mut self, frame: Frame, anchor: usize, span: Span) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError::TooDeep {
                limit: self.limits.max_depth,
                pos: span.start,
            });
        }
        self.charge(Cost { nodes: 1, bytes: 0 }, span.start)?;
        self.stack.push(Open {
            frame,
            anchor,
            start: span.start,
            cost: Cost { nodes: 1, bytes: 0 },
        });
        Ok(())
    }

    fn close(&mut self, end: Pos) -> Result<(), YamlError> {
        let Some(open) = self.stack.pop() else {
            return Ok(());
        };
        let span = Span {
            start: open.start,
            end,
        };
        let kind = match open.frame {
            Frame::Seq(items) => Kind::Seq(items),
            Frame::Map(entries, _, _) => Kind::Map(entries),
        };
        self.push(Node { kind, span }, open.anchor, open.cost)
    }

    fn alias(&mut self, id: usize, span: Span) -> Result<(), YamlError> {
        let Some((node, cost)) = self.anchors.get(&id) else {
            return Err(YamlError::UnknownAlias { pos: span.start });
        };
        let (mut node, cost) = (node.clone(), *cost);
        // Charged at full expanded cost *before* the copy is attached, so a bomb stops here.
        self.charge(cost, span.start)?;
        node.span = span;
        self.push(node, 0, cost)
    }

    fn push(&mut self, node: Node, anchor: usize, cost: Cost) -> Result<(), YamlError> {
        if anchor != 0 {
            self.anchors.insert(anchor, (node.clone(), cost));
        }
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        top.cost.nodes = top.cost.nodes.saturating_add(cost.nodes);
        top.cost.bytes = top.cost.bytes.saturating_add(cost.bytes);
        match &mut top.frame {
            Frame::Seq(items) => items.push(node),
            Frame::Map(entries, pending, seen) => match pending.take() {
                None => match node.kind {
                    Kind::Scalar(s) => *pending = Some((s.text, node.span)),
                    _ => {
                        return Err(YamlError::ComplexKey {
                            pos: node.span.start,
                        });
                    }
                },
                Some((key, key_span)) => {
                    // Entries hold the first of each key: a scan finds a repeat in the few keys of
                    // a front-matter mapping; past SMALL_MAP keys an index keeps it linear.
                    if entries.len() == SMALL_MAP && seen.is_empty() {
                        seen.extend(entries.iter().map(|e| (e.key.clone(), e.key_span.start)));
                    }
                    let first = if entries.len() < SMALL_MAP {
                        entries
                            .iter()
                            .find(|e| e.key == key)
                            .map(|e| &e.key_span.start)
                    } else {
                        seen.get(&key)
                    };
                    if let Some(first) = first {
                        self.soft_errors.push(YamlError::DuplicateKey {
                            key,
                            pos: key_span.start,
                            first: *first,
                        });
                    } else {
                        if entries.len() >= SMALL_MAP {
                            seen.insert(key.clone(), key_span.start);
                        }
                        entries.push(MapEntry {
                            key,
                            key_span,
                            value: node,
                        });
                    }
                }
            },
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let doc = parse(text, 1, Limits::ENTRY);
        assert!(doc.errors.is_empty(), "{:?}", doc.errors);
        doc.root.expect("a root node")
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let n = root("nom: Atelier\ncontact:\n  site: https://a.example\n");
        let contact = n.get("contact").unwrap();
        let site = contact.get("site").unwrap();
        assert_eq!(site.span.start, Pos { line: 3, col: 9 });
        let Kind::Map(entries) = &n.kind else {
            panic!()
        };
        assert_eq!(entries[1].key_span.start, Pos { line: 2, col: 1 });
    }

    #[test]
    fn first_line_offsets_positions() {
        let doc = parse("a: 1\nb: [\n", 2, Limits::ENTRY);
        let err = &doc.errors[0];
        assert!(matches!(err, YamlError::Syntax { .. }));
        assert!(err.pos().line >= 3, "{err:?}");
    }

    #[test]
    fn scalars_keep_text_and_style() {
        let n = root("a: 48095\nb: \"48095\"\nc: ~\nd:\n");
        let a = n.get("a").unwrap();
        assert_eq!(
            a.kind,
            Kind::Scalar(Scalar {
                text: "48095".into(),
                plain: true
            })
        );
        assert_eq!(n.get("b").unwrap().type_name(), "string");
        assert!(n.get("c").unwrap().is_null());
        assert!(n.get("d").unwrap().is_null());
    }

    #[test]
    fn duplicate_keys_are_reported_and_first_kept() {
        let doc = parse("a: 1\na: 2\n", 1, Limits::ENTRY);
        assert_eq!(
            doc.errors,
            vec![YamlError::DuplicateKey {
                key: "a".into(),
                pos: Pos { line: 2, col: 1 },
                first: Pos { line: 1, col: 1 }
            }]
        );
        let root = doc.root.unwrap();
        assert_eq!(
            root.get("a").unwrap().kind,
            Kind::Scalar(Scalar {
                text: "1".into(),
                plain: true
            })
        );
    }

    #[test]
    fn duplicate_keys_are_found_in_small_and_large_mappings() {
        // Repeats before, at and after the switch from scanning to the index.
        for keys in [3, SMALL_MAP - 1, SMALL_MAP, SMALL_MAP + 1, 3 * SMALL_MAP] {
            let mut text: String = (0..keys).map(|i| format!("k{i}: {i}\n")).collect();
            for repeat in [0, keys / 2, keys - 1] {
                text.push_str(&format!("k{repeat}: again\n"));
            }
            let doc = parse(&text, 1, Limits::ENTRY);
            let found: Vec<(String, u32, u32)> = doc
                .errors
                .iter()
                .map(|e| match e {
                    YamlError::DuplicateKey { key, pos, first } => {
                        (key.clone(), pos.line, first.line)
                    }
                    other => panic!("{other:?}"),
                })
                .collect();
            let expected: Vec<(String, u32, u32)> = [0, keys / 2, keys - 1]
                .iter()
                .enumerate()
                .map(|(n, &k)| (format!("k{k}"), (keys + n + 1) as u32, k as u32 + 1))
                .collect();
            assert_eq!(found, expected, "{keys} keys");
            let root = doc.root.expect("a root");
            let Kind::Map(entries) = &root.kind else {
                panic!("a mapping")
            };
            assert_eq!(entries.len(), keys, "first values kept, repeats dropped");
        }
    }

    #[test]
    fn aliases_expand_within_budget() {
        let n = root("a: &x [1, 2]\nb: *x\n");
        assert_eq!(n.get("a").unwrap().kind, n.get("b").unwrap().kind);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a: &a [");
        text.push_str(&vec!["\"xxxxxxxxxxxxxxxxxxxx\""; 500].join(","));
        text.push_str("]\nb: [");
        text.push_str(&vec!["*a"; 5000].join(","));
        text.push_str("]\n");
        let doc = parse(&text, 1, Limits::ENTRY);
        assert!(doc.root.is_none());
        assert!(
            matches!(doc.errors[0], YamlError::TooLarge { .. }),
            "{:?}",
            doc.errors
        );
    }

    #[test]
    fn depth_is_bounded() {
        let text = "[".repeat(10_000);
        let doc = parse(&text, 1, Limits::ENTRY);
        assert!(
            matches!(doc.errors[0], YamlError::TooDeep { .. }),
            "{:?}",
            doc.errors
        );
    }

    #[test]
    fn deep_flow_nesting_is_too_deep_not_a_syntax_error() {
        // The scanner gives up at 255 flow levels before any event reaches the builder.
        for text in [
            "[".repeat(10_000),
            "{a: ".repeat(10_000),
            "[{a: ".repeat(5_000),
        ] {
            let doc = parse(&format!("nom: {text}\n"), 2, Limits::ENTRY);
            assert!(doc.root.is_none());
            assert!(
                matches!(doc.errors[..], [YamlError::TooDeep { limit: 24, pos }] if pos.line == 2),
                "{:?}",
                doc.errors
            );
        }
    }

    #[test]
    fn the_end_of_a_text_without_final_newline_is_on_its_last_line() {
        for (text, pos) in [
            ("{ab", Pos { line: 1, col: 4 }),
            ("a: [", Pos { line: 1, col: 5 }),
            ("a: [\n", Pos { line: 2, col: 1 }),
            ("a: [\n  b", Pos { line: 2, col: 4 }),
        ] {
            let doc = parse(text, 1, Limits::ENTRY);
            assert_eq!(doc.errors[0].pos(), pos, "{text:?}: {:?}", doc.errors);
        }
    }

    #[test]
    fn complex_keys_are_refused() {
        let doc = parse("? [a, b]\n: 1\n", 1, Limits::ENTRY);
        assert!(
            matches!(doc.errors[0], YamlError::ComplexKey { .. }),
            "{:?}",
            doc.errors
        );
    }

    #[test]
    fn tabs_in_indentation_are_syntax_errors() {
        let doc = parse("a:\n\tb: 1\n", 1, Limits::ENTRY);
        assert!(
            matches!(doc.errors[0], YamlError::Syntax { .. }),
            "{:?}",
            doc.errors
        );
    }
}
