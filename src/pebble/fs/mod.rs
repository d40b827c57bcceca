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

mod host;
mod paths;
#[cfg(test)]
mod tests;

pub(crate) use crate::text::py_repr;
use host::*;
use paths::*;
