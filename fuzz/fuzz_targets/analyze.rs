//! One article through text and lexicon stages (embedded lexicon).
//! Checks: `slant::bench::fuzz::analyze`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slant::bench::fuzz::analyze(data);
});
