//! HTML as a browser's tokenizer reads it, for tests of published pages. Use with
//! `mod canonical_html;`.
//!
//! [`tokens`]: start and end tags (attributes sorted), text (character references decoded,
//! consecutive runs merged), comments and the doctype; `script` and `style` contents come as raw
//! text, `title` and `textarea` as escapable raw text, as in a browser.
//!
//! [`canonical`]: the page in one spelling, so tests can look for a tag without depending on how
//! the templates order or quote its attributes: each tag is written `<name a=v b="v w">`, values
//! unquoted unless they need quotes; text keeps only `&` and `<` escaped; the contents of
//! `script` and `style` are copied as they are.

#![allow(dead_code)] // each test crate uses one of the two

use std::cell::RefCell;

#[derive(Debug, PartialEq, Eq, Clone)]
pub enum Tok {
    Start(String, Vec<(String, String)>),
    End(String),
    Text(String),
    Comment(String),
    Doctype,
}

pub fn tokens(html: &str) -> Vec<Tok> {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, CharacterTokens, CommentToken, DoctypeToken, EndTag, TagToken, Token,
        TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts, states::RawKind,
    };

    #[derive(Default)]
    struct Sink(RefCell<Vec<Tok>>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            let mut out = self.0.borrow_mut();
            match token {
                TagToken(tag) => {
                    let name = tag.name.to_string();
                    if tag.kind == EndTag {
                        out.push(Tok::End(name));
                        return TokenSinkResult::Continue;
                    }
                    let mut attrs: Vec<(String, String)> = tag
                        .attrs
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect();
                    attrs.sort();
                    out.push(Tok::Start(name.clone(), attrs));
                    return match name.as_str() {
                        "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" => TokenSinkResult::RawData(RawKind::Rawtext),
                        "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
                        _ => TokenSinkResult::Continue,
                    };
                }
                CharacterTokens(t) => match out.last_mut() {
                    Some(Tok::Text(s)) => s.push_str(&t),
                    _ => out.push(Tok::Text(t.to_string())),
                },
                CommentToken(c) => out.push(Tok::Comment(c.to_string())),
                DoctypeToken(_) => out.push(Tok::Doctype),
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
    tok.sink.0.take()
}

pub fn canonical(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut raw = false;
    for t in tokens(html) {
        match t {
            Tok::Start(name, attrs) => {
                out.push('<');
                out.push_str(&name);
                for (k, v) in attrs {
                    out.push(' ');
                    out.push_str(&k);
                    if v.is_empty() {
                        continue;
                    }
                    let plain = !v.contains(|c: char| {
                        c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '=' | '<' | '>' | '`')
                    });
                    let v = v.replace('&', "&amp;");
                    if plain {
                        out.push_str(&format!("={v}"));
                    } else {
                        out.push_str(&format!("=\"{}\"", v.replace('"', "&#34;")));
                    }
                }
                out.push('>');
                raw = matches!(name.as_str(), "script" | "style");
            }
            Tok::End(name) => {
                out.push_str(&format!("</{name}>"));
                raw = false;
            }
            Tok::Text(t) if raw => out.push_str(&t),
            Tok::Text(t) => out.push_str(&t.replace('&', "&amp;").replace('<', "&lt;")),
            Tok::Comment(c) => out.push_str(&format!("<!--{c}-->")),
            Tok::Doctype => out.push_str("<!doctype html>"),
        }
    }
    out
}
