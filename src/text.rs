//! Small text utilities shared by checks, model and rendering: folding, slugs, suggestions.

use unicode_normalization::char::is_combining_mark;

/// Lower case without accents, ligatures expanded: the form used to compare names, banned words
/// and commune names the way people type them.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_each(s, |c| out.push(c));
    out
}

/// The characters of [`fold`]`(s)`, handed one by one to `f` (no intermediate string).
pub fn fold_each(s: &str, mut f: impl FnMut(char)) {
    for c in s.chars() {
        if c.is_ascii() {
            f(c.to_ascii_lowercase());
            continue;
        }
        // Per-character canonical decomposition equals the NFD of the string once combining
        // marks are dropped (reordering only ever moves marks), and skips the NFD buffer for
        // the ASCII that makes up most French text.
        unicode_normalization::char::decompose_canonical(c, |d| {
            if is_combining_mark(d) {
                return;
            }
            match d {
                'œ' | 'Œ' => {
                    f('o');
                    f('e');
                }
                'æ' | 'Æ' => {
                    f('a');
                    f('e');
                }
                '’' | 'ʼ' | '‘' => f('\''),
                _ => d.to_lowercase().for_each(&mut f),
            }
        });
    }
}

/// `Saint-Chély-d'Apcher` → `saint-chely-d-apcher`.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in fold(s).chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out.truncate(80);
    out.trim_end_matches('-').to_string()
}

/// A slug is what URLs and file names are made of: `[a-z0-9]+(-[a-z0-9]+)*`, at most 80 bytes.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 80
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Zero-width, bidi-control and other invisible format characters: they let two names look the
/// same while differing, or reorder text on screen ("Trojan Source").
pub fn has_invisible(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}' | '\u{00AD}' | '\u{180E}' | '\u{061C}')
            || (c.is_control() && c != '\n' && c != '\t')
    })
}

/// Text safe inside HTML content and double-quoted attributes.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Edit distance (insertions, deletions, substitutions, adjacent transpositions).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Longest word a suggestion is looked for: past it, nothing is a typo of a key, a skill or a
/// commune, and the edit distance (length × length per candidate) would let a hostile entry cost
/// seconds.
const MAX_SUGGEST_CHARS: usize = 100;

/// The candidate closest to `word` (accents and case aside), if close enough to be a typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let folded = fold(word);
    let len = folded.chars().count();
    if len > MAX_SUGGEST_CHARS {
        return None;
    }
    let limit = (len / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter_map(|c| {
            let c_folded = fold(c);
            // The distance is at least the difference in length: skip the computation.
            (c_folded.chars().count().abs_diff(len) <= limit)
                .then(|| (distance(&folded, &c_folded), c))
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_ligatures() {
        assert_eq!(
            fold("Développeur ŒUVRE Sainte-Énimie"),
            "developpeur oeuvre sainte-enimie"
        );
        assert_eq!(fold("L’entreprise"), "l'entreprise");
    }

    /// The definition `fold` implements faster: NFD of the whole string, marks dropped.
    fn fold_by_nfd(s: &str) -> String {
        use unicode_normalization::UnicodeNormalization;
        let mut out = String::new();
        for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
            match c {
                'œ' | 'Œ' => out.push_str("oe"),
                'æ' | 'Æ' => out.push_str("ae"),
                '’' | 'ʼ' | '‘' => out.push('\''),
                _ => out.extend(c.to_lowercase()),
            }
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn fold_equals_nfd_without_marks(s in "\\PC{0,40}") {
            proptest::prop_assert_eq!(fold(&s), fold_by_nfd(&s));
        }

        #[test]
        fn fold_equals_nfd_on_accented_latin(s in "[a-zA-Zàâäçéèêëîïôöùûüÿœæ\u{0300}-\u{036f}ǅ ]{0,40}") {
            proptest::prop_assert_eq!(fold(&s), fold_by_nfd(&s));
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Saint-Chély-d'Apcher"), "saint-chely-d-apcher");
        assert_eq!(slugify("  Atelier  Pixel!! "), "atelier-pixel");
        assert!(is_slug("atelier-pixel-2"));
        for bad in ["", "Atelier", "a--b", "-a", "a-", "a b", "../x", "a/b", "é"] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn suggestions() {
        let keys = ["competences", "commune", "contact"];
        assert_eq!(suggest("competance", keys).as_deref(), Some("competences"));
        assert_eq!(suggest("comune", keys).as_deref(), Some("commune"));
        assert_eq!(suggest("zzz", keys), None);
    }

    #[test]
    fn no_suggestion_work_for_absurdly_long_words() {
        let keys = ["competences", "commune", "contact"];
        assert_eq!(suggest(&"competences".repeat(1000), keys), None);
        assert_eq!(suggest(&"c".repeat(MAX_SUGGEST_CHARS + 1), ["c"]), None);
        // Lengths too far apart to be within the limit are skipped, with the same answer.
        assert_eq!(
            suggest("comune", ["commune", "c", "communes-et-contacts"]).as_deref(),
            Some("commune")
        );
    }

    #[test]
    fn invisible_characters() {
        assert!(has_invisible("Atelier\u{200B}Pixel"));
        assert!(has_invisible("abc\u{202E}def"));
        assert!(!has_invisible("Atelier Pixel Causse – Mende"));
    }
}
