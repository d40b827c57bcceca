//! Workload containers and what their Pebble holds: layers, service statuses, files, mounts,
//! exec results, notices and check infos.
//!
//! The plan a container's Pebble serves is computed from its layers as Pebble merges them
//! ([`Container::plan`]). Defaults that ops.testing draws at random or from process-wide
//! counters are deterministic here: a notice without an id takes the lowest free number from
//! 1 up, in State order; a notice's times default to [`DEFAULT_NOTICE_TIME`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use super::container_file::{ContainerFile, FileContent, FileKind};
pub use super::layer::{Layer, LayerItem, Plan};
use crate::event::Event;

/// The time a notice's `first_occurred`, `last_occurred` and `last_repeated` default to.
pub const DEFAULT_NOTICE_TIME: &str = "2026-01-01T00:00:00+00:00";

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

    /// `<container>_pebble_ready`.
    pub fn pebble_ready_event(&self) -> Event {
        Event::workload(&self.name, "pebble_ready")
    }

    /// `<container>_pebble_custom_notice` for `notice` (which must be one of this
    /// container's notices, with an id).
    pub fn custom_notice_event(&self, notice: &Notice) -> Event {
        Event {
            notice_id: notice.id.clone(),
            ..Event::workload(&self.name, "pebble_custom_notice")
        }
    }

    /// `<container>_pebble_check_failed` for the check `info` names.
    pub fn check_failed_event(&self, info: &CheckInfo) -> Event {
        Event {
            check: Some(info.name.clone()),
            ..Event::workload(&self.name, "pebble_check_failed")
        }
    }

    /// `<container>_pebble_check_recovered` for the check `info` names.
    pub fn check_recovered_event(&self, info: &CheckInfo) -> Event {
        Event {
            check: Some(info.name.clone()),
            ..Event::workload(&self.name, "pebble_check_recovered")
        }
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

/// A Pebble notice. Every Pebble field; times are ISO 8601 with a zone, durations seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// The notice id. Defaults to the lowest free number from 1 up, in State order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The user the notice is for; `None` for a public notice.
    #[serde(default)]
    pub user_id: Option<u32>,
    /// `custom`, `change-update`, `warning`, ... Defaults to `custom`.
    #[serde(rename = "type", default = "custom_notice_type")]
    pub notice_type: String,
    /// The key: for a custom notice, `example.com/name`.
    pub key: String,
    /// Defaults to [`DEFAULT_NOTICE_TIME`].
    #[serde(default = "default_notice_time")]
    pub first_occurred: String,
    /// Defaults to [`DEFAULT_NOTICE_TIME`].
    #[serde(default = "default_notice_time")]
    pub last_occurred: String,
    /// Defaults to [`DEFAULT_NOTICE_TIME`].
    #[serde(default = "default_notice_time")]
    pub last_repeated: String,
    /// How many times it occurred. Defaults to 1.
    #[serde(default = "one")]
    pub occurrences: u32,
    /// The data of its last occurrence. Defaults to empty.
    #[serde(default)]
    pub last_data: BTreeMap<String, String>,
    /// Seconds before a repeat counts as a new occurrence. Defaults to none.
    #[serde(default)]
    pub repeat_after: Option<f64>,
    /// Seconds before it expires. Defaults to none.
    #[serde(default)]
    pub expire_after: Option<f64>,
}

fn custom_notice_type() -> String {
    "custom".to_owned()
}

fn default_notice_time() -> String {
    DEFAULT_NOTICE_TIME.to_owned()
}

fn one() -> u32 {
    1
}

impl Notice {
    /// A custom notice with this key, occurred once at [`DEFAULT_NOTICE_TIME`].
    pub fn new(key: impl Into<String>) -> Self {
        Notice {
            id: None,
            user_id: None,
            notice_type: custom_notice_type(),
            key: key.into(),
            first_occurred: default_notice_time(),
            last_occurred: default_notice_time(),
            last_repeated: default_notice_time(),
            occurrences: 1,
            last_data: BTreeMap::new(),
            repeat_after: None,
            expire_after: None,
        }
    }

    /// Set the id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Set the type (`custom`, `change-update`, `warning`, ...).
    pub fn notice_type(mut self, notice_type: impl Into<String>) -> Self {
        self.notice_type = notice_type.into();
        self
    }

    /// Set the user the notice is for (`None`, the default, is a public notice).
    pub fn user_id(mut self, user_id: u32) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Set when it first occurred (RFC 3339).
    pub fn first_occurred(mut self, time: impl Into<String>) -> Self {
        self.first_occurred = time.into();
        self
    }

    /// Set when it last occurred (RFC 3339).
    pub fn last_occurred(mut self, time: impl Into<String>) -> Self {
        self.last_occurred = time.into();
        self
    }

    /// Set when it was last repeated (RFC 3339).
    pub fn last_repeated(mut self, time: impl Into<String>) -> Self {
        self.last_repeated = time.into();
        self
    }

    /// Set how many times it occurred.
    pub fn occurrences(mut self, occurrences: u32) -> Self {
        self.occurrences = occurrences;
        self
    }

    /// Set the seconds before a repeat counts as a new occurrence.
    pub fn repeat_after(mut self, seconds: f64) -> Self {
        self.repeat_after = Some(seconds);
        self
    }

    /// Set the seconds before it expires.
    pub fn expire_after(mut self, seconds: f64) -> Self {
        self.expire_after = Some(seconds);
        self
    }

    /// Set the data of its last occurrence.
    pub fn last_data<K: Into<String>, V: Into<String>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.last_data = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }
}

/// A check's level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckLevel {
    /// No level. The default.
    #[default]
    #[serde(rename = "")]
    Unset,
    /// `alive`.
    #[serde(rename = "alive")]
    Alive,
    /// `ready`.
    #[serde(rename = "ready")]
    Ready,
}

/// Whether a check starts with the plan.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckStartup {
    /// Not given: treated as `enabled`.
    #[serde(rename = "")]
    Unset,
    /// `enabled`. The default.
    #[default]
    #[serde(rename = "enabled")]
    Enabled,
    /// `disabled`.
    #[serde(rename = "disabled")]
    Disabled,
}

/// A check's status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Passing. The default.
    #[default]
    Up,
    /// Failing (at least `threshold` times in a row).
    Down,
    /// Stopped.
    Inactive,
}

/// The state of one check of the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInfo {
    /// The check name in the plan.
    pub name: String,
    /// Defaults to the plan's level.
    #[serde(default)]
    pub level: CheckLevel,
    /// Defaults to `enabled`.
    #[serde(default)]
    pub startup: CheckStartup,
    /// Defaults to `up`.
    #[serde(default)]
    pub status: CheckStatus,
    /// Successes in a row. Defaults to 0.
    #[serde(default)]
    pub successes: u32,
    /// Failures in a row. Defaults to 0.
    #[serde(default)]
    pub failures: u32,
    /// Failures in a row before the check is down. Defaults to 3.
    #[serde(default = "three")]
    pub threshold: u32,
    /// The id of the Pebble change running the check. Defaults to none.
    #[serde(default)]
    pub change_id: Option<String>,
}

fn three() -> u32 {
    3
}

impl CheckInfo {
    /// An enabled, passing check with no level.
    pub fn new(name: impl Into<String>) -> Self {
        CheckInfo {
            name: name.into(),
            level: CheckLevel::Unset,
            startup: CheckStartup::Enabled,
            status: CheckStatus::Up,
            successes: 0,
            failures: 0,
            threshold: 3,
            change_id: None,
        }
    }

    /// Set the level.
    pub fn level(mut self, level: CheckLevel) -> Self {
        self.level = level;
        self
    }

    /// Set the status.
    pub fn status(mut self, status: CheckStatus) -> Self {
        self.status = status;
        self
    }

    /// Set the failures in a row.
    pub fn failures(mut self, failures: u32) -> Self {
        self.failures = failures;
        self
    }

    /// Set the threshold.
    pub fn threshold(mut self, threshold: u32) -> Self {
        self.threshold = threshold;
        self
    }

    /// Set whether the check starts with the plan.
    pub fn startup(mut self, startup: CheckStartup) -> Self {
        self.startup = startup;
        self
    }

    /// Set the id of the Pebble change running the check.
    pub fn change_id(mut self, id: impl Into<String>) -> Self {
        self.change_id = Some(id.into());
        self
    }
}

/// Give every notice its id by the State's rule: in State order (containers, then their
/// notices), each notice without an id takes the lowest number from 1 up that no notice
/// gives explicitly and no earlier notice took.
pub(crate) fn assign_notice_ids(containers: &mut [Container]) {
    let explicit: std::collections::BTreeSet<String> = containers
        .iter()
        .flat_map(|c| c.notices.iter().filter_map(|n| n.id.clone()))
        .collect();
    let mut next = 1u64;
    for notice in containers.iter_mut().flat_map(|c| c.notices.iter_mut()) {
        if notice.id.is_none() {
            while explicit.contains(&next.to_string()) {
                next += 1;
            }
            notice.id = Some(next.to_string());
            next += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_ids_are_numbered_around_explicit_ones() {
        let mut containers = vec![
            Container::new("a").notices([Notice::new("x/a"), Notice::new("x/b").id("2")]),
            Container::new("b").notices([Notice::new("x/c"), Notice::new("x/d")]),
        ];
        assign_notice_ids(&mut containers);
        let ids: Vec<_> = containers
            .iter()
            .flat_map(|c| c.notices.iter().map(|n| n.id.clone().unwrap()))
            .collect();
        assert_eq!(ids, ["1", "2", "3", "4"]);
    }

    #[test]
    fn layers_keep_their_order_in_json() {
        let c = Container::new("web").layers([("z", Layer::default()), ("a", Layer::default())]);
        let json = serde_json::to_string(&c.layers).unwrap();
        assert_eq!(json, r#"{"z":{},"a":{}}"#);
        let back: Layers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c.layers);
    }
}
