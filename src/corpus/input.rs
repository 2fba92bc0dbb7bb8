//! One spelling per input path. An article's source names its file under
//! the input as given, and a rerun knows an article by its source: without
//! this, `corpus/` (a shell's completion) after `corpus` would be a new
//! corpus to the cache, and every article would be analysed again.

use std::path::{Component, Path, PathBuf};

/// `path` with its `.` components, doubled and trailing separators
/// dropped, and, when it lies under `cwd` (the working folder), made
/// relative to it. `..` is kept: through a symbolic link, `a/b/..` need
/// not be `a`.
///
/// ```
/// use std::path::Path;
/// use slant::corpus::input_path;
/// let cwd = Path::new("/home/ana/news");
/// for given in ["corpus", "corpus/", "./corpus", "corpus//", "/home/ana/news/corpus"] {
///     assert_eq!(input_path(Path::new(given), Some(cwd)), Path::new("corpus"));
/// }
/// assert_eq!(input_path(Path::new("/data/corpus/"), Some(cwd)), Path::new("/data/corpus"));
/// assert_eq!(input_path(Path::new("../corpus"), Some(cwd)), Path::new("../corpus"));
/// assert_eq!(input_path(Path::new("./"), Some(cwd)), Path::new("."));
/// assert_eq!(input_path(Path::new("/home/ana/news"), Some(cwd)), Path::new("."));
/// ```
pub fn input_path(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let lexical: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    let under = cwd
        .filter(|_| lexical.is_absolute())
        .and_then(|cwd| lexical.strip_prefix(cwd).ok())
        .map(Path::to_path_buf);
    let spelled = under.unwrap_or(lexical);
    if spelled.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        spelled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_only_shares_the_working_folder_s_prefix_by_whole_components() {
        let cwd = Path::new("/home/ana/news");
        assert_eq!(
            input_path(Path::new("/home/ana/newsroom/corpus"), Some(cwd)),
            Path::new("/home/ana/newsroom/corpus")
        );
    }

    #[test]
    fn without_a_working_folder_only_the_spelling_is_tidied() {
        assert_eq!(
            input_path(Path::new("/home/ana/./news/corpus/"), None),
            Path::new("/home/ana/news/corpus")
        );
        assert_eq!(input_path(Path::new("."), None), Path::new("."));
        assert_eq!(
            input_path(Path::new("a/./b.csv"), None),
            Path::new("a/b.csv")
        );
    }
}
