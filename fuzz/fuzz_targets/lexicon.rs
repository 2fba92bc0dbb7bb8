//! The lexicon parser and compiler on arbitrary TOML.
//! Checks: `slant::bench::fuzz::lexicon`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slant::bench::fuzz::lexicon(data);
});
