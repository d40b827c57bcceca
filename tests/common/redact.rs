//! Message text made the same on every machine, Python and ops release, for snapshots.

use std::path::Path;

/// `message` with `dir` (and its canonical form) replaced by `[DIR]`.
pub fn redact_dir(message: &str, dir: &Path) -> String {
    let mut out = message.to_owned();
    if let Ok(canonical) = dir.canonicalize() {
        out = out.replace(&canonical.display().to_string(), "[DIR]");
    }
    out.replace(&dir.display().to_string(), "[DIR]")
}

/// `message` with the Python traceback it ends with replaced by `[traceback]`: its frames name
/// ops' own files and lines, which differ between ops releases.
#[track_caller]
pub fn redact_traceback(message: &str) -> String {
    let start = message
        .find("Traceback (most recent call last):")
        .unwrap_or_else(|| panic!("no traceback in {message:?}"));
    format!("{}[traceback]", &message[..start])
}
