//! Normaliser, obfuscation repair and the offset map back to the input.
//! Checks: `slant::bench::fuzz::normalize`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    slant::bench::fuzz::normalize(data);
});
