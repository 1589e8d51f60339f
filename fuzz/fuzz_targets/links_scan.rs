//! (c) The page scan of the output link checker: wherever the fast scanner answers, it must
//! answer exactly as html5gum (the WHATWG tokenizer it stands in for), and neither may panic.
#![no_main]

use annuaire::links::internal::{fast_scan, tokenize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reference = tokenize(data);
    if let Some(fast) = fast_scan(data) {
        assert_eq!(fast.links, reference.links);
        assert_eq!(fast.ids, reference.ids);
    }
});
