//! Finds what a browser would run in HTML, for the tests of published output (tests/hostile.rs)
//! and of Markdown rendering (tests/properties.rs). Use with `mod html_check;`.

use std::cell::RefCell;

/// What a browser would run in an HTML page, found by tokenizing it the way a browser does (text
/// that merely reads `<script>` — escaped, or inside `<title>` — is harmless and not reported).
pub fn live_markup(html: &str) -> Vec<String> {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, CharacterTokens, StartTag, TagToken, Token, TokenSink, TokenSinkResult,
        Tokenizer, TokenizerOpts, states::RawKind,
    };

    #[derive(Default)]
    struct Sink {
        problems: RefCell<Vec<String>>,
        in_script: RefCell<Option<String>>,
    }

    impl TokenSink for Sink {
        type Handle = ();

        fn process_token(&self, token: Token, line: u64) -> TokenSinkResult<()> {
            let mut problems = self.problems.borrow_mut();
            match token {
                TagToken(tag) => {
                    let name = tag.name.to_string();
                    if let Some(body) = self.in_script.borrow_mut().take()
                        && body.contains("alert")
                    {
                        problems.push(format!("line {line}: script runs `{body}`"));
                    }
                    if tag.kind != StartTag {
                        return TokenSinkResult::Continue;
                    }
                    if matches!(name.as_str(), "iframe" | "object" | "embed" | "base") {
                        problems.push(format!("line {line}: <{name}> element"));
                    }
                    for attr in &tag.attrs {
                        let key = attr.name.local.to_string().to_ascii_lowercase();
                        let value: String = attr
                            .value
                            .chars()
                            .filter(|c| !c.is_whitespace() && !c.is_control())
                            .collect::<String>()
                            .to_ascii_lowercase();
                        if key.starts_with("on") {
                            problems.push(format!("line {line}: <{name} {key}=…> event handler"));
                        }
                        let url_attr = matches!(
                            key.as_str(),
                            "href"
                                | "src"
                                | "action"
                                | "formaction"
                                | "data"
                                | "poster"
                                | "srcset"
                                | "xlink:href"
                        );
                        let scheme_bad = value.starts_with("javascript:")
                            || value.starts_with("vbscript:")
                            || (value.starts_with("data:") && name != "link");
                        if url_attr && scheme_bad {
                            problems.push(format!("line {line}: <{name} {key}=\"{value}\">"));
                        }
                    }
                    match name.as_str() {
                        "script" => {
                            // A data block (`type="application/ld+json"`…) is not run.
                            let runs = tag
                                .attrs
                                .iter()
                                .find(|a| &*a.name.local == "type")
                                .is_none_or(|a| {
                                    let t = a.value.trim().to_ascii_lowercase();
                                    t.is_empty()
                                        || t == "module"
                                        || t.contains("javascript")
                                        || t.contains("ecmascript")
                                });
                            *self.in_script.borrow_mut() = runs.then(String::new);
                            TokenSinkResult::RawData(RawKind::ScriptData)
                        }
                        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                        "style" | "xmp" | "noembed" | "noframes" | "noscript" => {
                            TokenSinkResult::RawData(RawKind::Rawtext)
                        }
                        "plaintext" => TokenSinkResult::Plaintext,
                        _ => TokenSinkResult::Continue,
                    }
                }
                CharacterTokens(text) => {
                    if let Some(body) = self.in_script.borrow_mut().as_mut() {
                        body.push_str(&text);
                    }
                    TokenSinkResult::Continue
                }
                _ => TokenSinkResult::Continue,
            }
        }
    }

    let tokenizer = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.problems.take()
}
