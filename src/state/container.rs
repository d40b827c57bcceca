//! Workload containers and what their Pebble holds: layers, service statuses, files, mounts,
//! exec results, notices and check infos.
//!
//! The plan a container's Pebble serves is computed from its layers as Pebble merges them
//! ([`Container::plan`]). Notices and check infos have their own modules.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use super::check::{CheckInfo, CheckLevel, CheckStartup, CheckStatus};
pub use super::container_file::{ContainerFile, FileContent, FileKind};
pub use super::layer::{Layer, LayerItem, Plan};
pub use super::notice::{Notice, DEFAULT_NOTICE_TIME};

/// A workload container (`containers:` in the metadata) and its Pebble.
///
/// ```
/// use ops_scenario::{Container, Layer, ServiceStatus};
/// let layer = Layer::from_yaml(
///     "services:\n  web:\n    override: replace\n    command: /bin/web\n    startup: enabled\n",
/// )?;
/// let web = Container::new("web")
///     .can_connect(true)
///     .layers([("base", layer)])
///     .service_statuses([("web", ServiceStatus::Active)])
///     .files([("/etc/web.conf", "port: 80\n")]);
/// assert_eq!(web.plan().services["web"]["command"], "/bin/web");
/// assert_eq!(web.file("/etc/web.conf").unwrap().text(), Some("port: 80\n"));
/// # Ok::<(), ops_scenario::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Container {
    /// The container name in the metadata.
    pub name: String,
    /// Whether the charm can reach the container's Pebble. Defaults to `false`, as in
    /// ops.testing: every Pebble call then raises `pebble.ConnectionError`.
    pub can_connect: bool,
    /// Pebble layers by label, in the order Pebble applies them. Defaults to none.
    pub layers: Layers,
    /// The status of each service; a service in the plan that is not listed is `inactive`.
    pub service_statuses: BTreeMap<String, ServiceStatus>,
    /// Host directories mounted in the container, by mount name: reads come from the host
    /// files and the charm's writes go to them.
    pub mounts: BTreeMap<String, Mount>,
    /// Files in the container's filesystem (outside mounts), by absolute path. In the output
    /// State, every file and directory the filesystem holds outside the mounts.
    pub files: BTreeMap<String, ContainerFile>,
    /// What commands run in the container return, matched by the longest command prefix.
    pub execs: Vec<Exec>,
    /// Pebble notices.
    pub notices: Vec<Notice>,
    /// The status of the plan's checks.
    pub check_infos: Vec<CheckInfo>,
}

impl Container {
    /// A container named `name` (whose Pebble is not reachable until `can_connect(true)`).
    pub fn new(name: impl Into<String>) -> Self {
        Container {
            name: name.into(),
            ..Container::default()
        }
    }

    /// Set whether Pebble is reachable. Defaults to `false`.
    pub fn can_connect(mut self, can_connect: bool) -> Self {
        self.can_connect = can_connect;
        self
    }

    /// Add layers by label (a label already there is replaced in its place).
    pub fn layers<L: Into<String>>(mut self, layers: impl IntoIterator<Item = (L, Layer)>) -> Self {
        for (label, layer) in layers {
            self.layers.insert(label.into(), layer);
        }
        self
    }

    /// Set services' statuses.
    pub fn service_statuses<S: Into<String>>(
        mut self,
        statuses: impl IntoIterator<Item = (S, ServiceStatus)>,
    ) -> Self {
        self.service_statuses
            .extend(statuses.into_iter().map(|(s, status)| (s.into(), status)));
        self
    }

    /// Add mounts by name.
    pub fn mounts<N: Into<String>>(mut self, mounts: impl IntoIterator<Item = (N, Mount)>) -> Self {
        self.mounts
            .extend(mounts.into_iter().map(|(n, mount)| (n.into(), mount)));
        self
    }

    /// Put files in the container's filesystem, by absolute path.
    pub fn files<P: Into<String>, F: Into<ContainerFile>>(
        mut self,
        files: impl IntoIterator<Item = (P, F)>,
    ) -> Self {
        self.files
            .extend(files.into_iter().map(|(p, f)| (p.into(), f.into())));
        self
    }

    /// Add exec results.
    pub fn execs(mut self, execs: impl IntoIterator<Item = Exec>) -> Self {
        self.execs.extend(execs);
        self
    }

    /// Add notices.
    pub fn notices(mut self, notices: impl IntoIterator<Item = Notice>) -> Self {
        self.notices.extend(notices);
        self
    }

    /// Add check infos.
    pub fn check_infos(mut self, infos: impl IntoIterator<Item = CheckInfo>) -> Self {
        self.check_infos.extend(infos);
        self
    }

    /// The plan Pebble serves: the layers merged in order (`override: merge` / `replace`).
    pub fn plan(&self) -> Plan {
        Plan::from_layers(self.layers.iter().map(|(_, layer)| layer))
    }

    /// A file in the container's filesystem (outside mounts), by absolute path.
    pub fn file(&self, path: &str) -> Option<&ContainerFile> {
        self.files.get(path)
    }
}

/// Pebble layers by label, in order. JSON form: an object, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layers(Vec<(String, Layer)>);

impl Layers {
    /// The layers in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Layer)> {
        self.0.iter().map(|(label, layer)| (label.as_str(), layer))
    }

    /// The layer with this label.
    pub fn get(&self, label: &str) -> Option<&Layer> {
        self.0
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, layer)| layer)
    }

    /// The layer with this label, to change it.
    pub fn get_mut(&mut self, label: &str) -> Option<&mut Layer> {
        self.0
            .iter_mut()
            .find(|(l, _)| l == label)
            .map(|(_, layer)| layer)
    }

    /// Add a layer at the end, or replace the layer with the same label in its place.
    pub fn insert(&mut self, label: String, layer: Layer) {
        match self.get_mut(&label) {
            Some(existing) => *existing = layer,
            None => self.0.push((label, layer)),
        }
    }

    /// How many layers there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Layers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (label, layer) in &self.0 {
            map.serialize_entry(label, layer)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Layers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LayersVisitor;
        impl<'de> serde::de::Visitor<'de> for LayersVisitor {
            type Value = Layers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of layers by label")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Layers, A::Error> {
                let mut layers = Layers::default();
                while let Some((label, layer)) = map.next_entry::<String, Layer>()? {
                    layers.insert(label, layer);
                }
                Ok(layers)
            }
        }
        d.deserialize_map(LayersVisitor)
    }
}

/// A service's status, as Pebble reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ServiceStatus {
    /// Running.
    Active,
    /// Not running. The default.
    #[default]
    Inactive,
    /// Failed.
    Error,
    /// Waiting to be restarted after failing.
    Backoff,
}

impl ServiceStatus {
    /// Pebble's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            ServiceStatus::Active => "active",
            ServiceStatus::Inactive => "inactive",
            ServiceStatus::Error => "error",
            ServiceStatus::Backoff => "backoff",
        }
    }
}

/// A host directory mounted into a container.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Mount {
    /// Where the container sees it (an absolute path).
    pub location: String,
    /// The host directory; a relative path in a case file is relative to the case file.
    pub source: PathBuf,
}

impl Mount {
    /// The host directory `source`, seen in the container at `location`.
    pub fn new(location: impl Into<String>, source: impl Into<PathBuf>) -> Self {
        Mount {
            location: location.into(),
            source: source.into(),
        }
    }
}

/// What a command run in the container returns (`container.exec`), for every command that
/// starts with `command_prefix` (the longest matching prefix wins; an empty prefix matches
/// every command).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Exec {
    /// The command's first words.
    pub command_prefix: Vec<String>,
    /// The exit code. Defaults to 0.
    #[serde(default)]
    pub return_code: i32,
    /// What the command writes to stdout. Defaults to `""`.
    #[serde(default)]
    pub stdout: String,
    /// What the command writes to stderr. Defaults to `""`.
    #[serde(default)]
    pub stderr: String,
}

impl Exec {
    /// Commands starting with `command_prefix` succeed with no output.
    pub fn new<S: Into<String>>(command_prefix: impl IntoIterator<Item = S>) -> Self {
        Exec {
            command_prefix: command_prefix.into_iter().map(Into::into).collect(),
            return_code: 0,
            stdout: String::new(),
            stderr: String::new(),
        }
    }

    /// Set the exit code.
    pub fn return_code(mut self, code: i32) -> Self {
        self.return_code = code;
        self
    }

    /// Set stdout.
    pub fn stdout(mut self, stdout: impl Into<String>) -> Self {
        self.stdout = stdout.into();
        self
    }

    /// Set stderr.
    pub fn stderr(mut self, stderr: impl Into<String>) -> Self {
        self.stderr = stderr.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_keep_their_order_in_json() {
        let c = Container::new("web").layers([("z", Layer::default()), ("a", Layer::default())]);
        let json = serde_json::to_string(&c.layers).unwrap();
        assert_eq!(json, r#"{"z":{},"a":{}}"#);
        let back: Layers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c.layers);
    }
}
