//! Value-level rules shared by the entry checks: identity numbers, contact syntax, banned words.

use crate::text;

/// SIRET: 14 digits with a valid Luhn checksum, except La Poste's establishments (SIREN 356000000),
/// whose numbers are checked by digit sum modulo 5, as INSEE documents.
pub fn siret_is_valid(siret: &str) -> bool {
    if siret.len() != 14 || !siret.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits: Vec<u32> = siret.bytes().map(|b| u32::from(b - b'0')).collect();
    if siret.starts_with("356000000") && siret != "35600000000048" {
        return digits.iter().sum::<u32>() % 5 == 0;
    }
    luhn(&digits)
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Spaces are allowed in what contributors write ("832 123 459 00014").
pub fn normalize_siret(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A deliberately plain check: one `@`, a dotted domain, no spaces or angle brackets.
pub fn email_is_valid(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let ok_chars = |p: &str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_alphanumeric() || "._%+-'".contains(c))
    };
    ok_chars(local)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

/// French numbers: `04 66 00 00 00`, `0466000000`, `+33 4 66 00 00 00`, `+33 (0)4…`. Returns the
/// display form `04 66 00 00 00`.
pub fn normalize_phone(s: &str) -> Option<String> {
    let mut digits: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}' | '(' | ')'))
        .collect();
    if let Some(rest) = digits.strip_prefix("+33") {
        let rest = rest.strip_prefix('0').unwrap_or(rest);
        digits = format!("0{rest}");
    } else if let Some(rest) = digits.strip_prefix("0033") {
        digits = format!("0{rest}");
    }
    let b = digits.as_bytes();
    if b.len() != 10 || b[0] != b'0' || b[1] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        digits
            .as_bytes()
            .chunks(2)
            .map(|p| std::str::from_utf8(p).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// An absolute `http(s)` URL with a host, and nothing that could break out of an attribute.
pub fn url_is_valid(s: &str, https_only: bool) -> bool {
    let rest = if let Some(r) = s.strip_prefix("https://") {
        r
    } else if let Some(r) = s.strip_prefix("http://") {
        if https_only {
            return false;
        }
        r
    } else {
        return false;
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    let host_name = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let host_ok = !host_name.is_empty()
        && (host_name.contains('.') || host_name == "localhost")
        && host_name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    host_ok
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>`\\{}|^".contains(c))
        && !text::has_invisible(s)
}

/// The banned expression found in `text`, compared without case or accents, on word boundaries.
pub fn banned_word<'a>(text_in: &str, words: &'a [String]) -> Option<&'a str> {
    let hay = normalize_words(text_in);
    let mut needle = String::new();
    words
        .iter()
        .find(|w| {
            needle.clear();
            normalize_into(w, &mut needle);
            // A word of punctuation only normalises to a lone space, which would match anything.
            needle.len() > 1 && hay.contains(needle.as_str())
        })
        .map(String::as_str)
}

/// ` word word … `: folded, `º` read as `°`, every run of other characters one space, with a
/// space at both ends so whole words can be looked for as ` word `.
fn normalize_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    normalize_into(s, &mut out);
    out
}

fn normalize_into(s: &str, out: &mut String) {
    out.reserve(s.len() + 2);
    out.push(' ');
    let mut space = true;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            // ASCII (most French text) byte by byte, without the Unicode tables.
            if b.is_ascii_alphanumeric() || b == b'%' {
                out.push(char::from(b.to_ascii_lowercase()));
                space = false;
            } else if !space {
                out.push(' ');
                space = true;
            }
            i += 1;
        } else {
            // `i` is at a character boundary: only whole characters are stepped over.
            let len = s[i..].chars().next().map_or(1, char::len_utf8);
            normalize_folded(&s[i..i + len], out, &mut space);
            i += len;
        }
    }
    if !space {
        out.push(' ');
    }
}

/// The general case of [`normalize_into`], for any text.
fn normalize_folded(s: &str, out: &mut String, space: &mut bool) {
    text::fold_each(s, |c| {
        let c = if c == 'º' { '°' } else { c };
        if c.is_alphanumeric() || c == '°' || c == '%' {
            out.push(c);
            *space = false;
        } else if !*space {
            out.push(' ');
            *space = true;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn siret_checksums() {
        assert!(siret_is_valid("73282932000074"));
        assert!(!siret_is_valid("73282932000075"));
        assert!(!siret_is_valid("7328293200007"));
        assert!(!siret_is_valid("7328293200007a"));
        assert!(siret_is_valid("35600000000048"));
        assert!(siret_is_valid("35600000049837"));
        assert_eq!(normalize_siret("732 829 320 00074"), "73282932000074");
    }

    #[test]
    fn emails() {
        assert!(email_is_valid("bonjour@atelier-pixel.example"));
        assert!(!email_is_valid("bonjour@localhost"));
        assert!(!email_is_valid("<script>@x.fr"));
        assert!(!email_is_valid("a@@b.fr"));
    }

    #[test]
    fn phones() {
        assert_eq!(
            normalize_phone("04 66 00 00 00").as_deref(),
            Some("04 66 00 00 00")
        );
        assert_eq!(
            normalize_phone("+33 (0)4 66 00 00 00").as_deref(),
            Some("04 66 00 00 00")
        );
        assert_eq!(
            normalize_phone("06.12.34.56.78").as_deref(),
            Some("06 12 34 56 78")
        );
        assert_eq!(normalize_phone("466000000"), None);
        assert_eq!(normalize_phone("00 66 00 00 00"), None);
    }

    #[test]
    fn urls() {
        assert!(url_is_valid(
            "https://atelier.example/portfolio?x=1#a",
            true
        ));
        assert!(url_is_valid("http://atelier.example", false));
        assert!(!url_is_valid("http://atelier.example", true));
        assert!(!url_is_valid("javascript:alert(1)", false));
        assert!(!url_is_valid("data:text/html,<script>", false));
        assert!(!url_is_valid("https://a.example/\"onmouseover=x", false));
        assert!(!url_is_valid("https:///path", false));
    }

    proptest::proptest! {
        /// The ASCII fast path normalises as the character-by-character general case.
        #[test]
        fn normalising_by_runs_equals_char_by_char(text in "([a-zA-Z0-9%°º .,;'’-]|é|È|œ|Æ|ß|ﬁ|ǅ|İ|\\PC){0,40}") {
            let mut by_runs = String::new();
            normalize_into(&text, &mut by_runs);
            let mut by_chars = String::from(" ");
            let mut space = true;
            normalize_folded(&text, &mut by_chars, &mut space);
            if !space {
                by_chars.push(' ');
            }
            proptest::prop_assert_eq!(by_runs, by_chars);
        }
    }

    #[test]
    fn banned_words_ignore_case_and_accents() {
        let words = vec![
            "le meilleur".to_string(),
            "n°1".to_string(),
            "leader".to_string(),
        ];
        assert_eq!(
            banned_word("Nous sommes LE MEILLEUR du Gévaudan", &words),
            Some("le meilleur")
        );
        assert_eq!(banned_word("Le n°1 du web", &words), Some("n°1"));
        assert_eq!(banned_word("Le N°1 du web", &words), Some("n°1"));
        assert_eq!(banned_word("Nous sommes leaders", &words), None);
        assert_eq!(banned_word("Un travail soigné", &words), None);
        assert_eq!(banned_word("Le nº1 du web", &words), Some("n°1"));
        assert_eq!(banned_word("leader", &words), Some("leader"));
        assert_eq!(
            banned_word("Un texte", &["".to_string(), "--".to_string()]),
            None
        );
    }
}
