//! (b) The Markdown description of an entry → sanitised HTML. Must never panic or hang, and the
//! HTML must never carry anything a browser would run (checked with an HTML tokenizer, as
//! tests/hostile.rs checks built pages).
#![no_main]

use annuaire::render::markdown;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/html_check/mod.rs"]
mod html_check;

fuzz_target!(|data: &[u8]| {
    let Ok(md) = std::str::from_utf8(data) else {
        return;
    };
    let html = markdown::render(md, "/annuaire", "annuaire.example", 2);
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    let live = html_check::live_markup(&html);
    assert!(live.is_empty(), "{live:?}\n{html}");
    let _ = markdown::audit(md);
    let _ = markdown::plain_text(md);
});
