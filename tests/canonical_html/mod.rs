//! HTML in one canonical spelling, so tests can look for a tag without depending on how the
//! templates order or quote its attributes: each tag is written `<name a=v b="v w">`, attributes
//! sorted, values unquoted unless they need quotes; text keeps only `&` and `<` escaped; the
//! contents of `script` and `style` are copied as they are. Use with `mod canonical_html;`.

use std::cell::RefCell;

pub fn canonical(html: &str) -> String {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, CharacterTokens, CommentToken, DoctypeToken, EndTag, TagToken, Token,
        TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts, states::RawKind,
    };

    #[derive(Default)]
    struct Sink {
        out: RefCell<String>,
        raw: RefCell<bool>,
    }
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            let mut out = self.out.borrow_mut();
            match token {
                TagToken(tag) => {
                    *self.raw.borrow_mut() = false;
                    let name = tag.name.to_string();
                    if tag.kind == EndTag {
                        out.push_str(&format!("</{name}>"));
                        return TokenSinkResult::Continue;
                    }
                    let mut attrs: Vec<(String, String)> = tag
                        .attrs
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect();
                    attrs.sort();
                    out.push('<');
                    out.push_str(&name);
                    for (k, v) in attrs {
                        out.push(' ');
                        out.push_str(&k);
                        if v.is_empty() {
                            continue;
                        }
                        let plain = !v.contains(|c: char| {
                            c.is_ascii_whitespace()
                                || matches!(c, '"' | '\'' | '=' | '<' | '>' | '`')
                        });
                        let v = v.replace('&', "&amp;");
                        if plain {
                            out.push_str(&format!("={v}"));
                        } else {
                            out.push_str(&format!("=\"{}\"", v.replace('"', "&#34;")));
                        }
                    }
                    out.push('>');
                    let raw = match name.as_str() {
                        "script" => Some(RawKind::ScriptData),
                        "style" => Some(RawKind::Rawtext),
                        _ => None,
                    };
                    if let Some(kind) = raw {
                        *self.raw.borrow_mut() = true;
                        return TokenSinkResult::RawData(kind);
                    }
                }
                CharacterTokens(t) => {
                    if *self.raw.borrow() {
                        out.push_str(&t);
                    } else {
                        out.push_str(&t.replace('&', "&amp;").replace('<', "&lt;"));
                    }
                }
                CommentToken(c) => out.push_str(&format!("<!--{c}-->")),
                DoctypeToken(_) => out.push_str("<!doctype html>"),
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }

    let tok = Tokenizer::new(Sink::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tok.feed(&input);
    tok.end();
    tok.sink.out.take()
}
