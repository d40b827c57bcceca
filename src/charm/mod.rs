//! A charm: where it comes from ([`Charm`]) and what its metadata says ([`CharmMeta`], fully
//! typed and parsed once). Every lookup in the metadata goes through these types; the raw
//! documents are kept only to hand to ops' own `CharmMeta` and to write a charm root.
//!
//! A charm directory holds `src/charm.py` and either `charmcraft.yaml` (metadata, `config:` and
//! `actions:` in one file) or the legacy `metadata.yaml` + `config.yaml` + `actions.yaml`.
//! Small tests can give the Python source and the metadata inline instead.

mod action;
mod config;
mod container;
mod endpoint;
mod meta;
mod resource;
mod storage;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

pub use action::{ActionMeta, JsonType, ParamSchema, ParamType};
pub use config::{ConfigOption, ConfigType};
pub use container::{ContainerMeta, ContainerMount};
pub use endpoint::{Endpoint, EndpointRole};
pub use meta::CharmMeta;
pub use resource::{ResourceKind, ResourceMeta};
pub use storage::{StorageCount, StorageKind, StorageMeta};

use crate::error::{Error, Result};

/// A charm to run: its Python source, its metadata, and the class to instantiate.
///
/// Cheap to clone; a [`Context`](crate::Context) takes one.
#[derive(Clone, Debug)]
pub struct Charm {
    pub(crate) dir: PathBuf,
    pub(crate) class_name: Option<String>,
    pub(crate) meta: Arc<CharmMeta>,
    pub(crate) python_paths: Vec<PathBuf>,
    pub(crate) module_name: String,
    /// Keeps an inline charm's directory alive as long as the charm.
    _inline_dir: Option<Arc<tempfile::TempDir>>,
}

/// Each loaded charm module gets its own name in `sys.modules` (every charm's file is
/// `charm.py`, and one process may load many).
static NEXT_MODULE: AtomicUsize = AtomicUsize::new(0);

fn next_module_name() -> String {
    format!(
        "_scenario_charm_{}",
        NEXT_MODULE.fetch_add(1, Ordering::Relaxed)
    )
}

impl Charm {
    /// A charm directory: `src/charm.py` plus `charmcraft.yaml`, or the legacy `metadata.yaml`
    /// (with optional `config.yaml` and `actions.yaml`). The charm sees this directory as its
    /// `charm_dir`, and its `src/` and `lib/` are importable.
    ///
    /// # Errors
    /// [`Error::CharmLoad`] if the directory or its metadata is missing, [`Error::Metadata`] if
    /// a metadata file is malformed (with the line and column).
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Charm> {
        let dir = dir.as_ref();
        let dir = dir.canonicalize().map_err(|e| Error::CharmLoad {
            path: dir.to_owned(),
            message: format!("the charm directory cannot be read: {e}"),
        })?;
        if !dir.join("src").join("charm.py").is_file() {
            return Err(Error::CharmLoad {
                path: dir.clone(),
                message: "no src/charm.py in the charm directory".into(),
            });
        }
        let meta = CharmMeta::from_dir(&dir)?;
        Ok(Charm {
            dir,
            class_name: None,
            meta: Arc::new(meta),
            python_paths: Vec::new(),
            module_name: next_module_name(),
            _inline_dir: None,
        })
    }

    /// A charm given inline: its Python source (what `src/charm.py` would hold) and its
    /// charmcraft.yaml text (metadata, with optional `config:` and `actions:` sections).
    ///
    /// The source is written once to a private temporary charm directory, so tracebacks show
    /// its lines.
    ///
    /// # Errors
    /// [`Error::Metadata`] if the YAML is malformed; [`Error::Io`] if the temporary directory
    /// cannot be written.
    pub fn from_source(source: &str, charmcraft_yaml: &str) -> Result<Charm> {
        let meta = CharmMeta::from_charmcraft_yaml(charmcraft_yaml)?;
        Charm::from_source_with_meta(source, meta)
    }

    /// A charm given inline with metadata already built, for instance by
    /// [`CharmMeta::from_values`].
    ///
    /// # Errors
    /// [`Error::Io`] if the temporary charm directory cannot be written.
    pub fn from_source_with_meta(source: &str, meta: CharmMeta) -> Result<Charm> {
        let tmp = tempfile::Builder::new()
            .prefix("ops-scenario-charm-")
            .tempdir()
            .map_err(|e| Error::io("creating a directory for an inline charm", e))?;
        let src = tmp.path().join("src");
        std::fs::create_dir(&src)
            .map_err(|e| Error::io(format!("creating {}", src.display()), e))?;
        let file = src.join("charm.py");
        std::fs::write(&file, source)
            .map_err(|e| Error::io(format!("writing {}", file.display()), e))?;
        Ok(Charm {
            dir: tmp.path().to_owned(),
            class_name: None,
            meta: Arc::new(meta),
            python_paths: Vec::new(),
            module_name: next_module_name(),
            _inline_dir: Some(Arc::new(tmp)),
        })
    }

    /// A charm whose code a Python host has imported already (a test hands its Context the
    /// class): only its metadata, and an empty directory of its own (removed with the last
    /// clone) that stands for its charm dir.
    pub(crate) fn without_source(meta: CharmMeta) -> Result<Charm> {
        let tmp = tempfile::Builder::new()
            .prefix("ops-scenario-charm-")
            .tempdir()
            .map_err(|e| Error::io("creating a charm directory", e))?;
        Ok(Charm {
            dir: tmp.path().to_owned(),
            class_name: None,
            meta: Arc::new(meta),
            python_paths: Vec::new(),
            module_name: next_module_name(),
            _inline_dir: Some(Arc::new(tmp)),
        })
    }

    /// Name the CharmBase subclass to run. Defaults to the only subclass defined in
    /// `src/charm.py`, or, when there are several, the one passed to `ops.main()`.
    pub fn class_name(mut self, name: impl Into<String>) -> Self {
        self.class_name = Some(name.into());
        self
    }

    /// The CharmBase subclass named with [`class_name`](Self::class_name), if one was.
    pub fn class(&self) -> Option<&str> {
        self.class_name.as_deref()
    }

    /// Make another directory importable for this charm (prepended to `sys.path`), for
    /// packages the charm needs that are neither in its `lib/` nor in the venv.
    pub fn python_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.python_paths.push(path.into());
        self
    }

    /// The charm's parsed metadata.
    pub fn meta(&self) -> &CharmMeta {
        &self.meta
    }

    /// The charm directory the charm sees as its `charm_dir`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}
