//! Errors, metadata and permissions of host files (under mounts), and Pebble's error shapes.

use super::*;

pub(super) fn generic(message: impl Into<String>) -> PebbleError {
    PebbleError::path("generic-file-error", message)
}

pub(super) fn not_found(message: impl Into<String>) -> PebbleError {
    PebbleError::path("not-found", message)
}

/// A host error as Pebble words it: `open /x: permission denied`.
pub(super) fn host_error(op: &str, path: &str, e: &io::Error) -> PebbleError {
    let (kind, reason) = match e.kind() {
        io::ErrorKind::NotFound => ("not-found", "no such file or directory".to_owned()),
        io::ErrorKind::PermissionDenied => ("permission-denied", "permission denied".to_owned()),
        _ => {
            // "Not a directory (os error 20)" -> "not a directory", as Go prints errno.
            let text = e.to_string();
            let text = text.split(" (os error").next().unwrap_or(&text).to_owned();
            ("generic-file-error", lowercase_first(&text))
        }
    };
    PebbleError::path(kind, format!("{op} {path}: {reason}"))
}

pub(super) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn set_host_permissions(host: &Path, mode: u32, path: &str) -> Result<(), PebbleError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(host, std::fs::Permissions::from_mode(mode))
        .map_err(|e| host_error("chmod", path, &e))
}

/// Harness: `paths must be absolute, got 'x'` (a Python repr).
pub(super) fn check_absolute(path: &str) -> Result<(), PebbleError> {
    if path.starts_with('/') {
        Ok(())
    } else {
        Err(generic(format!(
            "paths must be absolute, got {}",
            py_repr(path)
        )))
    }
}

/// Harness: `permissions not within 0o000 to 0o777: 0o1000`.
pub(super) fn check_permissions(permissions: Option<i64>) -> Result<(), PebbleError> {
    match permissions {
        Some(p) if !(0..=0o777).contains(&p) => {
            let sign = if p < 0 { "-" } else { "" };
            Err(generic(format!(
                "permissions not within 0o000 to 0o777: {sign}0o{:o}",
                p.unsigned_abs()
            )))
        }
        _ => Ok(()),
    }
}

/// The owner a file reports: what was set, else root (when neither id nor name is set).
pub(super) fn owner(
    file: &ContainerFile,
) -> (Option<u32>, Option<String>, Option<u32>, Option<String>) {
    let (user_id, user) = match (file.user_id, &file.user) {
        (None, None) => (Some(0), Some("root".to_owned())),
        (id, name) => (id, name.clone()),
    };
    let (group_id, group) = match (file.group_id, &file.group) {
        (None, None) => (Some(0), Some("root".to_owned())),
        (id, name) => (id, name.clone()),
    };
    (user_id, user, group_id, group)
}

pub(super) fn host_info(path: String, name: String, meta: &std::fs::Metadata) -> FileInfo {
    use std::os::unix::fs::MetadataExt;
    let ft = meta.file_type();
    let file_type = if ft.is_symlink() {
        "symlink"
    } else if ft.is_dir() {
        "directory"
    } else if ft.is_file() {
        "file"
    } else {
        "unknown"
    };
    let mtime = meta.mtime();
    FileInfo {
        path,
        name,
        file_type,
        size: ft.is_file().then_some(meta.len()),
        permissions: meta.mode() & 0o777,
        last_modified: rfc3339_utc(mtime),
        user_id: Some(meta.uid()),
        user: id_name("/etc/passwd", meta.uid()),
        group_id: Some(meta.gid()),
        group: id_name("/etc/group", meta.gid()),
    }
}

/// The name for an id in `/etc/passwd` or `/etc/group` (`name:x:id:...`).
pub(super) fn id_name(table: &str, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(table).ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let _ = fields.next()?;
        (fields.next()?.parse::<u32>().ok()? == id).then(|| name.to_owned())
    })
}

/// Seconds since the epoch as RFC 3339 in UTC (`2026-01-01T00:00:00Z`).
pub(super) fn rfc3339_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}
