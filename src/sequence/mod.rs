//! Sequences: events run one after another, each on the State the one before it left, as Juju
//! runs a unit's hooks; and the start-up and teardown sequences Juju runs, computed from a
//! State.
//!
//! [`Context::run_sequence`] threads each output State into the next run and returns every
//! [`Output`]; the first failure stops it with a [`SequenceFailure`], which names the step
//! and its event and carries the Outputs of the steps that ran (`?` turns it into
//! [`Error::SequenceFailed`]). [`Sequence::startup`] and
//! [`Sequence::teardown`] give the hooks Juju runs when a unit with that State is deployed and
//! when it is removed, in Juju's order.
//!
//! # The orders, and where they come from
//!
//! Juju's unit agent picks its next hook in `internal/worker/uniter/resolver.go`
//! (`uniterResolver.NextOp`, <https://github.com/juju/juju/blob/main/internal/worker/uniter/resolver.go>;
//! the other files below are in the same directory), asking in turn the resolvers for relation-created
//! (`relation/resolver.go`, `createdRelationsResolver`: only once `install` ran), leadership,
//! the optional ones (workload events: `container/workload.go`), secrets, actions, storage
//! (`storage/resolver.go`), and last `nextOp`, which runs `install`, then `config-changed`, and
//! for a dying unit breaks its relations and then runs `stop` and `remove`; committing
//! `config-changed` queues `start` (`operation/runhook.go`). Juju's hook reference
//! (`docs/reference/hook.md` in juju/juju,
//! <https://documentation.ubuntu.com/juju/latest/reference/hook/>: "Hook ordering", and the
//! pages of `relation-created`, `leader-elected`, `leader-settings-changed` and the storage
//! hooks) says the same, except where noted.
//!
//! Start-up ([`Sequence::startup`]):
//!
//! 1. on a machine model (`ModelType::Lxd`), `<storage>-storage-attached` for each storage
//!    instance in the State: machine charms get their storage before `install`
//!    (`storage/resolver.go`: "For IAAS models, we run storage-attached hooks before install");
//! 2. `install`;
//! 3. `<endpoint>-relation-created` for each relation in the State (regular, peer and
//!    subordinate), in State order, each with its relation id: relations that exist when the
//!    unit is deployed are created right after `install` and before the leadership hook;
//! 4. `leader-elected` if the State is leader, else `leader-settings-changed` (a new
//!    non-leader unit gets `install -> leader-settings-changed -> config-changed -> start`;
//!    on Juju 4, which has no leader settings, nothing: [`Sequence::startup_on`]);
//! 5. `config-changed`, then `start` (queued by `config-changed`, so nothing runs between them);
//! 6. `<container>-pebble-ready` for each container, in State order. Juju runs it whenever the
//!    unit agent is idle and the container's Pebble has come up, so its place depends on
//!    timing; in practice a fresh unit's workloads come up after `start`, which is where it
//!    is put here;
//! 7. on a Kubernetes model (the default), `<storage>-storage-attached` for each storage
//!    instance: "For Kubernetes charms, any storage-attached hooks are run sometime after the
//!    start hook has completed" (Juju's hook page; the storage resolver's comment says the
//!    same: Kubernetes storage is provisioned once the pod exists). They come after
//!    `pebble-ready` because the workload resolvers are asked before the storage one. The
//!    resolver runs them whenever the agent is idle and the storage is attached, so on a
//!    real unit they can come earlier; the documented order is the one used here.
//!
//! Teardown ([`Sequence::teardown`]), for a unit that is removed:
//!
//! 1. `<storage>-storage-detaching` for each storage instance (the storage resolver is asked
//!    before `nextOp` breaks the relations; Juju's hook page lists storage-detaching and
//!    relation-broken "in any order"); the instance is then gone from the State;
//! 2. `<endpoint>-relation-broken` for each regular and subordinate relation, in State order,
//!    each with its relation id; the relation is then gone from the State. A peer relation is
//!    never broken ("For a peer relation, `<peer endpoint name>-relation-broken` will never
//!    fire, not even during the teardown phase"; the resolver skips it). Before breaking a
//!    relation Juju runs `relation-departed` for each remote unit (and for each peer of a
//!    peer relation), naming this unit as the departing one. A regular or subordinate
//!    relation event can only name a departing unit of the other side, so those departures
//!    are left out; a peer relation's can be added by hand:
//!    `peers.departed_event().remote_unit(1).departing_unit(<this unit's number>)`;
//! 3. `stop`, then `remove` (`nextOp`: "if we're dying we must ensure that all relations are
//!    broken first", then `stop`, then `remove`).
//!
//! Juju's hook page also says `stop` comes before the storage and relation teardown; the unit
//! agent's code runs `stop` only once every relation is broken ("The stop hook will not run
//! while relations remain to be broken", the same page says), and this follows the code.
//!
//! ops-scenario 3.0.2's sequences ran `start` before `install` and gave relation events no
//! relation; these run each hook in Juju's order, every relation event on its relation.

mod step;

pub use step::{ModelChange, Step};

use crate::context::Context;
use crate::error::{render_sequence_failure, Error};
use crate::event::Event;
use crate::options::{JujuVersion, JUJU_4};
use crate::output::Output;
use crate::state::{effective_ids, AnyRelation, ModelType, State};

/// A list of [`Step`]s to run with [`Context::run_sequence`]; [`Sequence::startup`] and
/// [`Sequence::teardown`] give the hooks Juju runs when a unit is deployed and removed (see
/// the [module docs](crate::sequence) for the orders and their sources).
///
/// ```
/// use ops_scenario::sequence::Sequence;
/// use ops_scenario::{Container, PeerRelation, Relation, State, Storage};
///
/// let state = State::default()
///     .leader(true)
///     .relations([Relation::new("db")])
///     .relations([PeerRelation::new("cluster")])
///     .containers([Container::new("web")])
///     .storages([Storage::new("data")]);
///
/// assert_eq!(
///     Sequence::startup(&state).event_names(),
///     [
///         "install",
///         "db_relation_created",
///         "cluster_relation_created",
///         "leader_elected",
///         "config_changed",
///         "start",
///         "web_pebble_ready",
///         "data_storage_attached",
///     ]
/// );
/// assert_eq!(
///     Sequence::teardown(&state).event_names(),
///     ["data_storage_detaching", "db_relation_broken", "stop", "remove"]
/// );
/// // Relation events carry the relation's id, as the State numbers it.
/// assert_eq!(Sequence::startup(&state).steps()[2].event.relation_id, Some(2));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sequence {
    steps: Vec<Step>,
}

impl Sequence {
    /// An empty sequence.
    pub fn new() -> Self {
        Sequence::default()
    }

    /// The hooks Juju runs on a new unit whose model looks like `state`: storage-attached
    /// first on a machine model, `install`, relation-created for each relation,
    /// `leader-elected` (leader) or `leader-settings-changed` (not leader), `config-changed`,
    /// `start`, pebble-ready for each container, and storage-attached last on a Kubernetes
    /// model. See the [module docs](crate::sequence) for the sources.
    ///
    /// A container's pebble-ready step first makes it reachable
    /// ([`ModelChange::ContainerConnected`]): Juju sends pebble-ready once the workload's Pebble
    /// answers. Until then each container is as the State gives it; give `can_connect(false)`
    /// (the default) for a workload that is not up yet when the charm is installed.
    ///
    /// ```
    /// use ops_scenario::sequence::Sequence;
    /// use ops_scenario::{Model, ModelType, State, Storage};
    ///
    /// let machine = State::default()
    ///     .model(Model::default().model_type(ModelType::Lxd))
    ///     .storages([Storage::new("data")]);
    /// assert_eq!(
    ///     Sequence::startup(&machine).event_names(),
    ///     ["data_storage_attached", "install", "leader_settings_changed", "config_changed", "start"]
    /// );
    /// ```
    pub fn startup(state: &State) -> Self {
        Sequence::startup_on(state, crate::ContextOptions::DEFAULT_JUJU_VERSION)
    }

    /// [`Sequence::startup`] as the Juju of `juju_version` runs it: from Juju 4, a new
    /// non-leader unit gets no `leader-settings-changed` (Juju 4 has no leader settings: its
    /// hook tools have no `leader-set`, `internal/worker/uniter/runner/jujuc/server.go`), so
    /// its start-up is `install`, the relations' `relation-created`, `config-changed`, `start`.
    ///
    /// ```
    /// # use ops_scenario::sequence::Sequence;
    /// # use ops_scenario::State;
    /// assert_eq!(
    ///     Sequence::startup_on(&State::default(), "4.0.16").event_names(),
    ///     ["install", "config_changed", "start"]
    /// );
    /// ```
    pub fn startup_on(state: &State, juju_version: &str) -> Self {
        let juju_4 = JujuVersion::parse(juju_version).is_some_and(|v| v >= JUJU_4);
        let storage_first = state.model.model_type == ModelType::Lxd;
        let attach = || state.storages.iter().map(|s| Step::new(s.attached_event()));
        let mut steps = Vec::new();
        if storage_first {
            steps.extend(attach());
        }
        steps.push(Step::new(Event::install()));
        for (relation, id) in relations_with_ids(state) {
            steps.push(Step::new(relation.created_event().relation_id(id)));
        }
        if state.leader {
            steps.push(Step::new(Event::leader_elected()));
        } else if !juju_4 {
            steps.push(Step::new(Event::leader_settings_changed()));
        }
        steps.push(Step::new(Event::config_changed()));
        steps.push(Step::new(Event::start()));
        steps.extend(state.containers.iter().map(|c| {
            Step::new(c.pebble_ready_event())
                .before(ModelChange::ContainerConnected(c.name.clone()))
        }));
        if !storage_first {
            steps.extend(attach());
        }
        Sequence { steps }
    }

    /// The hooks Juju runs on a unit whose model looks like `state` when the unit is removed:
    /// storage-detaching for each storage instance, relation-broken for each relation that is
    /// not a peer relation, `stop`, `remove`. Each detached instance and broken relation is
    /// taken out of the State before the next step ([`ModelChange::StorageDetached`],
    /// [`ModelChange::RelationRemoved`]). See the
    /// [module docs](crate::sequence) for the sources, and why `relation-departed` is left out.
    ///
    /// ```
    /// use ops_scenario::sequence::{ModelChange, Sequence};
    /// use ops_scenario::{PeerRelation, Relation, State, SubordinateRelation};
    ///
    /// let state = State::default()
    ///     .relations([PeerRelation::new("cluster")])
    ///     .relations([Relation::new("db").id(7)])
    ///     .relations([SubordinateRelation::new("juju-info")]);
    /// let teardown = Sequence::teardown(&state);
    /// assert_eq!(
    ///     teardown.event_names(),
    ///     ["db_relation_broken", "juju_info_relation_broken", "stop", "remove"]
    /// );
    /// assert_eq!(teardown.steps()[0].after, [ModelChange::RelationRemoved(7)]);
    /// ```
    pub fn teardown(state: &State) -> Self {
        let mut steps = Vec::new();
        for storage in &state.storages {
            steps.push(
                Step::new(storage.detaching_event())
                    .after(ModelChange::StorageDetached(storage.clone())),
            );
        }
        for (relation, id) in relations_with_ids(state) {
            if matches!(relation, AnyRelation::Peer(_)) {
                continue;
            }
            steps.push(
                Step::new(relation.broken_event().relation_id(id))
                    .after(ModelChange::RelationRemoved(id)),
            );
        }
        steps.push(Step::new(Event::stop()));
        steps.push(Step::new(Event::remove()));
        Sequence { steps }
    }

    /// Add a step at the end.
    ///
    /// ```
    /// use ops_scenario::sequence::Sequence;
    /// use ops_scenario::{Event, State};
    ///
    /// let seq = Sequence::startup(&State::default()).then(Event::update_status());
    /// assert_eq!(seq.event_names().last(), Some(&"update_status"));
    /// ```
    pub fn then(mut self, step: impl Into<Step>) -> Self {
        self.steps.push(step.into());
        self
    }

    /// The steps, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The steps' events, in order.
    pub fn events(&self) -> impl Iterator<Item = &Event> + '_ {
        self.steps.iter().map(|s| &s.event)
    }

    /// The steps' event names, in order.
    pub fn event_names(&self) -> Vec<&str> {
        self.events().map(|e| e.name.as_str()).collect()
    }

    /// How many steps there are.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether there are no steps.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

impl<S: Into<Step>> FromIterator<S> for Sequence {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        Sequence {
            steps: iter.into_iter().map(Into::into).collect(),
        }
    }
}

impl<S: Into<Step>> Extend<S> for Sequence {
    fn extend<I: IntoIterator<Item = S>>(&mut self, iter: I) {
        self.steps.extend(iter.into_iter().map(Into::into));
    }
}

impl IntoIterator for Sequence {
    type Item = Step;
    type IntoIter = std::vec::IntoIter<Step>;
    fn into_iter(self) -> Self::IntoIter {
        self.steps.into_iter()
    }
}

impl<'a> IntoIterator for &'a Sequence {
    type Item = &'a Step;
    type IntoIter = std::slice::Iter<'a, Step>;
    fn into_iter(self) -> Self::IntoIter {
        self.steps.iter()
    }
}

/// The State's relations with the ids the State gives them (explicit, or by its numbering
/// rule), in State order.
fn relations_with_ids(state: &State) -> impl Iterator<Item = (&AnyRelation, u32)> {
    state.relations.iter().zip(effective_ids(&state.relations))
}

impl Context {
    /// Run `steps` one after another, starting from `state`: each runs on the output State
    /// of the one before it, as Juju runs a unit's hooks (with the [`Step::after`] changes of
    /// the step before it and its own [`Step::before`] changes made first). Returns every
    /// step's [`Output`], in order. `state` is not modified.
    ///
    /// `steps` can be a [`Sequence`] (such as [`Sequence::startup`]), or any list of
    /// [`Event`]s or [`Step`]s.
    ///
    /// ```
    /// use ops_scenario::sequence::Sequence;
    /// use ops_scenario::{Charm, Context, Event, State, Status};
    ///
    /// let charm = Charm::from_source(
    ///     r#"
    /// import ops
    ///
    /// class Counter(ops.CharmBase):
    ///     _stored = ops.StoredState()
    ///
    ///     def __init__(self, framework):
    ///         super().__init__(framework)
    ///         self._stored.set_default(hooks=0)
    ///         framework.observe(self.on.install, self._count)
    ///         framework.observe(self.on.leader_elected, self._count)
    ///         framework.observe(self.on.config_changed, self._count)
    ///         framework.observe(self.on.start, self._count)
    ///
    ///     def _count(self, event):
    ///         self._stored.hooks += 1
    ///         self.unit.status = ops.ActiveStatus(f"{self._stored.hooks} hooks")
    /// "#,
    ///     "name: counter\n",
    /// )?;
    /// let ctx = Context::new(charm)?;
    /// let state = State::default().leader(true);
    ///
    /// let outputs = ctx.run_sequence(Sequence::startup(&state), &state)?;
    /// assert_eq!(outputs.len(), 4); // install, leader-elected, config-changed, start
    /// assert_eq!(outputs[3].state.unit_status, Status::active("4 hooks"));
    ///
    /// // Any list of events will do.
    /// let outputs = ctx.run_sequence([Event::start(), Event::start()], &state)?;
    /// assert_eq!(outputs[1].state.unit_status, Status::active("2 hooks"));
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    ///
    /// # Errors
    /// A [`SequenceFailure`] for the first step that fails, with its index (0 for the first
    /// step), its event, the error [`Context::run`] returned for it, and the Outputs of the
    /// steps before it (`?` turns it into [`Error::SequenceFailed`]). With no steps, the
    /// result is empty.
    ///
    /// ```
    /// use ops_scenario::sequence::SequenceFailure;
    /// use ops_scenario::{Charm, Context, Error, Event, State, Status};
    ///
    /// let charm = Charm::from_source(
    ///     r#"
    /// import ops
    ///
    /// class Picky(ops.CharmBase):
    ///     def __init__(self, framework):
    ///         super().__init__(framework)
    ///         framework.observe(self.on.install, self._on_install)
    ///         framework.observe(self.on.start, self._on_start)
    ///
    ///     def _on_install(self, event):
    ///         self.unit.status = ops.MaintenanceStatus("installed")
    ///
    ///     def _on_start(self, event):
    ///         raise RuntimeError("not configured")
    /// "#,
    ///     "name: picky\n",
    /// )?;
    /// let ctx = Context::new(charm)?;
    /// let steps = [Event::install(), Event::config_changed(), Event::start(), Event::update_status()];
    /// let err = ctx.run_sequence(steps, &State::default()).unwrap_err();
    /// let SequenceFailure { step, event, source, outputs } = &err;
    /// assert_eq!((*step, event.name.as_str()), (2, "start"));
    /// assert!(matches!(source, Error::CharmRaised { .. }));
    /// assert_eq!(outputs.len(), 2);
    /// assert_eq!(outputs[1].state.unit_status, Status::maintenance("installed"));
    /// assert!(err.to_string().starts_with(
    ///     "the sequence failed at step 2, start, after steps 0 and 1 ran: the charm raised RuntimeError: not configured"
    /// ));
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    pub fn run_sequence<S>(
        &self,
        steps: S,
        state: &State,
    ) -> std::result::Result<Vec<Output>, SequenceFailure>
    where
        S: IntoIterator,
        S::Item: Into<Step>,
    {
        let mut outputs: Vec<Output> = Vec::new();
        let mut after: Vec<ModelChange> = Vec::new();
        for (index, step) in steps.into_iter().map(Into::into).enumerate() {
            let from = outputs.last().map_or(state, |last| &last.state);
            let ran = if after.is_empty() && step.before.is_empty() {
                self.run(&step.event, from)
            } else {
                let mut changed = from.clone();
                for change in after.iter().chain(&step.before) {
                    change.apply(&mut changed);
                }
                self.run(&step.event, &changed)
            };
            match ran {
                Ok(output) => outputs.push(output),
                Err(source) => {
                    return Err(SequenceFailure {
                        step: index,
                        event: Box::new(step.event),
                        source,
                        outputs,
                    })
                }
            }
            after = step.after;
        }
        Ok(outputs)
    }
}

/// The event and what it names, for an error message: `db_relation_broken (relation 3)`.
pub(crate) fn describe_event(event: &Event) -> String {
    let mut about = Vec::new();
    if let Some(id) = event.relation_id {
        about.push(format!("relation {id}"));
    }
    if let Some(unit) = event.remote_unit {
        about.push(format!("remote unit {unit}"));
    }
    if let Some(unit) = event.departing_unit {
        about.push(format!("departing unit {unit}"));
    }
    if let Some(container) = &event.container {
        about.push(format!("container {container:?}"));
    }
    if let Some(storage) = &event.storage {
        about.push(format!("storage {}/{}", storage.name, storage.index));
    }
    if let Some(secret) = &event.secret_id {
        about.push(format!("secret {secret}"));
    }
    if about.is_empty() {
        event.name.clone()
    } else {
        format!("{} ({})", event.name, about.join(", "))
    }
}

/// A sequence that stopped at a failing step: which step, its event, why, and the Outputs of
/// the steps before it. `?` turns it into [`Error::SequenceFailed`] (without the Outputs).
#[derive(Debug)]
pub struct SequenceFailure {
    /// The failed step's index in the sequence (0 for the first step).
    pub step: usize,
    /// The failed step's event.
    pub event: Box<Event>,
    /// Why it failed: the error [`Context::run`] returned for it.
    pub source: Error,
    /// The Outputs of the steps before it, in order (`step` of them). The failed step ran on
    /// the last one's State (with the steps' model changes, if any).
    pub outputs: Vec<Output>,
}

impl std::fmt::Display for SequenceFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&render_sequence_failure(
            self.step,
            &describe_event(&self.event),
            &self.source,
        ))
    }
}

impl std::error::Error for SequenceFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<SequenceFailure> for Error {
    fn from(failure: SequenceFailure) -> Self {
        Error::SequenceFailed {
            step: failure.step,
            event: describe_event(&failure.event),
            source: Box::new(failure.source),
        }
    }
}

#[cfg(test)]
mod tests;
