//! The container's filesystem as Pebble's files API serves it: in memory, seeded from the
//! State's `files`, with `mounts` passed through to real host directories.
//!
//! Semantics and error texts are those of ops.testing (which runs Harness's
//! `_TestingPebbleClient` file methods on a real temporary directory), so a charm sees the same
//! `pebble.PathError` / `pebble.APIError` it sees there. Where Harness lets a raw Python
//! `OSError` escape, the error is the one real Pebble gives, in Harness's style.
//!
//! Model:
//! - `/` always exists; the parent directories of every seeded file and of every mount location
//!   exist implicitly (with Pebble's default directory metadata) and are not listed in
//!   [`Filesystem::into_files`] (the paths imply them).
//! - A path at or below a mount's `location` is the matching path under its host `source`
//!   (the longest location wins): reads and writes go to the host files with `std::fs`.
//! - Files and directories that do not set owner or permissions report Pebble's defaults:
//!   0o644 / 0o755, owned by `root` (0:0), as a Pebble running as root creates them. Every
//!   in-memory entry reports [`FILE_LAST_MODIFIED`]; host files report their mtime.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::PebbleError;
use crate::state::{ContainerFile, FileContent, FileKind, Mount};

/// The modification time every in-memory file and directory reports (RFC 3339, as Pebble
/// writes it): a fixed time keeps runs deterministic.
pub(crate) const FILE_LAST_MODIFIED: &str = "2026-01-01T00:00:00Z";

/// How to write a file (`Client.push` keywords).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct PushOptions {
    /// Create missing parent directories.
    pub(crate) make_dirs: bool,
    /// Permission bits; `None`: 0o644. Signed, as Python may pass anything.
    pub(crate) permissions: Option<i64>,
    /// The owner's id.
    pub(crate) user_id: Option<u32>,
    /// The owner's name.
    pub(crate) user: Option<String>,
    /// The group's id.
    pub(crate) group_id: Option<u32>,
    /// The group's name.
    pub(crate) group: Option<String>,
}

/// How to create a directory (`Client.make_dir` keywords).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct MakeDirOptions {
    /// Create missing parents, and accept an existing path.
    pub(crate) make_parents: bool,
    /// Permission bits; `None` (or 0, as in Harness): 0o755.
    pub(crate) permissions: Option<i64>,
    /// The owner's id.
    pub(crate) user_id: Option<u32>,
    /// The owner's name.
    pub(crate) user: Option<String>,
    /// The group's id.
    pub(crate) group_id: Option<u32>,
    /// The group's name.
    pub(crate) group: Option<String>,
}

/// One entry `list_files` returns: the fields of `ops.pebble.FileInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FileInfo {
    /// The full path in the container.
    pub(crate) path: String,
    /// The base name (`/` for the root).
    pub(crate) name: String,
    /// `file`, `directory`, `symlink`, ... (Pebble's `FileType` values).
    pub(crate) file_type: &'static str,
    /// The size in bytes, for regular files only (Pebble leaves it out otherwise).
    pub(crate) size: Option<u64>,
    /// The permission bits.
    pub(crate) permissions: u32,
    /// RFC 3339.
    pub(crate) last_modified: String,
    /// The owner's id.
    pub(crate) user_id: Option<u32>,
    /// The owner's name.
    pub(crate) user: Option<String>,
    /// The group's id.
    pub(crate) group_id: Option<u32>,
    /// The group's name.
    pub(crate) group: Option<String>,
}

impl FileInfo {
    /// The dict `ops.pebble.FileInfo.from_dict` reads (Pebble's JSON).
    pub(crate) fn to_api(&self) -> Value {
        let mut d = json!({
            "path": self.path,
            "name": self.name,
            "type": self.file_type,
            "permissions": format!("{:03o}", self.permissions),
            "last-modified": self.last_modified,
            "user-id": self.user_id,
            "user": self.user,
            "group-id": self.group_id,
            "group": self.group,
        });
        if let Some(size) = self.size {
            d["size"] = json!(size);
        }
        d
    }
}

/// What is at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    /// Nothing.
    Missing,
    /// A parent is a regular file (ENOTDIR): nothing, as Python's `Path.exists` sees it.
    NotDir,
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// Something else on a host mount (socket, device, ...).
    Other,
}

impl Node {
    fn exists(self) -> bool {
        !matches!(self, Node::Missing | Node::NotDir)
    }
}

/// Where a container path lives.
enum Loc {
    /// In memory, by normalised path.
    Mem(String),
    /// On the host, under a mount.
    Host(PathBuf),
}

/// A container's filesystem during one run.
#[derive(Clone, Debug)]
pub(crate) struct Filesystem {
    /// Explicit files and directories outside the mounts, by normalised absolute path.
    entries: BTreeMap<String, ContainerFile>,
    /// (normalised location, host source), longest location first.
    mounts: Vec<(String, PathBuf)>,
}

impl Filesystem {
    /// The filesystem the State describes. Keys are normalised (`//`, `.` and `..` resolved; a
    /// relative key is taken from `/`); an entry `/` is ignored (the root always exists).
    pub(crate) fn new(
        files: &BTreeMap<String, ContainerFile>,
        mounts: &BTreeMap<String, Mount>,
    ) -> Self {
        let entries = files
            .iter()
            .map(|(path, file)| (normalize(path), file.clone()))
            .filter(|(path, _)| path != "/")
            .collect();
        let mut mounts: Vec<(String, PathBuf)> = mounts
            .values()
            .map(|m| (normalize(&m.location), m.source.clone()))
            .collect();
        mounts.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Filesystem { entries, mounts }
    }

    /// Every file and directory outside the mounts, for the output State. Implicit parent
    /// directories are not listed; a directory that lost its last child is listed.
    pub(crate) fn into_files(self) -> BTreeMap<String, ContainerFile> {
        let mounts = self.mounts;
        self.entries
            .into_iter()
            .filter(|(path, _)| !mounts.iter().any(|(loc, _)| is_within(path, loc)))
            .collect()
    }

    /// `Client.pull`: the file's bytes.
    pub(crate) fn pull(&self, path: &str) -> Result<Vec<u8>, PebbleError> {
        check_absolute(path)?;
        let loc = self.resolve(path);
        match self.node(&loc, "stat", path)? {
            Node::Missing => Err(not_found(format!("stat {path}: no such file or directory"))),
            Node::NotDir => Err(generic(format!("stat {path}: not a directory"))),
            Node::Dir | Node::Other => {
                Err(generic(format!("can only read a regular file: \"{path}\"")))
            }
            Node::File => match loc {
                Loc::Mem(p) => Ok(self.entries[&p].bytes().to_vec()),
                Loc::Host(h) => std::fs::read(&h).map_err(|e| host_error("open", path, &e)),
            },
        }
    }

    /// `Client.push`: write a file (replacing its content and metadata).
    pub(crate) fn push(
        &mut self,
        path: &str,
        data: Vec<u8>,
        options: &PushOptions,
    ) -> Result<(), PebbleError> {
        check_permissions(options.permissions)?;
        check_absolute(path)?;
        let norm = normalize(path);
        let parent_loc = self.resolve(&parent(&norm));
        if options.make_dirs && !self.node(&parent_loc, "stat", path)?.exists() {
            self.make_dir(
                &py_dirname(path),
                &MakeDirOptions {
                    make_parents: true,
                    permissions: None,
                    user_id: options.user_id,
                    user: options.user.clone(),
                    group_id: options.group_id,
                    group: options.group.clone(),
                },
            )?;
        }
        match self.node(&parent_loc, "stat", path)? {
            // Harness formats the FileNotFoundError's first argument: the errno.
            Node::Missing => return Err(not_found("parent directory not found: 2")),
            Node::NotDir | Node::File | Node::Other => {
                return Err(generic(format!("open {path}.~: not a directory")))
            }
            Node::Dir => {}
        }
        let loc = self.resolve(path);
        if self.node(&loc, "stat", path)? == Node::Dir {
            return Err(generic(format!("rename {path}.~ {path}: is a directory")));
        }
        let permissions = options.permissions.map(|p| p as u32);
        match loc {
            Loc::Mem(p) => {
                let file = ContainerFile {
                    kind: FileKind::File,
                    content: FileContent::from_bytes(data),
                    permissions: permissions.filter(|&p| p != FileKind::File.default_permissions()),
                    user: options.user.clone(),
                    user_id: options.user_id,
                    group: options.group.clone(),
                    group_id: options.group_id,
                };
                self.entries.insert(p, file);
            }
            Loc::Host(h) => {
                std::fs::write(&h, data).map_err(|e| host_error("open", path, &e))?;
                set_host_permissions(&h, permissions.unwrap_or(0o644), path)?;
            }
        }
        Ok(())
    }

    /// `Client.list_files`: the directory's entries (sorted by name), or the path itself when
    /// it is not a directory or `itself` is set; `pattern` filters names as `fnmatch` does.
    pub(crate) fn list_files(
        &self,
        path: &str,
        pattern: Option<&str>,
        itself: bool,
    ) -> Result<Vec<FileInfo>, PebbleError> {
        check_absolute(path)?;
        let norm = normalize(path);
        let loc = self.resolve(path);
        let node = self.node(&loc, "stat", path)?;
        if !node.exists() {
            return Err(PebbleError::not_found(format!(
                "stat {path}: no such file or directory"
            )));
        }
        let mut infos = Vec::new();
        if node != Node::Dir || itself {
            infos.push(self.info(&norm, &loc, false, path)?);
        } else {
            match &loc {
                Loc::Mem(p) => {
                    for name in self.mem_children(p) {
                        let child = join(p, &name);
                        // A child that resolves to the host is a mount point: its target.
                        let child_loc = self.resolve(&child);
                        infos.push(self.info(&child, &child_loc, false, path)?);
                    }
                }
                Loc::Host(h) => {
                    let mut names: Vec<String> = std::fs::read_dir(h)
                        .map_err(|e| host_error("open", path, &e))?
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    names.sort();
                    for name in names {
                        let child = join(&norm, &name);
                        infos.push(self.info(&child, &Loc::Host(h.join(&name)), true, path)?);
                    }
                }
            }
        }
        if let Some(pattern) = pattern {
            infos.retain(|info| fnmatch(&info.name, pattern));
        }
        Ok(infos)
    }

    /// `Client.make_dir`.
    pub(crate) fn make_dir(
        &mut self,
        path: &str,
        options: &MakeDirOptions,
    ) -> Result<(), PebbleError> {
        check_permissions(options.permissions)?;
        check_absolute(path)?;
        let norm = normalize(path);
        let parent_exists = self
            .node(&self.resolve(&parent(&norm)), "stat", path)?
            .exists();
        if !parent_exists {
            if !options.make_parents {
                return Err(not_found(format!("parent directory not found: {path}")));
            }
            self.make_dir(&py_dirname(path), options)?;
        }
        let loc = self.resolve(path);
        match self.node(&loc, "stat", path)? {
            Node::File | Node::Dir | Node::Other => {
                if options.make_parents {
                    return Ok(());
                }
                return Err(generic(format!("mkdir {path}: file exists")));
            }
            Node::Missing | Node::NotDir => {}
        }
        // A parent that is a file: Harness formats the NotADirectoryError's errno.
        if self.node(&self.resolve(&parent(&norm)), "stat", path)? != Node::Dir {
            return Err(generic("not a directory: 20"));
        }
        // Harness: `permissions if permissions else 0o755`.
        let permissions = options.permissions.filter(|&p| p != 0).map(|p| p as u32);
        match loc {
            Loc::Mem(p) => {
                let dir = ContainerFile {
                    permissions: permissions
                        .filter(|&p| p != FileKind::Directory.default_permissions()),
                    user: options.user.clone(),
                    user_id: options.user_id,
                    group: options.group.clone(),
                    group_id: options.group_id,
                    ..ContainerFile::directory()
                };
                self.entries.insert(p, dir);
            }
            Loc::Host(h) => {
                std::fs::create_dir(&h).map_err(|e| host_error("mkdir", path, &e))?;
                set_host_permissions(&h, permissions.unwrap_or(0o755), path)?;
            }
        }
        Ok(())
    }

    /// `Client.remove_path`: remove a file or an empty directory, or (`recursive`) anything,
    /// succeeding when nothing is there.
    pub(crate) fn remove_path(&mut self, path: &str, recursive: bool) -> Result<(), PebbleError> {
        check_absolute(path)?;
        let norm = normalize(path);
        if self.mounts.iter().any(|(loc, _)| is_within(loc, &norm)) && norm != "/" {
            let at_mount = self.mounts.iter().any(|(loc, _)| *loc == norm);
            if at_mount || recursive {
                // A mount point cannot go: Pebble gets EBUSY.
                return Err(generic(format!("remove {path}: device or resource busy")));
            }
        }
        let loc = self.resolve(path);
        let node = self.node(&loc, "stat", path)?;
        if !node.exists() {
            if recursive {
                return Ok(());
            }
            return Err(not_found(format!(
                "remove {path}: no such file or directory"
            )));
        }
        match loc {
            Loc::Host(h) => {
                let result = match (node, recursive) {
                    (Node::Dir, true) => std::fs::remove_dir_all(&h),
                    (Node::Dir, false) => std::fs::remove_dir(&h),
                    _ => std::fs::remove_file(&h),
                };
                result.map_err(|e| {
                    if e.kind() == io::ErrorKind::DirectoryNotEmpty {
                        generic(NON_EMPTY)
                    } else {
                        host_error("remove", path, &e)
                    }
                })
            }
            Loc::Mem(p) => {
                if node == Node::Dir {
                    let below: Vec<String> = self.keys_below(&p).collect();
                    let has_mounts = self.mounts.iter().any(|(loc, _)| is_below(loc, &p));
                    if !recursive && (!below.is_empty() || has_mounts) {
                        return Err(generic(NON_EMPTY));
                    }
                    for key in below {
                        self.entries.remove(&key);
                    }
                }
                self.entries.remove(&p);
                // The parent stays, even when only this path implied it.
                let up = parent(&p);
                if up != "/" && self.mem_node(&up) == Node::Missing {
                    self.entries.insert(up, ContainerFile::directory());
                }
                Ok(())
            }
        }
    }

    /// Where `path` (absolute) lives: in memory, or under the longest matching mount.
    fn resolve(&self, path: &str) -> Loc {
        let norm = normalize(path);
        for (loc, source) in &self.mounts {
            if let Some(rest) = strip_within(&norm, loc) {
                let mut host = source.clone();
                for part in rest.split('/').filter(|s| !s.is_empty()) {
                    host.push(part);
                }
                return Loc::Host(host);
            }
        }
        Loc::Mem(norm)
    }

    /// What is at a location (`op` and `path` name it in host errors).
    fn node(&self, loc: &Loc, op: &str, path: &str) -> Result<Node, PebbleError> {
        match loc {
            Loc::Mem(p) => Ok(self.mem_node(p)),
            Loc::Host(h) => match std::fs::metadata(h) {
                Ok(m) if m.is_dir() => Ok(Node::Dir),
                Ok(m) if m.is_file() => Ok(Node::File),
                Ok(_) => Ok(Node::Other),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Node::Missing),
                Err(e) if e.raw_os_error() == Some(ENOTDIR) => Ok(Node::NotDir),
                Err(e) => Err(host_error(op, path, &e)),
            },
        }
    }

    /// What is at a normalised path outside the mounts.
    fn mem_node(&self, p: &str) -> Node {
        if p == "/" {
            return Node::Dir;
        }
        // A regular file above the path makes it unreachable.
        let mut up = parent(p);
        while up != "/" {
            if self.entries.get(&up).is_some_and(|f| !f.is_dir()) {
                return Node::NotDir;
            }
            up = parent(&up);
        }
        match self.entries.get(p) {
            Some(f) if f.is_dir() => Node::Dir,
            Some(_) => Node::File,
            None if self.keys_below(p).next().is_some()
                || self.mounts.iter().any(|(loc, _)| is_below(loc, p)) =>
            {
                Node::Dir
            }
            None => Node::Missing,
        }
    }

    /// Explicit entries strictly below a normalised directory path.
    fn keys_below<'a>(&'a self, dir: &str) -> impl Iterator<Item = String> + 'a {
        let prefix = dir_prefix(dir);
        self.entries
            .range(prefix.clone()..)
            .map(|(k, _)| k)
            .take_while(move |k| k.starts_with(&prefix))
            .cloned()
    }

    /// The names directly in an in-memory directory (entries, implicit directories, mounts).
    fn mem_children(&self, dir: &str) -> BTreeSet<String> {
        let prefix = dir_prefix(dir);
        let first = |path: &str| -> Option<String> {
            let rest = path.strip_prefix(prefix.as_str())?;
            rest.split('/')
                .next()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        self.keys_below(dir)
            .filter_map(|k| first(&k))
            .chain(self.mounts.iter().filter_map(|(loc, _)| first(loc)))
            .collect()
    }

    /// The `FileInfo` of `norm` at `loc`; `entry` lists it as a directory entry (a host
    /// symlink then reports itself, not its target).
    fn info(
        &self,
        norm: &str,
        loc: &Loc,
        entry: bool,
        path: &str,
    ) -> Result<FileInfo, PebbleError> {
        let name = if norm == "/" {
            "/".to_owned()
        } else {
            norm.rsplit('/').next().unwrap_or_default().to_owned()
        };
        match loc {
            Loc::Host(h) => {
                let meta = if entry {
                    std::fs::symlink_metadata(h)
                } else {
                    std::fs::metadata(h)
                };
                let meta = meta.map_err(|e| host_error("stat", path, &e))?;
                Ok(host_info(norm.to_owned(), name, &meta))
            }
            Loc::Mem(p) => {
                let implicit = ContainerFile::directory();
                let file = self.entries.get(p).unwrap_or(&implicit);
                let (user_id, user, group_id, group) = owner(file);
                Ok(FileInfo {
                    path: norm.to_owned(),
                    name,
                    file_type: file.kind.as_str(),
                    size: (!file.is_dir()).then(|| file.bytes().len() as u64),
                    permissions: file.effective_permissions(),
                    last_modified: FILE_LAST_MODIFIED.to_owned(),
                    user_id,
                    user,
                    group_id,
                    group,
                })
            }
        }
    }
}

const ENOTDIR: i32 = 20;
const NON_EMPTY: &str = "cannot remove non-empty directory without recursive=True";

fn generic(message: impl Into<String>) -> PebbleError {
    PebbleError::path("generic-file-error", message)
}

fn not_found(message: impl Into<String>) -> PebbleError {
    PebbleError::path("not-found", message)
}

/// A host error as Pebble words it: `open /x: permission denied`.
fn host_error(op: &str, path: &str, e: &io::Error) -> PebbleError {
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

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn set_host_permissions(host: &Path, mode: u32, path: &str) -> Result<(), PebbleError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(host, std::fs::Permissions::from_mode(mode))
        .map_err(|e| host_error("chmod", path, &e))
}

/// Harness: `paths must be absolute, got 'x'` (a Python repr).
fn check_absolute(path: &str) -> Result<(), PebbleError> {
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
fn check_permissions(permissions: Option<i64>) -> Result<(), PebbleError> {
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
fn owner(file: &ContainerFile) -> (Option<u32>, Option<String>, Option<u32>, Option<String>) {
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

fn host_info(path: String, name: String, meta: &std::fs::Metadata) -> FileInfo {
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
fn id_name(table: &str, id: u32) -> Option<String> {
    let text = std::fs::read_to_string(table).ok()?;
    text.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let _ = fields.next()?;
        (fields.next()?.parse::<u32>().ok()? == id).then(|| name.to_owned())
    })
}

/// Seconds since the epoch as RFC 3339 in UTC (`2026-01-01T00:00:00Z`).
fn rfc3339_utc(secs: i64) -> String {
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

/// An absolute path with `//`, `.` and `..` resolved and no trailing `/`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The parent of a normalised path (`/` for `/`).
fn parent(norm: &str) -> String {
    match norm.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => norm[..i].to_owned(),
    }
}

/// A normalised directory path with a trailing `/`.
fn dir_prefix(dir: &str) -> String {
    if dir == "/" {
        "/".to_owned()
    } else {
        format!("{dir}/")
    }
}

fn join(dir: &str, name: &str) -> String {
    format!("{}{name}", dir_prefix(dir))
}

/// The rest of `path` below `dir` when `path` is `dir` or inside it.
fn strip_within<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if path == dir {
        Some("")
    } else {
        path.strip_prefix(dir_prefix(dir).as_str())
    }
}

/// Whether `path` is `dir` or inside it.
fn is_within(path: &str, dir: &str) -> bool {
    strip_within(path, dir).is_some()
}

/// Whether `path` is strictly inside `dir`.
fn is_below(path: &str, dir: &str) -> bool {
    path != dir && is_within(path, dir)
}

/// Python's `os.path.dirname` (Harness passes it to `make_dir`, and errors quote it).
fn py_dirname(path: &str) -> String {
    let head = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    if !head.is_empty() && head.bytes().any(|b| b != b'/') {
        head.trim_end_matches('/').to_owned()
    } else {
        head.to_owned()
    }
}

/// Python's `repr` of a str.
pub(super) fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `fnmatch.fnmatch` on POSIX: `*`, `?`, `[seq]`, `[!seq]`; an unclosed `[` is
/// literal.
fn fnmatch(name: &str, pattern: &str) -> bool {
    let name: Vec<char> = name.chars().collect();
    let pattern: Vec<char> = pattern.chars().collect();
    match_from(&name, &pattern)
}

fn match_from(name: &[char], pattern: &[char]) -> bool {
    let Some((&p, rest)) = pattern.split_first() else {
        return name.is_empty();
    };
    match p {
        '*' => (0..=name.len()).any(|i| match_from(&name[i..], rest)),
        '?' => !name.is_empty() && match_from(&name[1..], rest),
        '[' => match parse_class(rest) {
            Some((class, after)) => {
                !name.is_empty() && class.matches(name[0]) && match_from(&name[1..], after)
            }
            None => name.first() == Some(&'[') && match_from(&name[1..], rest),
        },
        c => name.first() == Some(&c) && match_from(&name[1..], rest),
    }
}

struct CharClass {
    negated: bool,
    ranges: Vec<(char, char)>,
}

impl CharClass {
    fn matches(&self, c: char) -> bool {
        self.ranges.iter().any(|&(lo, hi)| lo <= c && c <= hi) != self.negated
    }
}

/// A `[...]` class after its `[`, and what follows it; `None` when it is not closed.
fn parse_class(pattern: &[char]) -> Option<(CharClass, &[char])> {
    let mut i = 0;
    let negated = pattern.first() == Some(&'!');
    if negated {
        i += 1;
    }
    let start = i;
    let mut ranges = Vec::new();
    loop {
        let &c = pattern.get(i)?;
        if c == ']' && i > start {
            return Some((CharClass { negated, ranges }, &pattern[i + 1..]));
        }
        if pattern.get(i + 1) == Some(&'-') && pattern.get(i + 2).is_some_and(|&e| e != ']') {
            ranges.push((c, pattern[i + 2]));
            i += 3;
        } else {
            ranges.push((c, c));
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fs_with(files: &[(&str, ContainerFile)]) -> Filesystem {
        let files = files
            .iter()
            .map(|(p, f)| (p.to_string(), f.clone()))
            .collect();
        Filesystem::new(&files, &BTreeMap::new())
    }

    fn path_err(kind: &'static str, message: &str) -> PebbleError {
        PebbleError::path(kind, message)
    }

    fn names(infos: &[FileInfo]) -> Vec<&str> {
        infos.iter().map(|i| i.name.as_str()).collect()
    }

    fn mount_fs(location: &str) -> (tempfile::TempDir, Filesystem) {
        let dir = tempfile::tempdir().unwrap();
        let mounts = BTreeMap::from([("m".to_owned(), Mount::new(location, dir.path()))]);
        let fs = Filesystem::new(&BTreeMap::new(), &mounts);
        (dir, fs)
    }

    // Seeded files read back; their parents exist implicitly.
    #[test]
    fn pull_seeded_files() {
        let fs = fs_with(&[
            ("/etc/app.conf", "port: 80\n".into()),
            ("/bin/tool", vec![0u8, 1].into()),
        ]);
        assert_eq!(fs.pull("/etc/app.conf").unwrap(), b"port: 80\n");
        assert_eq!(fs.pull("/bin/tool").unwrap(), vec![0u8, 1]);
        assert_eq!(fs.pull("//etc/./app.conf").unwrap(), b"port: 80\n");
        assert!(fs.list_files("/etc", None, true).unwrap()[0].file_type == "directory");
    }

    // Harness's pull errors.
    #[test]
    fn pull_errors() {
        let fs = fs_with(&[("/etc/app.conf", "x".into())]);
        assert_eq!(
            fs.pull("/etc/missing"),
            Err(path_err(
                "not-found",
                "stat /etc/missing: no such file or directory"
            ))
        );
        assert_eq!(
            fs.pull("/etc"),
            Err(path_err(
                "generic-file-error",
                "can only read a regular file: \"/etc\""
            ))
        );
        assert_eq!(
            fs.pull("etc/app.conf"),
            Err(path_err(
                "generic-file-error",
                "paths must be absolute, got 'etc/app.conf'"
            ))
        );
        // Pebble's text where Harness lets NotADirectoryError escape.
        assert_eq!(
            fs.pull("/etc/app.conf/x"),
            Err(path_err(
                "generic-file-error",
                "stat /etc/app.conf/x: not a directory"
            ))
        );
    }

    // push writes into existing directories (implicit ones too) and replaces files.
    #[test]
    fn push_writes_and_replaces() {
        let mut fs = fs_with(&[("/etc/app.conf", "old".into())]);
        fs.push("/etc/app.conf", b"new".to_vec(), &PushOptions::default())
            .unwrap();
        fs.push("/etc/other", vec![0xff], &PushOptions::default())
            .unwrap();
        fs.push("/top", b"t".to_vec(), &PushOptions::default())
            .unwrap();
        assert_eq!(fs.pull("/etc/app.conf").unwrap(), b"new");
        let files = fs.into_files();
        assert_eq!(files["/etc/app.conf"], ContainerFile::from("new"));
        assert_eq!(files["/etc/other"], ContainerFile::from(vec![0xffu8]));
        assert_eq!(files["/top"], ContainerFile::from("t"));
        assert_eq!(files.len(), 3, "implicit /etc is not listed: {files:?}");
    }

    // push keeps the metadata asked for; defaults are left unset.
    #[test]
    fn push_metadata() {
        let mut fs = fs_with(&[]);
        let options = PushOptions {
            permissions: Some(0o600),
            user_id: Some(1000),
            user: Some("app".into()),
            ..PushOptions::default()
        };
        fs.push("/key", b"k".to_vec(), &options).unwrap();
        let info = &fs.list_files("/key", None, false).unwrap()[0];
        assert_eq!(info.permissions, 0o600);
        assert_eq!(
            (info.user_id, info.user.as_deref()),
            (Some(1000), Some("app"))
        );
        assert_eq!(
            (info.group_id, info.group.as_deref()),
            (Some(0), Some("root"))
        );
        fs.push(
            "/plain",
            b"p".to_vec(),
            &PushOptions {
                permissions: Some(0o644),
                ..PushOptions::default()
            },
        )
        .unwrap();
        let files = fs.into_files();
        assert_eq!(
            files["/key"],
            ContainerFile::from("k")
                .permissions(0o600)
                .user_id(1000)
                .user("app")
        );
        assert_eq!(files["/plain"], ContainerFile::from("p"));
    }

    // Without make_dirs a missing parent is an error (Harness quotes the errno).
    #[test]
    fn push_missing_parent() {
        let mut fs = fs_with(&[]);
        assert_eq!(
            fs.push("/a/b", vec![], &PushOptions::default()),
            Err(path_err("not-found", "parent directory not found: 2"))
        );
    }

    // make_dirs creates every missing parent (listed in the output State).
    #[test]
    fn push_make_dirs() {
        let mut fs = fs_with(&[]);
        let options = PushOptions {
            make_dirs: true,
            user: Some("app".into()),
            ..PushOptions::default()
        };
        fs.push("/a/b/c.txt", b"c".to_vec(), &options).unwrap();
        assert_eq!(fs.pull("/a/b/c.txt").unwrap(), b"c");
        let files = fs.into_files();
        assert_eq!(files["/a"], ContainerFile::directory().user("app"));
        assert_eq!(files["/a/b"], ContainerFile::directory().user("app"));
    }

    // Harness's push errors: relative path, permissions, a file as parent, a directory.
    #[test]
    fn push_errors() {
        let mut fs = fs_with(&[("/f", "x".into()), ("/d/x", "x".into())]);
        let opts = PushOptions::default();
        assert_eq!(
            fs.push("rel", vec![], &opts),
            Err(path_err(
                "generic-file-error",
                "paths must be absolute, got 'rel'"
            ))
        );
        for (perm, text) in [(0o1000, "0o1000"), (-1, "-0o1")] {
            let opts = PushOptions {
                permissions: Some(perm),
                ..PushOptions::default()
            };
            assert_eq!(
                fs.push("/x", vec![], &opts),
                Err(path_err(
                    "generic-file-error",
                    &format!("permissions not within 0o000 to 0o777: {text}")
                ))
            );
        }
        assert_eq!(
            fs.push("/f/x", vec![], &opts),
            Err(path_err(
                "generic-file-error",
                "open /f/x.~: not a directory"
            ))
        );
        assert_eq!(
            fs.push("/d", vec![], &opts),
            Err(path_err(
                "generic-file-error",
                "rename /d.~ /d: is a directory"
            ))
        );
        let make = PushOptions {
            make_dirs: true,
            ..PushOptions::default()
        };
        assert_eq!(
            fs.push("/f/x/y", vec![], &make),
            Err(path_err("generic-file-error", "not a directory: 20"))
        );
    }

    // list_files: a directory's entries by name, or the path itself.
    #[test]
    fn list_files_entries() {
        let fs = fs_with(&[
            ("/etc/b.conf", "bb".into()),
            ("/etc/a.conf", "a".into()),
            ("/etc/sub/x", "x".into()),
            ("/etc/empty", ContainerFile::directory().permissions(0o700)),
        ]);
        let infos = fs.list_files("/etc", None, false).unwrap();
        assert_eq!(names(&infos), ["a.conf", "b.conf", "empty", "sub"]);
        assert_eq!(infos[1].path, "/etc/b.conf");
        assert_eq!(infos[1].size, Some(2));
        assert_eq!(infos[1].permissions, 0o644);
        assert_eq!(infos[2].file_type, "directory");
        assert_eq!(infos[2].permissions, 0o700);
        assert_eq!(infos[3].size, None);
        assert_eq!(infos[3].permissions, 0o755);
        let itself = fs.list_files("/etc/", None, true).unwrap();
        assert_eq!(itself.len(), 1);
        assert_eq!(
            (itself[0].path.as_str(), itself[0].name.as_str()),
            ("/etc", "etc")
        );
        let file = fs.list_files("/etc/a.conf", None, false).unwrap();
        assert_eq!(names(&file), ["a.conf"]);
        let root = fs.list_files("/", None, true).unwrap();
        assert_eq!((root[0].path.as_str(), root[0].name.as_str()), ("/", "/"));
        assert_eq!(names(&fs.list_files("/", None, false).unwrap()), ["etc"]);
        assert!(fs.list_files("/etc/empty", None, false).unwrap().is_empty());
    }

    // pattern filters names like fnmatch.
    #[test]
    fn list_files_pattern() {
        let fs = fs_with(&[
            ("/d/a.txt", "".into()),
            ("/d/b.txt", "".into()),
            ("/d/c.log", "".into()),
            ("/d/[x", "".into()),
        ]);
        let list = |p| names(&fs.list_files("/d", Some(p), false).unwrap()).join(",");
        assert_eq!(list("*.txt"), "a.txt,b.txt");
        assert_eq!(list("?.log"), "c.log");
        assert_eq!(list("[ab].*"), "a.txt,b.txt");
        assert_eq!(list("[!ab].*"), "c.log");
        assert_eq!(list("[a-b]*"), "a.txt,b.txt");
        assert_eq!(list("[x"), "[x");
        assert_eq!(list("nothing"), "");
        assert_eq!(names(&fs.list_files("/d", Some("d"), true).unwrap()), ["d"]);
    }

    // A missing path is APIError 404 (Container.exists relies on it), even below a file.
    #[test]
    fn list_files_missing_is_404() {
        let fs = fs_with(&[("/f", "x".into())]);
        for path in ["/nope", "/f/x"] {
            assert_eq!(
                fs.list_files(path, None, true),
                Err(PebbleError::not_found(format!(
                    "stat {path}: no such file or directory"
                )))
            );
        }
        assert_eq!(
            fs.list_files("f", None, false),
            Err(path_err(
                "generic-file-error",
                "paths must be absolute, got 'f'"
            ))
        );
    }

    // FileInfo in the dict form ops.pebble.FileInfo.from_dict reads.
    #[test]
    fn file_info_to_api() {
        let fs = fs_with(&[("/etc/a", ContainerFile::from("abc").permissions(0o600))]);
        let file = fs.list_files("/etc/a", None, false).unwrap()[0].to_api();
        assert_eq!(
            file,
            json!({"path": "/etc/a", "name": "a", "type": "file", "size": 3,
                   "permissions": "600", "last-modified": "2026-01-01T00:00:00Z",
                   "user-id": 0, "user": "root", "group-id": 0, "group": "root"})
        );
        let dir = fs.list_files("/etc", None, true).unwrap()[0].to_api();
        assert_eq!(dir["type"], "directory");
        assert_eq!(dir["permissions"], "755");
        assert!(dir.get("size").is_none());
    }

    // make_dir: parents needed unless make_parents; an existing path is an error without it.
    #[test]
    fn make_dir_rules() {
        let mut fs = fs_with(&[("/f", "x".into())]);
        let plain = MakeDirOptions::default();
        let parents = MakeDirOptions {
            make_parents: true,
            ..MakeDirOptions::default()
        };
        assert_eq!(
            fs.make_dir("/a/b", &plain),
            Err(path_err("not-found", "parent directory not found: /a/b"))
        );
        fs.make_dir("/a", &plain).unwrap();
        assert_eq!(
            fs.make_dir("/a", &plain),
            Err(path_err("generic-file-error", "mkdir /a: file exists"))
        );
        assert_eq!(
            fs.make_dir("/f", &plain),
            Err(path_err("generic-file-error", "mkdir /f: file exists"))
        );
        fs.make_dir("/a", &parents).unwrap();
        fs.make_dir("/x/y/z", &parents).unwrap();
        assert_eq!(
            fs.make_dir("/f/sub", &plain),
            Err(path_err("generic-file-error", "not a directory: 20"))
        );
        assert_eq!(
            fs.make_dir("rel", &plain),
            Err(path_err(
                "generic-file-error",
                "paths must be absolute, got 'rel'"
            ))
        );
        assert_eq!(
            fs.make_dir(
                "/p",
                &MakeDirOptions {
                    permissions: Some(0o1777),
                    ..MakeDirOptions::default()
                }
            ),
            Err(path_err(
                "generic-file-error",
                "permissions not within 0o000 to 0o777: 0o1777"
            ))
        );
        let files = fs.into_files();
        let dirs: Vec<&str> = files
            .iter()
            .filter(|(_, f)| f.is_dir())
            .map(|(p, _)| p.as_str())
            .collect();
        assert_eq!(dirs, ["/a", "/x", "/x/y", "/x/y/z"]);
    }

    // make_dir permissions: given (0 means default, as in Harness), parents get them too.
    #[test]
    fn make_dir_permissions() {
        let mut fs = fs_with(&[]);
        let options = MakeDirOptions {
            make_parents: true,
            permissions: Some(0o700),
            group_id: Some(5),
            ..MakeDirOptions::default()
        };
        fs.make_dir("/a/b", &options).unwrap();
        fs.make_dir(
            "/zero",
            &MakeDirOptions {
                permissions: Some(0),
                ..MakeDirOptions::default()
            },
        )
        .unwrap();
        let files = fs.into_files();
        assert_eq!(
            files["/a"],
            ContainerFile::directory().permissions(0o700).group_id(5)
        );
        assert_eq!(files["/a/b"], files["/a"]);
        assert_eq!(files["/zero"], ContainerFile::directory());
    }

    // remove_path: files, empty directories, recursive trees; missing is fine when recursive.
    #[test]
    fn remove_path_rules() {
        let mut fs = fs_with(&[
            ("/etc/a", "a".into()),
            ("/etc/sub/x", "x".into()),
            ("/empty", ContainerFile::directory()),
        ]);
        assert_eq!(
            fs.remove_path("/nope", false),
            Err(path_err(
                "not-found",
                "remove /nope: no such file or directory"
            ))
        );
        fs.remove_path("/nope", true).unwrap();
        assert_eq!(
            fs.remove_path("/etc", false),
            Err(path_err(
                "generic-file-error",
                "cannot remove non-empty directory without recursive=True"
            ))
        );
        assert_eq!(
            fs.remove_path("etc", false),
            Err(path_err(
                "generic-file-error",
                "paths must be absolute, got 'etc'"
            ))
        );
        fs.remove_path("/empty", false).unwrap();
        fs.remove_path("/etc/sub", true).unwrap();
        fs.remove_path("/etc/a", false).unwrap();
        // /etc was implied by its files; it stays, now empty and listed.
        assert!(fs.list_files("/etc", None, false).unwrap().is_empty());
        let files = fs.into_files();
        assert_eq!(
            files,
            BTreeMap::from([("/etc".to_owned(), ContainerFile::directory())])
        );
    }

    // Large files go in and out unchanged.
    #[test]
    fn large_files() {
        let mut fs = fs_with(&[]);
        let data: Vec<u8> = (0..8 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
        fs.push("/big", data.clone(), &PushOptions::default())
            .unwrap();
        assert_eq!(fs.pull("/big").unwrap(), data);
        assert_eq!(
            fs.list_files("/big", None, false).unwrap()[0].size,
            Some(data.len() as u64)
        );
        assert_eq!(fs.into_files()["/big"].bytes(), &data[..]);
    }

    // Mounts read from and write to the host directory; they stay out of the output State.
    #[test]
    fn mounts_use_the_host() {
        let (dir, mut fs) = mount_fs("/etc/svc");
        std::fs::write(dir.path().join("seed.conf"), "seed").unwrap();
        assert_eq!(fs.pull("/etc/svc/seed.conf").unwrap(), b"seed");
        fs.push(
            "/etc/svc/new.conf",
            b"new".to_vec(),
            &PushOptions::default(),
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("new.conf")).unwrap(),
            "new"
        );
        fs.make_dir("/etc/svc/d", &MakeDirOptions::default())
            .unwrap();
        assert!(dir.path().join("d").is_dir());
        let infos = fs.list_files("/etc/svc", None, false).unwrap();
        assert_eq!(names(&infos), ["d", "new.conf", "seed.conf"]);
        assert_eq!(infos[1].path, "/etc/svc/new.conf");
        assert_eq!(infos[1].permissions, 0o644);
        assert_eq!(infos[1].size, Some(3));
        assert!(infos[1].last_modified.ends_with('Z'));
        // The mount point is a directory in its parent's listing.
        let etc = fs.list_files("/etc", None, false).unwrap();
        assert_eq!(names(&etc), ["svc"]);
        assert_eq!(etc[0].file_type, "directory");
        assert!(fs.list_files("/etc/svc", None, true).unwrap()[0].file_type == "directory");
        fs.remove_path("/etc/svc/new.conf", false).unwrap();
        assert!(!dir.path().join("new.conf").exists());
        fs.remove_path("/etc/svc/d", false).unwrap();
        fs.push("/etc/outside", b"o".to_vec(), &PushOptions::default())
            .unwrap();
        assert_eq!(fs.into_files().keys().collect::<Vec<_>>(), ["/etc/outside"]);
    }

    // The same errors on a mount as in memory.
    #[test]
    fn mount_errors() {
        let (dir, mut fs) = mount_fs("/data");
        std::fs::create_dir(dir.path().join("full")).unwrap();
        std::fs::write(dir.path().join("full/f"), "f").unwrap();
        assert_eq!(
            fs.pull("/data/missing"),
            Err(path_err(
                "not-found",
                "stat /data/missing: no such file or directory"
            ))
        );
        assert_eq!(
            fs.pull("/data/full"),
            Err(path_err(
                "generic-file-error",
                "can only read a regular file: \"/data/full\""
            ))
        );
        assert_eq!(
            fs.list_files("/data/missing", None, false),
            Err(PebbleError::not_found(
                "stat /data/missing: no such file or directory"
            ))
        );
        assert_eq!(
            fs.push("/data/no/f", vec![], &PushOptions::default()),
            Err(path_err("not-found", "parent directory not found: 2"))
        );
        assert_eq!(
            fs.make_dir("/data/full", &MakeDirOptions::default()),
            Err(path_err(
                "generic-file-error",
                "mkdir /data/full: file exists"
            ))
        );
        assert_eq!(
            fs.remove_path("/data/full", false),
            Err(path_err(
                "generic-file-error",
                "cannot remove non-empty directory without recursive=True"
            ))
        );
        assert_eq!(
            fs.remove_path("/data", true),
            Err(path_err(
                "generic-file-error",
                "remove /data: device or resource busy"
            ))
        );
        fs.remove_path("/data/full", true).unwrap();
        assert!(!dir.path().join("full").exists());
        fs.push(
            "/data/x/y",
            b"y".to_vec(),
            &PushOptions {
                make_dirs: true,
                ..PushOptions::default()
            },
        )
        .unwrap();
        assert_eq!(std::fs::read(dir.path().join("x/y")).unwrap(), b"y");
    }

    // Seeded files inside a mount are hidden by it (and are not in the output).
    #[test]
    fn mount_shadows_seeded_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = BTreeMap::from([("/m/hidden".to_owned(), ContainerFile::from("h"))]);
        let mounts = BTreeMap::from([("m".to_owned(), Mount::new("/m", dir.path()))]);
        let fs = Filesystem::new(&files, &mounts);
        assert!(fs.pull("/m/hidden").is_err());
        assert!(fs.into_files().is_empty());
    }

    #[test]
    fn helpers() {
        assert_eq!(normalize("/a//b/./c/../d/"), "/a/b/d");
        assert_eq!(normalize("/"), "/");
        assert_eq!(py_dirname("/a/b"), "/a");
        assert_eq!(py_dirname("/a"), "/");
        assert_eq!(py_dirname("/a//b"), "/a");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a\nb"), "'a\\nb'");
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_767_225_600), "2026-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(951_782_400 + 3661), "2000-02-29T01:01:01Z");
    }
}
