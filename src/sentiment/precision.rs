//! How the sentiment model computes: the numerics of its linear layers and
//! the longest input it reads. Plain data, so the command line can name it
//! without libtorch.

/// Numerics of the sentiment model's linear layers.
///
/// ```
/// use slant::sentiment::Precision;
/// assert_eq!("int8".parse::<Precision>(), Ok(Precision::Int8));
/// assert_eq!(Precision::F32.as_str(), "f32");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// rust-bert's f32 network, as trained.
    F32,
    /// Linear layers in int8 (dynamic quantisation); the rest in f32.
    Int8,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Int8 => "int8",
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Precision {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "f32" => Ok(Precision::F32),
            "int8" => Ok(Precision::Int8),
            other => Err(format!("unknown precision {other:?} (f32 or int8)")),
        }
    }
}

/// The precision `slant analyze`, `model eval|predict|bench` and
/// [`crate::sentiment::LoadOptions::default`] use unless told otherwise.
/// f32: int8 costs model v3 1.1 macro-F1 points on `dev_mt` and, scoring
/// one pair per pass, cannot share a sentence between its targets, so it
/// is slower than f32 with v3 (models/README.md, Speed); it keeps less
/// memory.
pub const DEFAULT_PRECISION: Precision = Precision::F32;

/// Command-line options for how the sentiment model scores
/// (`slant analyze`, `slant model eval|predict|bench`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct InferenceArgs {
    /// Sentiment model numerics: `f32` (as trained) or `int8` (int8 linear
    /// layers, one pair per pass: less memory, 1.1 macro-F1 points lower on
    /// dev_mt, and slower than f32 with a model that shares sentences).
    /// Scores are cached apart.
    #[arg(long, value_name = "f32|int8", default_value_t = DEFAULT_PRECISION)]
    pub precision: Precision,
    /// Longest sentiment model input in tokens [default: the model's
    /// `max_len`]; longer sentences are cut to a window around the target.
    #[arg(long, value_name = "TOKENS")]
    pub max_len: Option<usize>,
}
