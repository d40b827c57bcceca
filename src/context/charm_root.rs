//! The directory a charm sees as its charm dir when the Context is given one
//! ([`Context::charm_root`](super::Context::charm_root)), with the metadata files written
//! there for the Context's lifetime.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::charm::Charm;
use crate::error::{Error, Result};

/// A directory the charm sees as its charm dir, and the metadata files the Context wrote
/// into it (removed again when the Context is dropped; nothing else there is touched).
#[derive(Debug)]
pub(super) struct CharmRoot {
    pub(super) dir: PathBuf,
    written: OnceLock<Result<Vec<PathBuf>, String>>,
}

impl CharmRoot {
    pub(super) fn new(dir: PathBuf) -> CharmRoot {
        CharmRoot {
            dir,
            written: OnceLock::new(),
        }
    }

    /// Write the metadata files the directory lacks (once), so the charm finds its metadata
    /// there as under Juju: `metadata.yaml`, and `config.yaml` and `actions.yaml` if the
    /// charm has config or actions; none if the directory has a `charmcraft.yaml`, and never
    /// over a file already there.
    pub(super) fn prepare(&self, charm: &Charm) -> Result<()> {
        self.written
            .get_or_init(|| {
                if !self.dir.is_dir() {
                    return Err(format!(
                        "the charm root {} is not a directory",
                        self.dir.display()
                    ));
                }
                if self.dir.join("charmcraft.yaml").exists() {
                    return Ok(Vec::new());
                }
                let (meta, config, actions) = charm.meta.documents();
                let files = [
                    ("metadata.yaml", Some(meta)),
                    ("config.yaml", config),
                    ("actions.yaml", actions),
                ];
                let mut written = Vec::new();
                for (name, value) in files {
                    let (Some(value), path) = (value, self.dir.join(name)) else {
                        continue;
                    };
                    if path.exists() {
                        continue;
                    }
                    let yaml = serde_yaml_ng::to_string(value)
                        .map_err(|e| format!("writing {}: {e}", path.display()))?;
                    std::fs::write(&path, yaml)
                        .map_err(|e| format!("writing {}: {e}", path.display()))?;
                    written.push(path);
                }
                Ok(written)
            })
            .clone()
            .map(|_| ())
            .map_err(|message| Error::Io {
                context: message,
                source: std::io::Error::other("the charm root cannot be prepared"),
            })
    }
}

impl Drop for CharmRoot {
    fn drop(&mut self) {
        if let Some(Ok(written)) = self.written.get() {
            for path in written {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}
