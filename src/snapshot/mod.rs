//! `scenario snapshot`: the [`State`] of a live unit, gathered through the `juju` client, so
//! that a test can start from what a real deployment looks like.
//!
//! [`snapshot`] runs `juju` commands (through a [`JujuRunner`]; [`JujuCli`] spawns the real
//! client) and builds the State with the crate's own types:
//!
//! | part ([`Part`]) | from |
//! |---|---|
//! | model | `juju models --format json` |
//! | leadership, workload version, opened ports | `juju show-unit <unit> --format json` |
//! | unit and application status, planned units, Juju version, principal unit | `juju status --relations --format json` |
//! | config (and trust) | `juju config <app> --format json` |
//! | relations and their databags | `show-unit`'s relation info; `relation-get` in the unit for this unit's and this application's bags |
//! | networks | `network-get` in the unit, for `juju-info`, extra-bindings and related endpoints |
//! | containers | `pebble plan`, `pebble services`, `pebble checks` and `pebble notices` in each container (`juju ssh --container`), files with `juju scp` |
//! | secrets | `secret-ids`, `secret-info-get` and `secret-get` in the unit; `juju secrets` and `juju show-secret` for the secrets granted to it |
//! | storage | `storage-list` in the unit, when the metadata declares storage |
//! | the model's cloud spec | `credential-get` in the unit, when the application is trusted |
//! | deferred events, stored state | ops' `.unit-state.db`, copied out of the unit with `juju exec` and read here |
//!
//! Hook tools run in the unit's hook context with `juju exec --format json --unit <unit> --`.
//! Every command takes `-m <model>` when a model is given. The charm's metadata (from
//! `--charm DIR`, or read from the unit) tells peer and subordinate relations apart. A failing
//! command is an [`Error::Juju`] naming its command line and what it
//! printed. Each step's module says where the shape of the output it reads comes from in Juju's
//! source.
//!
//! The result renders as the State's JSON ([`Snapshot::to_json`]), a case file
//! ([`Snapshot::to_case_json`]) or a Rust integration test ([`Snapshot::to_rust_test`]).
//!
//! ```
//! use ops_scenario::snapshot::{snapshot, JujuOutput, JujuRunner, Part, SnapshotOptions};
//!
//! /// A `juju` that answers from a table, as a test would.
//! struct Canned(Vec<(&'static str, &'static str)>);
//! impl JujuRunner for Canned {
//!     fn run(&self, args: &[String]) -> std::io::Result<JujuOutput> {
//!         let line = args.join(" ");
//!         Ok(match self.0.iter().find(|(cmd, _)| *cmd == line) {
//!             Some((_, out)) => JujuOutput::ok(*out),
//!             None => JujuOutput::failed(format!("ERROR unknown command {line}")),
//!         })
//!     }
//! }
//!
//! let juju = Canned(vec![
//!     ("models --format json", r#"{"models": [{"name": "admin/dev", "short-name": "dev",
//!         "model-uuid": "5f4c0a6e-3b1d-4a57-9d0e-2c6a8e1b7f10", "model-type": "iaas"}],
//!         "current-model": "dev"}"#),
//!     ("status --relations --format json", r#"{"model": {"name": "dev", "version": "3.6.1"},
//!         "applications": {"hello": {"application-status": {"current": "active"},
//!         "units": {"hello/0": {"workload-status": {"current": "active", "message": "hi"},
//!         "machine": "0"}}}}}"#),
//!     ("show-unit hello/0 --format json",
//!      r#"{"hello/0": {"charm": "hello", "leader": true, "opened-ports": [], "machine": "0"}}"#),
//!     ("ssh hello/0 cat /var/lib/juju/agents/unit-hello-0/charm/metadata.yaml", "name: hello\n"),
//! ]);
//! let options = SnapshotOptions::new("hello/0").include([Part::Status]);
//! let snap = snapshot(&juju, &options)?;
//! assert!(snap.state.leader);
//! assert_eq!(snap.state.unit_status, ops_scenario::Status::active("hi"));
//! assert_eq!(snap.context.machine_id.as_deref(), Some("0"));
//! # Ok::<(), ops_scenario::Error>(())
//! ```

mod cloud;
mod config;
mod containers;
#[cfg(test)]
mod fake;
mod metadata;
mod model;
mod networks;
mod notices;
mod pickle;
mod relations;
mod render_json;
mod render_rust;
mod runner;
mod secrets;
mod status;
mod storage;
mod unit;
mod unit_state;

use std::collections::BTreeSet;
use std::path::PathBuf;

pub use containers::PLAN_LAYER;
pub use render_rust::RustTest;
pub use runner::{JujuCli, JujuOutput, JujuRunner};

use crate::charm::CharmMeta;
use crate::error::{Error, Result};
use crate::event::{Event, EventKind};
use crate::options::ContextOptions;
use crate::state::{AnyRelation, ModelType, State};
use relations::{kind_of, split_unit, Kind};
use runner::Juju;
use secrets::RelationKey;

/// One part of the State a snapshot can gather (`--include`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// Relations and their databags.
    Relations,
    /// Config values.
    Config,
    /// Workload containers: Pebble plans, service statuses, checks and notices (and fetched
    /// files).
    Containers,
    /// Networks of the unit's bindings.
    Networks,
    /// Secrets the unit owns or observes.
    Secrets,
    /// Storage instances attached to the unit.
    Storage,
    /// The cloud spec (`credential-get`) of a trusted application.
    CloudSpec,
    /// Deferred events.
    Deferred,
    /// StoredState contents (the charm's and the framework's).
    StoredState,
    /// Unit and application status, workload version and opened ports.
    Status,
}

impl Part {
    /// Every part, which is what a snapshot gathers unless told otherwise.
    pub const ALL: [Part; 10] = [
        Part::Relations,
        Part::Config,
        Part::Containers,
        Part::Networks,
        Part::Secrets,
        Part::Storage,
        Part::CloudSpec,
        Part::Deferred,
        Part::StoredState,
        Part::Status,
    ];

    /// The part's name on the command line: `relations`, `config`, `containers`, `networks`,
    /// `secrets`, `storage`, `cloud-spec`, `deferred`, `stored-state`, `status`.
    pub fn name(self) -> &'static str {
        match self {
            Part::Relations => "relations",
            Part::Config => "config",
            Part::Containers => "containers",
            Part::Networks => "networks",
            Part::Secrets => "secrets",
            Part::Storage => "storage",
            Part::CloudSpec => "cloud-spec",
            Part::Deferred => "deferred",
            Part::StoredState => "stored-state",
            Part::Status => "status",
        }
    }

    /// Parse a comma-separated list of part names (`relations,config`), or `all`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the unknown part and the known ones.
    pub fn parse_list(list: &str) -> Result<BTreeSet<Part>> {
        let mut parts = BTreeSet::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "all" {
                parts.extend(Part::ALL);
                continue;
            }
            let part = Part::ALL
                .into_iter()
                .find(|p| p.name() == name || p.name().replace('-', "_") == name)
                .ok_or_else(|| Error::InvalidInput {
                    path: "--include".into(),
                    message: format!(
                        "{name:?} is not a part of the State a snapshot gathers (the parts: all, {})",
                        Part::ALL.map(Part::name).join(", ")
                    ),
                })?;
            parts.insert(part);
        }
        Ok(parts)
    }
}

/// What to snapshot, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotOptions {
    /// The unit, `<app>/<number>`.
    pub unit: String,
    /// The model (`[<controller>:]<model>` or a uuid). Defaults to juju's current model.
    pub model: Option<String>,
    /// The parts to gather. Defaults to every [`Part`].
    pub include: BTreeSet<Part>,
    /// Files to copy out of workload containers into the State: (container, absolute path).
    /// Defaults to none.
    pub fetch: Vec<(String, String)>,
    /// The local charm source, for its metadata. Defaults to none: the metadata is read from
    /// the unit.
    pub charm_dir: Option<PathBuf>,
}

impl SnapshotOptions {
    /// Snapshot `unit` (`<app>/<number>`) of the current model, every part.
    pub fn new(unit: impl Into<String>) -> Self {
        SnapshotOptions {
            unit: unit.into(),
            model: None,
            include: Part::ALL.into_iter().collect(),
            fetch: Vec::new(),
            charm_dir: None,
        }
    }

    /// Set the model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Gather only these parts.
    pub fn include(mut self, parts: impl IntoIterator<Item = Part>) -> Self {
        self.include = parts.into_iter().collect();
        self
    }

    /// Copy the file at `path` in `container` into the State.
    pub fn fetch(mut self, container: impl Into<String>, path: impl Into<String>) -> Self {
        self.fetch.push((container.into(), path.into()));
        self
    }

    /// Read the charm's metadata from its source in `dir`.
    pub fn charm_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.charm_dir = Some(dir.into());
        self
    }
}

/// What a snapshot found: the unit's State, how Juju runs the unit, and what could not be
/// taken over as it was.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    /// The unit, `<app>/<number>`.
    pub unit: String,
    /// The charm's name in its metadata.
    pub charm_name: String,
    /// The unit's State.
    pub state: State,
    /// Who the unit is and which Juju runs it (application name, unit number, Juju version,
    /// trust, machine, principal unit).
    pub context: ContextOptions,
    /// What was left out or guessed, one sentence each.
    pub warnings: Vec<String>,
}

/// Gather the State of a live unit through `juju` (see the module docs for the commands).
///
/// # Errors
/// [`Error::InvalidInput`] when the unit name or an option is malformed; [`Error::Juju`]
/// naming the command when a `juju` command fails or prints what cannot be read;
/// [`Error::CharmLoad`] or [`Error::Metadata`] when the charm's metadata cannot be read.
pub fn snapshot(runner: &dyn JujuRunner, options: &SnapshotOptions) -> Result<Snapshot> {
    let unit = options.unit.as_str();
    let (app, unit_id) = split_unit(unit).ok_or_else(|| Error::InvalidInput {
        path: "unit".into(),
        message: format!("{unit:?} is not a unit name: give <application>/<number>, like web/0"),
    })?;
    let juju = Juju::new(runner, options.model.clone());
    let wants = |part| options.include.contains(&part);
    let mut warnings = Vec::new();

    let model = model::gather(&juju)?;
    let view = status::gather(&juju, unit, &mut warnings)?;
    let info = unit::gather(&juju, unit)?;
    let meta: CharmMeta = match &options.charm_dir {
        Some(dir) => metadata::from_dir(dir)?,
        None => metadata::from_unit(&juju, unit)?,
    };

    let mut state = State::default()
        .leader(info.leader)
        .planned_units(view.planned_units)
        .model(model.clone());
    let mut context = ContextOptions {
        app_name: Some(app.to_owned()),
        unit_id,
        machine_id: info.machine.clone().or(view.machine.clone()),
        principal_unit: view.principal_unit.clone(),
        ..ContextOptions::default()
    };
    if !view.juju_version.is_empty() {
        context.juju_version = view.juju_version.clone();
    } else {
        warnings.push(format!(
            "juju status gives no model version: the Juju version is left {}",
            ContextOptions::DEFAULT_JUJU_VERSION
        ));
    }

    if wants(Part::Status) {
        state = state
            .unit_status(view.unit_status.clone())
            .app_status(view.app_status.clone())
            .workload_version(&info.workload_version)
            .opened_ports(unit::ports(&info, &mut warnings));
    }
    if wants(Part::Config) || wants(Part::CloudSpec) {
        let config = config::gather(&juju, app)?;
        if wants(Part::Config) {
            state = state.config(config.config);
        }
        context.app_trusted = config.trusted;
    }
    if wants(Part::CloudSpec) && context.app_trusted {
        if let Some(spec) = cloud::gather(&juju, unit, &mut warnings) {
            state.model.cloud_spec = Some(spec);
        }
    }
    if wants(Part::Relations) {
        state = state.relations(relations::gather(
            &juju,
            unit,
            info.leader,
            &info,
            &meta,
            &view.related,
            &mut warnings,
        )?);
    }
    if wants(Part::Networks) {
        let mut bindings = vec!["juju-info".to_owned()];
        bindings.extend(meta.extra_bindings.iter().cloned());
        for ri in &info.relations {
            let kind = kind_of(&meta, &ri.endpoint, view.related.get(&ri.endpoint), app);
            let declared = meta.endpoints.contains_key(&ri.endpoint);
            if kind != Kind::Subordinate && declared && !bindings.contains(&ri.endpoint) {
                bindings.push(ri.endpoint.clone());
            }
        }
        state = state.networks(networks::gather(&juju, unit, &bindings)?);
    }
    if wants(Part::Containers) {
        if model.model_type == ModelType::Kubernetes {
            state = state.containers(containers::gather(
                &juju,
                unit,
                &meta.containers.keys().cloned().collect::<Vec<_>>(),
                &options.fetch,
                &mut warnings,
            )?);
        } else if !options.fetch.is_empty() {
            return Err(Error::InvalidInput {
                path: "--fetch".into(),
                message: format!(
                    "{unit} is in a machine model: it has no workload containers to fetch files from"
                ),
            });
        }
    } else if !options.fetch.is_empty() {
        warnings.push("--fetch is ignored: containers are not included".into());
    }
    if wants(Part::Secrets) {
        let keys: Vec<RelationKey> = info
            .relations
            .iter()
            .filter_map(|ri| {
                let id = ri.relation_id?;
                let remote_app =
                    relations::remote_app_of(ri, unit, view.related.get(&ri.endpoint))?;
                Some(RelationKey {
                    id,
                    local: format!("{app}.{}", ri.endpoint),
                    remote: format!("{remote_app}.{}", ri.related_endpoint),
                })
            })
            .collect();
        state = state.secrets(secrets::gather(&juju, unit, &keys, &mut warnings)?);
    }
    if wants(Part::Storage) && !meta.storages.is_empty() {
        state = state.storages(storage::gather(&juju, unit)?);
    }
    if wants(Part::Deferred) || wants(Part::StoredState) {
        let stored = unit_state::gather(&juju, unit, &mut warnings)?;
        if wants(Part::StoredState) {
            state = state.stored_states(stored.stored_states);
        }
        if wants(Part::Deferred) {
            state = state.deferred(stored.deferred);
        }
    }

    Ok(Snapshot {
        unit: unit.to_owned(),
        charm_name: meta.name.clone(),
        state,
        context,
        warnings,
    })
}

impl Snapshot {
    /// The event named `name` (its Python name: `update_status`, `db_relation_changed`,
    /// `web_pebble_ready`) against this snapshot's State. A relation event is given the first
    /// relation on its endpoint, and (joined, changed, departed) that relation's first remote
    /// unit.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a relation event whose endpoint has no relation in the
    /// State.
    pub fn event(&self, name: &str) -> Result<Event> {
        let event = Event::new(name);
        if event.kind() != EventKind::Relation {
            return Ok(event);
        }
        let entity = event.entity().unwrap_or_default().to_owned();
        let relation: &AnyRelation = self
            .state
            .relations
            .iter()
            .find(|r| r.endpoint().replace('-', "_") == entity)
            .ok_or_else(|| Error::InvalidInput {
                path: "--event".into(),
                message: format!(
                    "{name:?} is a relation event, and the snapshot has no relation on {entity:?}"
                ),
            })?;
        let mut event = event;
        if let Some(id) = relation.id() {
            event = event.relation_id(id);
        }
        let wants_unit = [
            "_relation_joined",
            "_relation_changed",
            "_relation_departed",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix));
        if wants_unit {
            if let Some(first) = relation.remote_unit_ids().first() {
                event = event.remote_unit(*first);
            }
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::fake::FakeJuju;
    use super::*;

    #[test]
    fn parts_parse_by_name_and_unknown_ones_are_listed() {
        assert_eq!(
            Part::parse_list("relations, stored_state,status").unwrap(),
            BTreeSet::from([Part::Relations, Part::StoredState, Part::Status])
        );
        assert_eq!(Part::parse_list("all").unwrap().len(), 10);
        let err = Part::parse_list("relatoins").unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid input at --include: \"relatoins\" is not a part of the State a snapshot gathers \
             (the parts: all, relations, config, containers, networks, secrets, storage, cloud-spec, deferred, stored-state, status)"
        );
    }

    #[test]
    fn a_relation_event_gets_the_first_relation_on_its_endpoint_and_its_first_unit() {
        use crate::state::{PeerRelation, Relation};
        let snap = Snapshot {
            unit: "web/0".into(),
            charm_name: "web".into(),
            state: State::default()
                .relations([PeerRelation::new("my-peers").id(7).peers([2, 1])])
                .relations([Relation::new("db").id(3).remote_units([4])]),
            context: ContextOptions::default(),
            warnings: Vec::new(),
        };
        assert_eq!(
            snap.event("my_peers_relation_changed").unwrap(),
            Event::new("my_peers_relation_changed")
                .relation_id(7)
                .remote_unit(1)
        );
        assert_eq!(
            snap.event("db_relation_broken").unwrap(),
            Event::new("db_relation_broken").relation_id(3)
        );
        assert_eq!(snap.event("start").unwrap(), Event::start());
        let err = snap.event("cache_relation_joined").unwrap_err().to_string();
        assert!(err.contains("no relation on \"cache\""), "{err}");
        let case: serde_json::Value = serde_json::from_str(
            &snap
                .to_case_json(std::path::Path::new("/charm"), None, "db_relation_broken")
                .unwrap(),
        )
        .unwrap();
        assert_eq!(case["charm"], "/charm");
        assert_eq!(case["event"]["relation_id"], 3);
    }

    #[test]
    fn a_malformed_unit_name_is_refused_before_juju_runs() {
        let fake = FakeJuju::new();
        let err = snapshot(&fake, &SnapshotOptions::new("web")).unwrap_err();
        assert!(err.to_string().contains("is not a unit name"), "{err}");
        assert!(fake.calls().is_empty());
    }
}
