//! A run's input, prepared once and read by everything after: the normalised State and the
//! event resolved against it ([`RunScope`]). The consistency checker reports what could not
//! be resolved; the hook tools and the runtime read the same scope, so the three never
//! disagree about which relation, unit, container, secret or storage the event is about.

use std::path::Path;

use super::juju_keys::WithheldKeys;
use super::relation::{complete_relation_snapshot, RelationHook, RemoteUnitChoice};
use super::workload::complete_workload_snapshot;
use super::{ActionCall, Event, EventKind, RelationTargetError, StorageRef, WorkloadTargetError};
use crate::charm::CharmMeta;
use crate::options::{ContextOptions, JujuVersion, JUJU_4};
use crate::state::{assign_check_change_ids, assign_notice_ids, Model, State};

/// A run's input: the normalised State and the event resolved against it.
#[derive(Clone, Debug)]
pub(crate) struct Prepared {
    /// The caller's State, copied once and normalised: every relation's id (by the State's
    /// numbering rule) and interface (from the metadata), every notice's id, every running
    /// check's change id written out, and deferred events' snapshots completed as ops would
    /// have written them.
    pub state: State,
    /// The event, resolved against that State.
    pub scope: RunScope,
}

impl Prepared {
    /// Normalise `state` for running `event` as the unit `options` describe, and resolve the
    /// event. Never fails: what cannot be resolved is left in the scope for the checker.
    pub fn new(meta: &CharmMeta, options: &ContextOptions, event: &Event, state: &State) -> Self {
        let app_name = options.app_name.as_deref().unwrap_or(&meta.name);
        let mut state = normalise(meta, app_name, state);
        let withheld = match options.juju() {
            Some(juju) if juju >= JUJU_4 => WithheldKeys::withhold(&mut state),
            _ => WithheldKeys::default(),
        };
        let mut scope = RunScope::resolve(options, app_name, event, &state);
        scope.withheld = withheld;
        Prepared { state, scope }
    }
}

/// The caller's State as the run starts from it (see [`Prepared::state`]).
fn normalise(meta: &CharmMeta, app_name: &str, state: &State) -> State {
    let mut state = state.clone();
    state.assign_relation_ids();
    assign_notice_ids(&mut state.containers);
    // ops reads a running check without a change id as inactive.
    for container in &mut state.containers {
        assign_check_change_ids(container);
    }
    for relation in &mut state.relations {
        if relation.interface().is_none() {
            if let Some(endpoint) = meta.endpoints.get(relation.endpoint()) {
                relation.set_interface(endpoint.interface.clone());
            }
        }
    }
    // Deferred events built by `Event::deferred` (or by hand) get what only the State knows
    // and ops would have written into their snapshots.
    let completed: Vec<_> = state
        .deferred
        .iter()
        .map(|deferred| {
            complete_relation_snapshot(deferred, &state, app_name)
                .or_else(|| complete_workload_snapshot(deferred, &state))
                .or_else(|| deferred.completed_secret_snapshot(&state))
        })
        .collect();
    for (deferred, snapshot) in state.deferred.iter_mut().zip(completed) {
        if let Some(snapshot) = snapshot {
            deferred.snapshot_data = snapshot;
        }
    }
    state
}

/// Who the unit is and what this run is about, as the unit agent knows it: the event
/// resolved against the normalised State, once.
#[derive(Clone, Debug)]
pub(crate) struct RunScope {
    /// The application name.
    pub app_name: String,
    /// `<app>/<n>`.
    pub unit_name: String,
    /// The unit number.
    pub unit_id: u32,
    /// The Juju version the charm sees (0.0.0 if it does not parse: the checker reports it).
    pub juju: JujuVersion,
    /// Whether the application is trusted (`credential-get`).
    pub app_trusted: bool,
    /// The hook's name as Juju gives it (`JUJU_HOOK_NAME`): the entity spelled as the
    /// metadata spells it (`my-db-relation-changed`); empty for an action.
    pub hook_name: String,
    /// For a relation event, its relation and units; otherwise, or when they cannot be found,
    /// why not.
    pub relation: Result<RelationEventScope, RelationTargetError>,
    /// For a Pebble event, its container, notice or check; otherwise, or when they cannot be
    /// found, why not.
    pub workload: Result<WorkloadEventScope, WorkloadTargetError>,
    /// For a secret event whose secret is in the State, the secret as the hook sees it.
    pub secret: Option<SecretEventScope>,
    /// For a storage event, the storage instance.
    pub storage: Option<StorageRef>,
    /// For an action, the action and its parameters.
    pub action: Option<ActionCall>,
    /// Whether the run is the `collect-metrics` hook (the only one that may add metrics).
    pub collect_metrics: bool,
    /// Whether ops dispatches the event without re-emitting deferred events or collecting
    /// status (`collect-metrics`: ops' `_main`, `_Dispatcher.is_restricted_context`).
    pub restricted: bool,
    /// The unit-databag keys Juju writes itself that this Juju does not (Juju 4's
    /// `private-address`), taken out for the run and put back in its output State.
    pub withheld: WithheldKeys,
}

/// The relation a relation hook runs for, as the hook's environment names it.
#[derive(Clone, Debug)]
pub(crate) struct RelationEventScope {
    /// The relation's position in `State::relations`.
    pub index: usize,
    /// `JUJU_RELATION_ID` (the number).
    pub relation_id: u32,
    /// `JUJU_RELATION`.
    pub endpoint: String,
    pub hook: RelationHook,
    /// `JUJU_REMOTE_APP`.
    pub remote_app: String,
    /// The remote unit's number, when the hook has one.
    pub remote_unit_id: Option<u32>,
    /// `JUJU_REMOTE_UNIT`.
    pub remote_unit: Option<String>,
    /// `JUJU_DEPARTING_UNIT`.
    pub departing_unit: Option<String>,
    /// How the remote unit was chosen (the checker warns about a default among several).
    pub remote_unit_choice: RemoteUnitChoice,
}

/// The container (and notice or check) a Pebble hook runs for.
#[derive(Clone, Debug)]
pub(crate) struct WorkloadEventScope {
    /// `JUJU_WORKLOAD_NAME`.
    pub container: String,
    /// Whether the container's Pebble answers.
    pub can_connect: bool,
    /// `(id, type, key)` of a custom notice.
    pub notice: Option<(String, String, String)>,
    /// `JUJU_PEBBLE_CHECK_NAME`.
    pub check: Option<String>,
}

/// The secret a secret hook runs for.
#[derive(Clone, Debug)]
pub(crate) struct SecretEventScope {
    /// The secret's position in `State::secrets`.
    pub index: usize,
    /// `JUJU_SECRET_ID`: the id as the State gives it.
    pub id: String,
    /// `JUJU_SECRET_LABEL`: the label this unit knows it by.
    pub label: Option<String>,
    /// `JUJU_SECRET_REVISION`, for `secret-expired` and `secret-remove`.
    pub revision: Option<u32>,
}

impl RunScope {
    /// The scope of running `event` on the normalised `state` as unit `options.unit_id` of
    /// `app_name`.
    pub fn resolve(options: &ContextOptions, app_name: &str, event: &Event, state: &State) -> Self {
        let kind = event.kind();
        let relation = event.relation_target(state).map(|target| {
            let remote_app = target.relation.remote_app_name(app_name).to_owned();
            let unit = |n: Option<u32>| n.map(|n| format!("{remote_app}/{n}"));
            RelationEventScope {
                index: target.index,
                relation_id: target.id,
                endpoint: target.relation.endpoint().to_owned(),
                hook: target.hook,
                remote_unit_id: target.remote_unit,
                remote_unit: unit(target.remote_unit),
                departing_unit: unit(target.departing_unit),
                remote_unit_choice: target.choice,
                remote_app,
            }
        });
        let workload = event
            .workload_target(state)
            .map(|target| WorkloadEventScope {
                container: target.container.name.clone(),
                can_connect: target.container.can_connect,
                notice: target.notice.map(|n| {
                    (
                        n.id.clone().unwrap_or_default(),
                        n.notice_type.clone(),
                        n.key.clone(),
                    )
                }),
                check: target.check.map(|c| c.name.clone()),
            });
        let secret = event
            .secret_target(state)
            .map(|(index, secret)| SecretEventScope {
                index,
                id: secret.id.clone(),
                label: secret.label.clone(),
                revision: event.revision.filter(|_| event.secret_event_has_revision()),
            });
        // The hook name keeps the entity as the metadata spells it (`my-db-relation-changed`).
        let hook_name = match (&relation, &workload, kind) {
            (_, _, EventKind::Action) => String::new(),
            (Ok(relation), _, _) => event.hook_name_for(&relation.endpoint),
            (_, Ok(workload), _) => event.hook_name_for(&workload.container),
            (_, _, EventKind::Storage) => match &event.storage {
                Some(storage) => event.hook_name_for(&storage.name),
                None => event.hook_name(),
            },
            _ => event.hook_name(),
        };
        RunScope {
            app_name: app_name.to_owned(),
            unit_name: format!("{app_name}/{}", options.unit_id),
            unit_id: options.unit_id,
            juju: options.juju().unwrap_or(JujuVersion(0, 0, 0)),
            app_trusted: options.app_trusted,
            hook_name,
            relation,
            workload,
            secret,
            storage: event.storage.clone().filter(|_| kind == EventKind::Storage),
            action: event.action.clone().filter(|_| kind == EventKind::Action),
            collect_metrics: event.name == "collect_metrics",
            // ops' `_main` also restricts `meter-status-changed`, which Juju no longer sends
            // and the Event kinds do not know.
            restricted: kind == EventKind::Lifecycle && event.name == "collect_metrics",
            withheld: WithheldKeys::default(),
        }
    }

    /// The relation event, when the event is one and its relation was found.
    pub fn relation_event(&self) -> Option<&RelationEventScope> {
        self.relation.as_ref().ok()
    }

    /// The Pebble event, when the event is one and its container was found.
    pub fn workload_event(&self) -> Option<&WorkloadEventScope> {
        self.workload.as_ref().ok()
    }

    /// The relation ops' Model leaves out of `model.relations` (ops' dispatch passes it for
    /// relation-broken).
    pub fn broken_relation_id(&self) -> Option<u32> {
        self.relation_event()
            .filter(|r| r.hook == RelationHook::Broken)
            .map(|r| r.relation_id)
    }

    /// The remote unit ops' Model keeps readable after it left (ops' dispatch passes
    /// `JUJU_REMOTE_UNIT` to the Model in relation-departed and -broken).
    pub fn model_remote_unit(&self) -> Option<&str> {
        self.relation_event()
            .filter(|r| matches!(r.hook, RelationHook::Departed | RelationHook::Broken))
            .and_then(|r| r.remote_unit.as_deref())
    }

    /// The environment Juju gives the charm process for this hook (`JUJU_*`), in a fixed
    /// order: what the unit agent's `HookContext.HookVars` sets
    /// (internal/worker/uniter/runner/context/context.go), for the parts a charm reads.
    pub fn juju_environment(
        &self,
        options: &ContextOptions,
        model: &Model,
        charm_dir: &Path,
    ) -> Vec<(&'static str, String)> {
        let mut env: Vec<(&'static str, String)> = Vec::with_capacity(16);
        match &self.action {
            // Juju dispatches actions as `actions/<name>`, with no hook name.
            Some(action) => {
                let id = action.id();
                env.push(("JUJU_DISPATCH_PATH", format!("actions/{}", action.name)));
                env.push(("JUJU_HOOK_NAME", String::new()));
                env.push(("JUJU_ACTION_NAME", action.name.clone()));
                env.push(("JUJU_ACTION_UUID", id.to_owned()));
                env.push(("JUJU_ACTION_TAG", format!("action-{id}")));
            }
            None => {
                env.push(("JUJU_DISPATCH_PATH", format!("hooks/{}", self.hook_name)));
                env.push(("JUJU_HOOK_NAME", self.hook_name.clone()));
            }
        }
        if let Some(secret) = &self.secret {
            env.push(("JUJU_SECRET_ID", secret.id.clone()));
            env.push((
                "JUJU_SECRET_LABEL",
                secret.label.clone().unwrap_or_default(),
            ));
            if let Some(revision) = secret.revision {
                env.push(("JUJU_SECRET_REVISION", revision.to_string()));
            }
        }
        if let Some(storage) = &self.storage {
            env.push((
                "JUJU_STORAGE_ID",
                format!("{}/{}", storage.name, storage.index),
            ));
        }
        env.push(("JUJU_UNIT_NAME", self.unit_name.clone()));
        if let Some(relation) = self.relation_event() {
            env.push(("JUJU_RELATION", relation.endpoint.clone()));
            env.push((
                "JUJU_RELATION_ID",
                format!("{}:{}", relation.endpoint, relation.relation_id),
            ));
            env.push(("JUJU_REMOTE_APP", relation.remote_app.clone()));
            if let Some(unit) = &relation.remote_unit {
                env.push(("JUJU_REMOTE_UNIT", unit.clone()));
            }
            if let Some(unit) = &relation.departing_unit {
                env.push(("JUJU_DEPARTING_UNIT", unit.clone()));
            }
        }
        if let Some(workload) = self.workload_event() {
            env.push(("JUJU_WORKLOAD_NAME", workload.container.clone()));
            if let Some((id, notice_type, key)) = &workload.notice {
                env.push(("JUJU_NOTICE_ID", id.clone()));
                env.push(("JUJU_NOTICE_TYPE", notice_type.clone()));
                env.push(("JUJU_NOTICE_KEY", key.clone()));
            }
            if let Some(check) = &workload.check {
                env.push(("JUJU_PEBBLE_CHECK_NAME", check.clone()));
            }
        }
        env.push(("JUJU_MODEL_NAME", model.name.clone()));
        env.push(("JUJU_MODEL_UUID", model.uuid.clone()));
        env.push(("JUJU_VERSION", options.juju_version.clone()));
        env.push(("JUJU_CHARM_DIR", charm_dir.display().to_string()));
        for (key, value) in [
            ("JUJU_AVAILABILITY_ZONE", &options.availability_zone),
            ("JUJU_MACHINE_ID", &options.machine_id),
            ("JUJU_PRINCIPAL_UNIT", &options.principal_unit),
        ] {
            if let Some(value) = value {
                env.push((key, value.clone()));
            }
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{
        Container, Notice, PeerRelation, Relation, Secret, SecretOwner, Storage, StoredValue,
    };
    use serde_json::json;

    fn meta() -> CharmMeta {
        CharmMeta::from_values(
            json!({
                "name": "demo",
                "requires": {"my-db": {"interface": "pgsql"}},
                "peers": {"cluster": {"interface": "demo-peers"}},
                "containers": {"web-ui": {}},
                "storage": {"data": {"type": "filesystem"}},
            }),
            None,
            Some(json!({"backup": {}})),
        )
        .unwrap()
    }

    fn env_of(event: &Event, state: &State, options: &ContextOptions) -> Vec<(String, String)> {
        let prepared = Prepared::new(&meta(), options, event, state);
        prepared
            .scope
            .juju_environment(options, &prepared.state.model, Path::new("/charm"))
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    fn get<'e>(env: &'e [(String, String)], key: &str) -> Option<&'e str> {
        env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_state_is_normalised_once() {
        let state = State::default()
            .relations([Relation::new("my-db"), Relation::new("my-db").id(1)])
            .containers([Container::new("web-ui").notices([Notice::new("a.com/x")])]);
        let prepared = Prepared::new(&meta(), &ContextOptions::default(), &Event::start(), &state);
        let ids: Vec<_> = prepared.state.relations.iter().map(|r| r.id()).collect();
        assert_eq!(ids, [Some(2), Some(1)]);
        assert_eq!(prepared.state.relations[0].interface(), Some("pgsql"));
        assert_eq!(
            prepared.state.containers[0].notices[0].id.as_deref(),
            Some("1")
        );
        // The caller's State is untouched.
        assert_eq!(state.relations[0].id(), None);
    }

    #[test]
    fn deferred_snapshots_are_completed_from_the_state() {
        let db = Relation::new("my-db").remote_app_name("pg");
        let deferred = db.changed_event().deferred("Demo", "_on_db");
        let state = State::default().relations([db]).deferred([deferred]);
        let prepared = Prepared::new(&meta(), &ContextOptions::default(), &Event::start(), &state);
        let snapshot = &prepared.state.deferred[0].snapshot_data;
        assert_eq!(snapshot["app_name"], StoredValue::from("pg"));
        assert_eq!(snapshot["relation_id"], StoredValue::Int(1));
        assert_eq!(snapshot["unit_name"], StoredValue::from("pg/0"));
    }

    #[test]
    fn a_relation_event_is_resolved_with_its_units_and_environment() {
        let db = Relation::new("my-db")
            .remote_app_name("pg")
            .remote_units([0, 1]);
        let state = State::default().relations([db.clone()]);
        let event = db.departed_event().remote_unit(1);
        let options = ContextOptions::default();
        let prepared = Prepared::new(&meta(), &options, &event, &state);
        let relation = prepared.scope.relation_event().unwrap();
        assert_eq!(relation.remote_unit.as_deref(), Some("pg/1"));
        assert_eq!(relation.departing_unit.as_deref(), Some("pg/1"));
        assert_eq!(prepared.scope.model_remote_unit(), Some("pg/1"));
        assert_eq!(prepared.scope.broken_relation_id(), None);
        let env = env_of(&event, &state, &options);
        assert_eq!(get(&env, "JUJU_HOOK_NAME"), Some("my-db-relation-departed"));
        assert_eq!(
            get(&env, "JUJU_DISPATCH_PATH"),
            Some("hooks/my-db-relation-departed")
        );
        assert_eq!(get(&env, "JUJU_RELATION_ID"), Some("my-db:1"));
        assert_eq!(get(&env, "JUJU_REMOTE_APP"), Some("pg"));
        assert_eq!(get(&env, "JUJU_DEPARTING_UNIT"), Some("pg/1"));
        assert_eq!(get(&env, "JUJU_UNIT_NAME"), Some("demo/0"));
        assert_eq!(get(&env, "JUJU_VERSION"), Some("3.6.14"));
        let broken = Prepared::new(&meta(), &options, &db.broken_event(), &state);
        assert_eq!(broken.scope.broken_relation_id(), Some(1));
    }

    #[test]
    fn an_unresolved_relation_event_keeps_why() {
        let prepared = Prepared::new(
            &meta(),
            &ContextOptions::default(),
            &Event::new("my_db_relation_changed"),
            &State::default(),
        );
        assert!(matches!(
            prepared.scope.relation,
            Err(RelationTargetError::NoneOnEndpoint)
        ));
        assert_eq!(prepared.scope.hook_name, "my_db-relation-changed");
    }

    #[test]
    fn actions_secrets_storage_and_workloads_have_their_environment() {
        let options = ContextOptions {
            machine_id: Some("7".into()),
            ..ContextOptions::default()
        };
        let env = env_of(
            &Event::action("backup").action_id("9"),
            &State::default(),
            &options,
        );
        assert_eq!(get(&env, "JUJU_DISPATCH_PATH"), Some("actions/backup"));
        assert_eq!(get(&env, "JUJU_HOOK_NAME"), Some(""));
        assert_eq!(get(&env, "JUJU_ACTION_UUID"), Some("9"));
        assert_eq!(get(&env, "JUJU_ACTION_TAG"), Some("action-9"));
        assert_eq!(get(&env, "JUJU_MACHINE_ID"), Some("7"));

        let secret = Secret::new([("a", "1")])
            .owner(SecretOwner::App)
            .label("creds");
        let state = State::default().secrets([secret.clone()]);
        let env = env_of(&secret.expired_event(2), &state, &options);
        assert_eq!(get(&env, "JUJU_SECRET_ID"), Some(secret.id.as_str()));
        assert_eq!(get(&env, "JUJU_SECRET_LABEL"), Some("creds"));
        assert_eq!(get(&env, "JUJU_SECRET_REVISION"), Some("2"));

        let data = Storage::new("data").index(2);
        let env = env_of(
            &data.attached_event(),
            &State::default().storages([data.clone()]),
            &options,
        );
        assert_eq!(get(&env, "JUJU_STORAGE_ID"), Some("data/2"));
        assert_eq!(get(&env, "JUJU_HOOK_NAME"), Some("data-storage-attached"));

        let web = Container::new("web-ui").can_connect(true);
        let env = env_of(
            &web.pebble_ready_event(),
            &State::default().containers([web.clone()]),
            &options,
        );
        assert_eq!(get(&env, "JUJU_WORKLOAD_NAME"), Some("web-ui"));
        assert_eq!(get(&env, "JUJU_HOOK_NAME"), Some("web-ui-pebble-ready"));

        let peers = PeerRelation::new("cluster");
        let prepared = Prepared::new(
            &meta(),
            &options,
            &peers.created_event(),
            &State::default().relations([peers]),
        );
        assert_eq!(prepared.scope.relation_event().unwrap().remote_app, "demo");
    }

    #[test]
    fn collect_metrics_is_restricted() {
        let scope = |e: &Event| {
            Prepared::new(&meta(), &ContextOptions::default(), e, &State::default()).scope
        };
        assert!(scope(&Event::collect_metrics()).restricted);
        assert!(!scope(&Event::start()).restricted);
        assert!(scope(&Event::collect_metrics()).collect_metrics);
        // A charm's own event of that name, on an object it holds, is not the hook.
        assert!(!scope(&Event::custom("metrics.on.collect_metrics")).restricted);
    }
}
