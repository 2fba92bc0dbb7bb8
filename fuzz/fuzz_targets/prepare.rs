//! The text stage: sentences, boilerplate, quotes and voice.
//! Checks: `slant::bench::fuzz::prepare`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slant::bench::fuzz::prepare(data);
});
