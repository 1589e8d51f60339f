//! The contributor documentation cannot drift from the code: every rule id of `Problem::meta` is
//! documented in CONTRIBUTING.md, and every top-level key of an entry in docs/format.md.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// `Variant { .. } => ("family/rule", Severity)` lines of `Problem::meta` (the approach of
/// `every_entry_rule_is_covered` in tests/check_rules.rs).
fn rule_ids(source: &str) -> BTreeSet<&str> {
    source
        .lines()
        .filter_map(|l| l.split_once("=> (\"").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once('"').map(|(rule, _)| rule))
        .filter(|rule| rule.contains('/'))
        .collect()
}

/// The string items of `pub const KEYS: &[&str] = &[ … ];` in src/check/entry.rs.
fn entry_keys(source: &str) -> Vec<&str> {
    let start = source
        .find("pub const KEYS: &[&str] = &[")
        .expect("KEYS not found in src/check/entry.rs");
    let rest = &source[start..];
    let body = &rest[rest.find("= &[").unwrap() + 4..rest.find("];").unwrap()];
    body.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_matches('"'))
        .collect()
}

#[test]
fn contributing_documents_every_rule() {
    let diagnostic = read("src/check/diagnostic.rs");
    let rules = rule_ids(&diagnostic);
    assert!(
        rules.len() > 40,
        "rules not found in diagnostic.rs: {rules:?}"
    );
    let contributing = read("CONTRIBUTING.md");
    let missing: Vec<&&str> = rules
        .iter()
        .filter(|rule| !contributing.contains(&format!("`{rule}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "rules missing from CONTRIBUTING.md: {missing:?}"
    );
}

#[test]
fn format_documents_every_entry_key() {
    let entry = read("src/check/entry.rs");
    let keys = entry_keys(&entry);
    assert!(
        keys.len() >= 10 && keys.contains(&"nom") && keys.contains(&"mis_a_jour"),
        "KEYS not parsed from entry.rs: {keys:?}"
    );
    let format = read("docs/format.md");
    // Written as a top-level YAML key of the example entry (`nom:` at the start of a line).
    let missing: Vec<&&str> = keys
        .iter()
        .filter(|key| !format.lines().any(|l| l.starts_with(&format!("{key}:"))))
        .collect();
    assert!(
        missing.is_empty(),
        "entry keys missing from docs/format.md: {missing:?}"
    );
}
