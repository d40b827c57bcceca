//! Where a charm comes from and what its metadata says, parsed once per [`Charm`].
//!
//! A charm directory holds `src/charm.py` and either `charmcraft.yaml` (metadata, `config:` and
//! `actions:` in one file) or the legacy `metadata.yaml` + `config.yaml` + `actions.yaml`.
//! Small tests can give the Python source and the metadata inline instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::state::ConfigValue;

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

    /// Name the CharmBase subclass to run. Defaults to the only subclass defined in
    /// `src/charm.py`, or, when there are several, the one passed to `ops.main()`.
    pub fn class_name(mut self, name: impl Into<String>) -> Self {
        self.class_name = Some(name.into());
        self
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

/// A charm's metadata, config options and actions, as parsed from its YAML.
#[derive(Clone, Debug, PartialEq)]
pub struct CharmMeta {
    /// The charm's name (`name:`), also the default application name.
    pub name: String,
    /// Config options by name.
    pub config_options: BTreeMap<String, ConfigOption>,
    /// Relation endpoints by name (`requires`, `provides` and `peers`).
    pub endpoints: BTreeMap<String, Endpoint>,
    /// `extra-bindings` names.
    pub extra_bindings: Vec<String>,
    /// Workload container names (`containers:`).
    pub containers: Vec<String>,
    /// The metadata mapping (what metadata.yaml holds), passed to ops' `CharmMeta`.
    pub(crate) raw_meta: Value,
    /// `{"options": {...}}`, as config.yaml holds it.
    pub(crate) raw_config: Option<Value>,
    /// Actions by name, as actions.yaml holds them.
    pub(crate) raw_actions: Option<Value>,
}

/// One relation endpoint in the metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Where it is declared.
    pub role: EndpointRole,
    /// The interface (`interface:`).
    pub interface: String,
    /// Whether it has `scope: container` (a subordinate relation).
    pub container_scoped: bool,
    /// `limit:`, if given.
    pub limit: Option<u64>,
}

/// The section of the metadata an endpoint is declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointRole {
    /// `requires`.
    Requires,
    /// `provides`.
    Provides,
    /// `peers`.
    Peers,
}

/// One declared config option.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigOption {
    /// The declared `type:` (`string`, `int`, `float`, `boolean`, `secret`), if any.
    pub option_type: Option<String>,
    /// The declared `default:`, if any.
    pub default: Option<ConfigValue>,
}

impl CharmMeta {
    /// Metadata from values: `meta` as metadata.yaml would hold it, `config` as config.yaml
    /// (`{"options": {...}}`), `actions` as actions.yaml.
    ///
    /// # Errors
    /// [`Error::Metadata`] if a value has the wrong shape (no `name`, options not a mapping...).
    pub fn from_values(meta: Value, config: Option<Value>, actions: Option<Value>) -> Result<Self> {
        Self::build(Path::new("<metadata value>"), meta, config, actions)
    }

    /// Metadata from the text of a charmcraft.yaml (metadata, with optional `config:` and
    /// `actions:` sections). Pure: reads no file, starts no Python.
    ///
    /// # Errors
    /// [`Error::Metadata`] if the YAML is malformed (with the line and column) or has the
    /// wrong shape.
    pub fn from_charmcraft_yaml(text: &str) -> Result<Self> {
        let file = Path::new("<inline charmcraft.yaml>");
        Self::from_unified(file, parse_yaml(file, text)?)
    }

    /// Metadata from the text of the legacy files: metadata.yaml, and config.yaml and
    /// actions.yaml when the charm has them. Pure: reads no file, starts no Python.
    ///
    /// # Errors
    /// As [`CharmMeta::from_charmcraft_yaml`].
    pub fn from_yaml(metadata: &str, config: Option<&str>, actions: Option<&str>) -> Result<Self> {
        let file = Path::new("<inline metadata.yaml>");
        let meta = parse_yaml(file, metadata)?;
        let config = config
            .map(|text| parse_yaml(Path::new("<inline config.yaml>"), text))
            .transpose()?;
        let actions = actions
            .map(|text| parse_yaml(Path::new("<inline actions.yaml>"), text))
            .transpose()?;
        Self::build(file, meta, config, actions)
    }

    /// Whether the metadata section (`containers`, `storage`, `requires`, ...) declares `name`.
    pub fn declares(&self, section: &str, name: &str) -> bool {
        self.raw_meta
            .get(section)
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(name))
    }

    /// Whether `name` is a relation endpoint (`requires`, `provides` or `peers`).
    pub fn declares_endpoint(&self, name: &str) -> bool {
        self.endpoints.contains_key(name)
    }

    /// Whether the charm declares the action `name`.
    pub fn declares_action(&self, name: &str) -> bool {
        self.raw_actions
            .as_ref()
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(name))
    }

    fn from_dir(dir: &Path) -> Result<Self> {
        let charmcraft = dir.join("charmcraft.yaml");
        if charmcraft.is_file() {
            let unified = parse_yaml_file(&charmcraft)?;
            if unified.get("name").is_some() {
                return Self::from_unified(&charmcraft, unified);
            }
        }
        let metadata = dir.join("metadata.yaml");
        if !metadata.is_file() {
            return Err(Error::CharmLoad {
                path: dir.to_owned(),
                message: "no metadata: neither a charmcraft.yaml with a `name` nor a metadata.yaml"
                    .into(),
            });
        }
        let meta = parse_yaml_file(&metadata)?;
        let config = optional_yaml_file(&dir.join("config.yaml"))?;
        let actions = optional_yaml_file(&dir.join("actions.yaml"))?;
        Self::build(&metadata, meta, config, actions)
    }

    fn from_unified(file: &Path, mut unified: Value) -> Result<Self> {
        let object = unified
            .as_object_mut()
            .ok_or_else(|| metadata_error(file, "", "expected a mapping"))?;
        let config = object.remove("config");
        let actions = object.remove("actions");
        Self::build(file, unified, config, actions)
    }

    fn build(
        file: &Path,
        meta: Value,
        config: Option<Value>,
        actions: Option<Value>,
    ) -> Result<Self> {
        let object = meta
            .as_object()
            .ok_or_else(|| metadata_error(file, "", "expected a mapping at the top level"))?;
        let name = match object.get("name") {
            Some(Value::String(name)) if !name.is_empty() => name.clone(),
            Some(other) => {
                return Err(metadata_error(
                    file,
                    "name",
                    format!("expected a string, found {other}"),
                ))
            }
            None => return Err(metadata_error(file, "name", "the charm has no name")),
        };
        let config = config.filter(|c| !c.is_null());
        let config_options = match &config {
            Some(config) => parse_config_options(file, config)?,
            None => BTreeMap::new(),
        };
        let actions = actions.filter(|a| !a.is_null());
        if let Some(actions) = &actions {
            if !actions.is_object() {
                return Err(metadata_error(
                    file,
                    "actions",
                    "expected a mapping of action names",
                ));
            }
        }
        let endpoints = parse_endpoints(file, object)?;
        let extra_bindings = match object.get("extra-bindings") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(bindings)) => bindings.keys().cloned().collect(),
            Some(_) => {
                return Err(metadata_error(
                    file,
                    "extra-bindings",
                    "expected a mapping of binding names",
                ))
            }
        };
        let containers = match object.get("containers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(containers)) => containers.keys().cloned().collect(),
            Some(_) => {
                return Err(metadata_error(
                    file,
                    "containers",
                    "expected a mapping of container names",
                ))
            }
        };
        Ok(CharmMeta {
            name,
            config_options,
            endpoints,
            extra_bindings,
            containers,
            raw_meta: meta,
            raw_config: config,
            raw_actions: actions,
        })
    }
}

fn parse_endpoints(
    file: &Path,
    meta: &serde_json::Map<String, Value>,
) -> Result<BTreeMap<String, Endpoint>> {
    let mut endpoints = BTreeMap::new();
    for (section, role) in [
        ("requires", EndpointRole::Requires),
        ("provides", EndpointRole::Provides),
        ("peers", EndpointRole::Peers),
    ] {
        let declared = match meta.get(section) {
            None | Some(Value::Null) => continue,
            Some(Value::Object(declared)) => declared,
            Some(_) => {
                return Err(metadata_error(
                    file,
                    section,
                    "expected a mapping of endpoints",
                ))
            }
        };
        for (name, spec) in declared {
            let at = format!("{section}.{name}");
            let spec = spec
                .as_object()
                .ok_or_else(|| metadata_error(file, &at, "expected a mapping"))?;
            let interface = match spec.get("interface") {
                Some(Value::String(i)) => i.clone(),
                _ => {
                    return Err(metadata_error(
                        file,
                        &format!("{at}.interface"),
                        "every endpoint needs an interface name",
                    ))
                }
            };
            if endpoints.contains_key(name) {
                return Err(metadata_error(
                    file,
                    &at,
                    "the endpoint name is declared in more than one of requires, provides and peers",
                ));
            }
            endpoints.insert(
                name.clone(),
                Endpoint {
                    role,
                    interface,
                    container_scoped: spec.get("scope").and_then(Value::as_str)
                        == Some("container"),
                    limit: spec.get("limit").and_then(Value::as_u64),
                },
            );
        }
    }
    Ok(endpoints)
}

fn parse_config_options(file: &Path, config: &Value) -> Result<BTreeMap<String, ConfigOption>> {
    let options = match config.get("options") {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(options)) => options,
        Some(_) => return Err(metadata_error(file, "config.options", "expected a mapping")),
    };
    let mut out = BTreeMap::new();
    for (name, option) in options {
        let at = format!("config.options.{name}");
        let option = option
            .as_object()
            .ok_or_else(|| metadata_error(file, &at, "expected a mapping"))?;
        let option_type = match option.get("type") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(t.clone()),
            Some(other) => {
                return Err(metadata_error(
                    file,
                    &format!("{at}.type"),
                    format!("expected a string, found {other}"),
                ))
            }
        };
        let default = match option.get("default").filter(|d| !d.is_null()) {
            None => None,
            Some(d) => Some(
                ConfigValue::from_json(&yaml11_boolean(option_type.as_deref(), d)).ok_or_else(
                    || {
                        metadata_error(
                            file,
                            &format!("{at}.default"),
                            format!("expected a string, number or boolean, found {d}"),
                        )
                    },
                )?,
            ),
        };
        out.insert(
            name.clone(),
            ConfigOption {
                option_type,
                default,
            },
        );
    }
    Ok(out)
}

/// charmcraft and ops read YAML 1.1, where `yes`/`no`/`on`/`off` are booleans; our YAML 1.2
/// parser reads them as strings, so fix them up where a boolean is declared.
fn yaml11_boolean(option_type: Option<&str>, default: &Value) -> Value {
    if option_type != Some("boolean") {
        return default.clone();
    }
    match default.as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("yes" | "on" | "true" | "y") => Value::Bool(true),
        Some("no" | "off" | "false" | "n") => Value::Bool(false),
        _ => default.clone(),
    }
}

fn metadata_error(file: &Path, at: &str, message: impl Into<String>) -> Error {
    let message = message.into();
    Error::Metadata {
        file: file.to_owned(),
        line: None,
        column: None,
        message: if at.is_empty() {
            message
        } else {
            format!("{at}: {message}")
        },
    }
}

fn parse_yaml(file: &Path, text: &str) -> Result<Value> {
    serde_yaml_ng::from_str::<Value>(text).map_err(|e| {
        let location = e.location();
        let mut message = e.to_string();
        // The parser's message repeats the location we report separately.
        if let Some(l) = &location {
            message = message.replacen(
                &format!(" at line {} column {}", l.line(), l.column()),
                "",
                1,
            );
        }
        Error::Metadata {
            file: file.to_owned(),
            line: location.as_ref().map(|l| l.line()),
            column: location.as_ref().map(|l| l.column()),
            message,
        }
    })
}

fn parse_yaml_file(file: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
    parse_yaml(file, &text)
}

fn optional_yaml_file(file: &Path) -> Result<Option<Value>> {
    if file.is_file() {
        parse_yaml_file(file).map(Some)
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified_yaml_splits_config_and_actions() {
        let yaml = "name: demo\nconfig:\n  options:\n    port: {type: int, default: 80}\n    on: {type: boolean, default: yes}\nactions:\n  go: {}\n";
        let meta =
            CharmMeta::from_unified(Path::new("x"), parse_yaml(Path::new("x"), yaml).unwrap())
                .unwrap();
        assert_eq!(meta.name, "demo");
        assert_eq!(
            meta.config_options["port"].default,
            Some(ConfigValue::Int(80))
        );
        assert_eq!(
            meta.config_options["on"].default,
            Some(ConfigValue::Bool(true))
        );
        assert!(meta.raw_meta.get("config").is_none());
        assert!(meta.raw_actions.unwrap().get("go").is_some());
    }

    #[test]
    fn malformed_yaml_says_where() {
        let err = parse_yaml(Path::new("charmcraft.yaml"), "name: x\nconfig: [\n").unwrap_err();
        match err {
            Error::Metadata { line, column, .. } => {
                assert!(line.is_some() && column.is_some());
            }
            other => panic!("{other}"),
        }
    }

    #[test]
    fn metadata_reads_from_text_in_either_layout() {
        let unified = CharmMeta::from_charmcraft_yaml(
            "name: demo\nrequires:\n  db: {interface: pgsql}\nconfig:\n  options:\n    port: {type: int, default: 80}\nactions:\n  go: {}\n",
        )
        .unwrap();
        let legacy = CharmMeta::from_yaml(
            "name: demo\nrequires:\n  db: {interface: pgsql}\n",
            Some("options:\n  port: {type: int, default: 80}\n"),
            Some("go: {}\n"),
        )
        .unwrap();
        assert_eq!(unified, legacy);
        assert!(legacy.declares_endpoint("db") && legacy.declares_action("go"));
        let err = CharmMeta::from_yaml("name: x\n", Some("options: ["), None).unwrap_err();
        assert!(err.to_string().contains("config.yaml"), "{err}");
    }

    #[test]
    fn missing_name_is_an_error() {
        let err =
            CharmMeta::from_values(serde_json::json!({"summary": "x"}), None, None).unwrap_err();
        assert!(err.to_string().contains("the charm has no name"), "{err}");
    }
}
