//! The French text pipeline shared by the index (here) and the browser
//! (`themes/default/static/annuaire-pipeline.js`, which must give the same tokens: a test runs
//! both on a shared list of tricky words).
//!
//! Why not elasticlunr's stock French pipeline: it keeps elisions (`l'entreprise` is indexed as
//! `l'entrepris`, so `entreprise` misses it), drops digits (postcodes cannot be found) and keeps
//! accents (`developpeur` misses `développeur`). Ours:
//! 1. tokenize: lower case, accents and ligatures folded, then split on anything that is not
//!    `a-z` or `0-9` — both apostrophes split elisions, hyphens split compound names, digits stay;
//! 2. `annuaire-stop-fr`: drop single letters (elided articles, `e` of e-commerce) and French
//!    function words;
//! 3. `annuaire-stem-fr`: a light French stemmer (plurals, then one common derivational suffix),
//!    deliberately simple so the JavaScript copy is obviously identical. It runs on folded words,
//!    so a query typed with or without accents stems the same way.

use elasticlunr::Pipeline;
use elasticlunr::lang::Language;
use elasticlunr::pipeline::FnWrapper;

pub const STOP_NAME: &str = "annuaire-stop-fr";
pub const STEM_NAME: &str = "annuaire-stem-fr";

/// Folded, split tokens (before stop words and stemming).
pub fn tokenize(text: &str) -> Vec<String> {
    let folded = crate::text::fold(text).replace('ß', "ss");
    folded
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// French function words, folded. Kept short: in a directory, most words carry meaning.
pub const STOP_WORDS: &[&str] = &[
    "au", "aux", "avec", "ce", "ces", "cet", "cette", "dans", "de", "des", "du", "elle", "elles",
    "en", "est", "et", "il", "ils", "je", "la", "le", "les", "leur", "leurs", "lui", "ma", "mais",
    "me", "mes", "mon", "ne", "ni", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu",
    "que", "qui", "sa", "se", "ses", "son", "sont", "sur", "ta", "te", "tes", "ton", "tu", "un",
    "une", "vos", "votre", "vous",
];

pub fn stop(token: String) -> Option<String> {
    let single_letter = token.len() == 1 && token.as_bytes()[0].is_ascii_lowercase();
    if single_letter || STOP_WORDS.contains(&token.as_str()) {
        None
    } else {
        Some(token)
    }
}

/// [`stop`] without taking the token: single letters and [`STOP_WORDS`] (sorted, so a binary
/// search finds them).
fn is_stop_word(token: &str) -> bool {
    (token.len() == 1 && token.as_bytes()[0].is_ascii_lowercase())
        || (token.len() <= 5 && STOP_WORDS.binary_search(&token).is_ok())
}

/// Derivational suffixes, longest first; one is removed when at least 3 letters remain.
pub const SUFFIXES: &[&str] = &[
    "issement", "atrice", "ateur", "ation", "ement", "ments", "ment", "euse", "iste", "isme",
    "ique", "able", "ible", "ance", "ence", "eur", "ite", "ier", "iere", "ee", "er", "ez", "ie",
    "e",
];

pub fn stem(token: String) -> Option<String> {
    if token.bytes().any(|b| b.is_ascii_digit()) || token.len() <= 3 {
        return Some(token);
    }
    let mut word = token;
    // Plurals: -aux → -al (locaux → local), else a final s or x.
    if word.ends_with("aux") && word.len() > 4 {
        word.truncate(word.len() - 3);
        word.push_str("al");
    } else if (word.ends_with('s') || word.ends_with('x')) && word.len() > 3 {
        word.pop();
    }
    if let Some(suffix) = SUFFIXES
        .iter()
        .find(|s| word.ends_with(*s) && word.len() - s.len() >= 3)
    {
        word.truncate(word.len() - suffix.len());
    }
    // Doubled final consonant left by a suffix (developp → develop, numer → numer).
    let b = word.as_bytes();
    if b.len() > 4 && b[b.len() - 1] == b[b.len() - 2] && !b"aeiouy".contains(&b[b.len() - 1]) {
        word.pop();
    }
    Some(word)
}

/// [`stem`] without taking the token: one allocation, for the stem itself.
fn stem_word(token: &str) -> String {
    if token.len() <= 3 || token.bytes().any(|b| b.is_ascii_digit()) {
        return token.to_string();
    }
    // Plurals: -aux → -al (locaux → local), else a final s or x.
    let mut word = if token.ends_with("aux") && token.len() > 4 {
        let mut w = String::with_capacity(token.len());
        w.push_str(&token[..token.len() - 3]);
        w.push_str("al");
        std::borrow::Cow::Owned(w)
    } else if token.ends_with(['s', 'x']) {
        std::borrow::Cow::Borrowed(&token[..token.len() - 1])
    } else {
        std::borrow::Cow::Borrowed(token)
    };
    let len = word.len();
    if let Some(suffix) = SUFFIXES
        .iter()
        .find(|s| word.ends_with(*s) && len - s.len() >= 3)
    {
        let keep = len - suffix.len();
        match &mut word {
            std::borrow::Cow::Owned(w) => w.truncate(keep),
            std::borrow::Cow::Borrowed(w) => *w = &w[..keep],
        }
    }
    let mut word = word.into_owned();
    // Doubled final consonant left by a suffix (developp → develop, numer → numer).
    let b = word.as_bytes();
    if b.len() > 4 && b[b.len() - 1] == b[b.len() - 2] && !b"aeiouy".contains(&b[b.len() - 1]) {
        word.pop();
    }
    word
}

/// Tokens of `text` through the whole pipeline, as indexed: [`tokenize`], [`stop`] and [`stem`]
/// in one pass, without a `String` for each dropped word or intermediate step.
pub fn analyze(text: &str) -> Vec<String> {
    let mut folded = crate::text::fold(text);
    if folded.contains('ß') {
        folded = folded.replace('ß', "ss");
    }
    folded
        .split(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit()))
        .filter(|t| !t.is_empty() && !is_stop_word(t))
        .map(stem_word)
        .collect()
}

/// [`analyze`] the long way, through the pipeline functions elasticlunr-rs runs, one token at a
/// time: the reference the tests hold [`analyze`] to.
pub fn analyze_by_steps(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter_map(stop)
        .filter_map(stem)
        .collect()
}

/// The language given to elasticlunr-rs: our tokenizer and our two named pipeline functions.
pub struct French;

impl Language for French {
    fn name(&self) -> String {
        "French".into()
    }

    fn code(&self) -> String {
        "fr".into()
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        tokenize(text)
    }

    fn make_pipeline(&self) -> Pipeline {
        Pipeline {
            queue: vec![
                Box::new(FnWrapper(STOP_NAME.into(), stop)),
                Box::new(FnWrapper(STEM_NAME.into(), stem)),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elisions_digits_and_accents() {
        assert_eq!(analyze("L'entreprise"), analyze("entreprise"));
        assert_eq!(analyze("l’entreprise"), analyze("entreprise"));
        assert_eq!(analyze("d'Apcher"), vec!["apch".to_string()]);
        assert_eq!(
            analyze("48000 Mende"),
            vec!["48000".to_string(), "mend".to_string()]
        );
        assert_eq!(analyze("développeur"), analyze("developpeur"));
        assert_eq!(analyze("Sainte-Énimie"), analyze("sainte enimie"));
    }

    #[test]
    fn related_words_meet() {
        assert_eq!(analyze("graphisme"), analyze("graphiste"));
        assert_eq!(analyze("développement"), analyze("développeur"));
        assert_eq!(analyze("formations"), analyze("formation"));
        assert_eq!(analyze("locaux"), analyze("local"));
        assert!(analyze("graphisme")[0].starts_with(&analyze("graph")[0]));
    }

    #[test]
    fn stop_words_are_sorted_and_short() {
        assert!(
            STOP_WORDS.windows(2).all(|w| w[0] < w[1]),
            "binary search needs order"
        );
        assert!(
            STOP_WORDS.iter().all(|w| w.len() <= 5),
            "is_stop_word skips longer words"
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// The one-pass pipeline gives exactly the tokens of elasticlunr's step-by-step one.
        #[test]
        fn one_pass_analysis_equals_the_steps(
            text in "([a-zA-Z0-9àâçéèêëîïôûùüÿœæß’' .,;:!?-]|aux|eaux|ement|ation|issement|atrice|iques|ees|ss|pp|nn|48000| ){0,60}"
        ) {
            proptest::prop_assert_eq!(analyze(&text), analyze_by_steps(&text));
        }
    }

    #[test]
    fn one_pass_analysis_equals_the_steps_on_words_that_stem() {
        for word in [
            "locaux",
            "eaux",
            "aux",
            "baux",
            "travaux",
            "journaux",
            "développements",
            "graphistes",
            "communication",
            "numériques",
            "créatrices",
            "référencement",
            "établissements",
            "applications",
            "pp",
            "appp",
            "tress",
            "annees",
            "ees",
            "xx",
            "sss",
            "iere",
            "ieres",
        ] {
            assert_eq!(analyze(word), analyze_by_steps(word), "{word}");
        }
    }

    #[test]
    fn stop_words_and_single_letters_go() {
        assert_eq!(
            analyze("le site de l'e-commerce"),
            vec!["sit".to_string(), "commerc".to_string()]
        );
    }
}
