//! Sequences: `Context::run_sequence` threads each output State into the next run, and stops
//! at the first failure naming the step; the built-in start-up and teardown sequences run on
//! real charms (a requirer, a peer cluster, a subordinate, storage, Pebble workloads), as
//! leader and follower, in Juju's order.

use crate::common::{assert_logged, charm_logs, ctx, event_names, redact_traceback};
use ops_scenario::sequence::SequenceFailure;
use ops_scenario::sequence::{ModelChange, Sequence, Step};
use ops_scenario::{
    Charm, Container, Context, Error, Event, Exec, Model, ModelType, Output, PeerRelation,
    Relation, State, Status, Storage, StoredValue, SubordinateRelation,
};

/// The Juju event each Output ran, in order.
fn ran(outputs: &[Output]) -> Vec<String> {
    outputs
        .iter()
        .map(|out| {
            event_names(out)
                .into_iter()
                .find(|e| !e.starts_with("collect_") && !e.ends_with("(deferred)"))
                .unwrap_or_default()
        })
        .collect()
}

fn statuses(outputs: &[Output]) -> Vec<Status> {
    outputs
        .iter()
        .map(|o| o.state.unit_status.clone())
        .collect()
}

fn db() -> Relation {
    Relation::new("db")
        .remote_app_name("postgresql")
        .remote_app_data([("host", "10.0.0.1")])
}

// --- start-up ---------------------------------------------------------------------------------

#[test]
fn a_leader_requirer_starts_up_in_juju_order_and_publishes_its_request_on_created() {
    let state = State::default().leader(true).relations([db()]);
    let sequence = Sequence::startup(&state);
    let outputs = ctx("db-requirer").run_sequence(&sequence, &state).unwrap();

    assert_eq!(
        ran(&outputs),
        [
            "install",
            "db_relation_created",
            "leader_elected",
            "config_changed",
            "start"
        ]
    );
    let created = &outputs[1];
    assert_eq!(
        charm_logs(created),
        ["INFO created relation=1 app=postgresql unit=None units=['postgresql/0']"]
    );
    // Written on created, kept by every later step.
    for out in &outputs[1..] {
        assert_eq!(
            out.state.relation(1).unwrap().local_app_data()["database"],
            "app"
        );
        assert_eq!(
            out.state.unit_status,
            Status::waiting("waiting for the database")
        );
    }
    assert_eq!(outputs[0].state.unit_status, Status::Unknown);
}

#[test]
fn a_follower_requirer_gets_leader_settings_changed_and_cannot_publish() {
    let state = State::default().relations([db()]);
    let outputs = ctx("db-requirer")
        .run_sequence(Sequence::startup(&state), &state)
        .unwrap();
    assert_eq!(
        ran(&outputs),
        [
            "install",
            "db_relation_created",
            "leader_settings_changed",
            "config_changed",
            "start"
        ]
    );
    let last = &outputs.last().unwrap().state;
    assert!(last.relation(1).unwrap().local_app_data().is_empty());
    assert_eq!(
        last.unit_status,
        Status::waiting("waiting for the database")
    );
}

#[test]
fn a_peer_cluster_leader_publishes_the_members_and_a_follower_waits_for_them() {
    let cluster = PeerRelation::new("cluster").peers([1]);
    let leader = State::default().leader(true).relations([cluster.clone()]);
    let ctx = ctx("peer-cluster");
    let outputs = ctx
        .run_sequence(Sequence::startup(&leader), &leader)
        .unwrap();
    assert_eq!(
        ran(&outputs),
        [
            "install",
            "cluster_relation_created",
            "leader_elected",
            "config_changed",
            "start"
        ]
    );
    let shared = |out: &Output| out.state.relation(1).unwrap().local_app_data().clone();
    assert_eq!(shared(&outputs[1])["leader"], "peer-cluster/0");
    assert_eq!(
        shared(&outputs[1])["members"],
        r#"["peer-cluster/0", "peer-cluster/1"]"#
    );
    assert_logged(&outputs[2], "INFO elected; previous leader peer-cluster/0");
    assert_eq!(
        outputs[4].state.unit_status,
        Status::active("2 members, leader peer-cluster/0")
    );

    let follower = State::default().relations([cluster]);
    let outputs = ctx
        .run_sequence(Sequence::startup(&follower), &follower)
        .unwrap();
    assert_eq!(ran(&outputs)[2], "leader_settings_changed");
    let last = &outputs.last().unwrap().state;
    assert_eq!(
        last.relation(1).unwrap().local_unit_data()["address"],
        "192.0.2.0"
    );
    assert!(last.relation(1).unwrap().local_app_data().is_empty());
    assert_eq!(
        last.unit_status,
        Status::waiting("waiting for the leader to publish members")
    );
}

#[test]
fn a_subordinate_is_created_on_its_principal() {
    let principal = SubordinateRelation::new("juju-info").remote_app_name("ubuntu");
    let state = State::default().relations([principal]);
    let outputs = ctx("subordinate")
        .run_sequence(Sequence::startup(&state), &state)
        .unwrap();
    assert_eq!(ran(&outputs)[1], "juju_info_relation_created");
    assert_eq!(
        outputs.last().unwrap().state.unit_status,
        Status::waiting("waiting for a unit of ubuntu")
    );
}

#[test]
fn storage_is_attached_after_start_on_kubernetes_and_before_install_on_machines() {
    let data = Storage::new("data");
    let ctx = ctx("storage-db");

    let k8s = State::default().storages([data.clone()]);
    let outputs = ctx.run_sequence(Sequence::startup(&k8s), &k8s).unwrap();
    assert_eq!(
        ran(&outputs),
        [
            "install",
            "leader_settings_changed",
            "config_changed",
            "start",
            "data_storage_attached"
        ]
    );
    assert_eq!(outputs[2].requested_storages["data"], 2);
    assert_eq!(
        outputs[2].state.unit_status,
        Status::maintenance("requested 2 data")
    );
    assert_eq!(outputs[4].state.unit_status, Status::active("data: 1"));
    let marker = ctx.storage_dir(&data).unwrap().join("marker.txt");
    assert_eq!(
        std::fs::read_to_string(marker).unwrap(),
        "written by storage-db/0\n"
    );

    let machine = k8s.model(Model::default().model_type(ModelType::Lxd));
    let outputs = ctx
        .run_sequence(Sequence::startup(&machine), &machine)
        .unwrap();
    assert_eq!(ran(&outputs)[..2], ["data_storage_attached", "install"]);
    // config-changed comes after the storage, and its status stays.
    assert_eq!(
        outputs.last().unwrap().state.unit_status,
        Status::maintenance("requested 2 data")
    );
}

fn exporter() -> Container {
    Container::new("metrics")
        .files([("/var/log/exporter.log", "")])
        .execs([
            Exec::new(["metrics-exporter"]),
            Exec::new(["metrics-exporter", "--version"]).stdout("1.2.3\n"),
        ])
}

#[test]
fn workloads_come_up_one_by_one_and_a_deferred_pebble_ready_is_handled_when_both_are_up() {
    // Neither workload answers when the charm is installed; each pebble-ready connects its
    // container first.
    let state = State::default().containers([Container::new("web"), exporter()]);
    let ctx = ctx("pebble-webapp").capture_deferred_events(true);
    let outputs = ctx.run_sequence(Sequence::startup(&state), &state).unwrap();
    assert_eq!(
        ran(&outputs),
        [
            "install",
            "leader_settings_changed",
            "config_changed",
            "start",
            "web_pebble_ready",
            "metrics_pebble_ready"
        ]
    );
    assert_eq!(
        outputs[2].state.unit_status,
        Status::waiting("waiting for the web container")
    );
    // web is up, metrics not yet: web's pebble-ready is deferred.
    let web_ready = &outputs[4];
    assert!(web_ready.state.container("web").unwrap().can_connect);
    assert!(!web_ready.state.container("metrics").unwrap().can_connect);
    assert_eq!(
        web_ready.state.unit_status,
        Status::waiting("waiting for the metrics container")
    );
    assert_eq!(web_ready.state.deferred.len(), 1);
    // metrics is up: the deferred web pebble-ready runs first, then metrics'.
    let metrics_ready = &outputs[5];
    assert_eq!(
        event_names(metrics_ready),
        ["web_pebble_ready (deferred)", "metrics_pebble_ready"]
    );
    assert!(metrics_ready.state.deferred.is_empty());
    assert!(metrics_ready
        .state
        .container("web")
        .unwrap()
        .layers
        .get("web")
        .is_some());
    assert_eq!(
        metrics_ready.state.unit_status,
        Status::active("metrics-exporter 1.2.3")
    );
}

#[test]
fn a_workload_already_up_at_config_changed_makes_pebble_ready_fail_and_the_error_says_where() {
    // Both Pebbles answer from the start: config-changed adds the "web" layer, and
    // pebble-ready adds it again without combining, which Pebble refuses.
    let state = State::default().containers([
        Container::new("web").can_connect(true),
        exporter().can_connect(true),
    ]);
    let err = ctx("pebble-webapp")
        .run_sequence(Sequence::startup(&state), &state)
        .unwrap_err();
    let SequenceFailure {
        step,
        ref event,
        ref source,
        ref outputs,
    } = err;
    assert_eq!(step, 4);
    assert_eq!(event.name, "web_pebble_ready");
    assert_eq!(outputs.len(), 4);
    assert_eq!(outputs[2].state.unit_status, Status::active("web=active"));
    assert!(
        matches!(source, Error::CharmRaised { exc_type, .. } if exc_type == "ops.pebble.APIError"),
        "{source}"
    );
    insta::assert_snapshot!(
        "layer_added_twice_at_step_4",
        redact_traceback(&err.to_string())
    );
    // The error source is the step's own error.
    let step_error = std::error::Error::source(&err).unwrap();
    assert_eq!(step_error.to_string(), source.to_string());
}

// --- teardown ---------------------------------------------------------------------------------

#[test]
fn a_requirer_is_torn_down_relation_broken_then_stop_and_remove_without_the_relation() {
    let state = State::default().leader(true).relations([db().id(4)]);
    let teardown = Sequence::teardown(&state);
    assert_eq!(
        teardown.event_names(),
        ["db_relation_broken", "stop", "remove"]
    );
    let outputs = ctx("db-requirer").run_sequence(&teardown, &state).unwrap();
    let broken = &outputs[0];
    assert_eq!(
        charm_logs(broken),
        [
            "INFO broken relation=4 app=postgresql unit=None units=[]",
            "INFO relations still listed: []"
        ]
    );
    assert_eq!(
        broken.state.unit_status,
        Status::blocked("needs a database")
    );
    // The broken step's Output keeps the relation; Juju removes it before stop.
    assert_eq!(broken.state.relations.len(), 1);
    assert!(outputs[1].state.relations.is_empty());
    assert!(outputs[2].state.relations.is_empty());
    assert_eq!(
        outputs[2].state.unit_status,
        Status::blocked("needs a database")
    );
}

#[test]
fn stop_and_remove_see_no_broken_relation_and_no_detached_storage() {
    let charm = Charm::from_source(
        r#"
import ops

class Watcher(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        for event in (self.on.stop, self.on.remove, self.on.db_relation_broken,
                      self.on.data_storage_detaching):
            framework.observe(event, self._report)

    def _report(self, event):
        relations = [r.id for r in self.model.relations["db"]]
        storage = [s.full_id for s in self.model.storages["data"]]
        self.unit.status = ops.MaintenanceStatus(f"relations={relations} storage={storage}")
"#,
        "name: watcher\nrequires:\n  db: {interface: pgsql}\nstorage:\n  data: {type: filesystem}\n",
    )
    .unwrap();
    let state = State::default()
        .relations([Relation::new("db"), Relation::new("db")])
        .storages([Storage::new("data")]);
    let outputs = Context::new(charm)
        .unwrap()
        .run_sequence(Sequence::teardown(&state), &state)
        .unwrap();
    assert_eq!(
        ran(&outputs),
        [
            "data_storage_detaching",
            "db_relation_broken",
            "db_relation_broken",
            "stop",
            "remove"
        ]
    );
    assert_eq!(
        statuses(&outputs),
        [
            Status::maintenance("relations=[1, 2] storage=['data/0']"),
            // ops leaves the relation being broken out of model.relations.
            Status::maintenance("relations=[2] storage=[]"),
            Status::maintenance("relations=[] storage=[]"),
            Status::maintenance("relations=[] storage=[]"),
            Status::maintenance("relations=[] storage=[]"),
        ]
    );
    assert!(outputs[4].state.relations.is_empty() && outputs[4].state.storages.is_empty());
}

#[test]
fn a_peer_relation_is_never_broken_and_storage_is_detached_first() {
    let state = State::default()
        .relations([PeerRelation::new("cluster")])
        .storages([Storage::new("data")]);
    assert_eq!(
        Sequence::teardown(&state).event_names(),
        ["data_storage_detaching", "stop", "remove"]
    );
    let ctx = ctx("storage-db");
    let state = State::default().storages([Storage::new("data")]);
    let outputs = ctx
        .run_sequence(Sequence::teardown(&state), &state)
        .unwrap();
    assert_eq!(
        outputs[0].state.unit_status,
        Status::maintenance("detaching data/0")
    );
    assert!(outputs[1].state.storages.is_empty());
}

#[test]
fn a_subordinate_is_broken_from_its_principal_on_teardown() {
    let state = State::default().relations([SubordinateRelation::new("juju-info")]);
    let outputs = ctx("subordinate")
        .run_sequence(Sequence::teardown(&state), &state)
        .unwrap();
    assert_eq!(
        ran(&outputs),
        ["juju_info_relation_broken", "stop", "remove"]
    );
    assert_eq!(
        outputs.last().unwrap().state.unit_status,
        Status::blocked("no principal")
    );
}

#[test]
fn a_whole_life_startup_then_teardown_threads_one_state() {
    let state = State::default().leader(true).relations([db()]);
    let ctx = ctx("db-requirer");
    let up = ctx.run_sequence(Sequence::startup(&state), &state).unwrap();
    let running = &up.last().unwrap().state;
    let down = ctx
        .run_sequence(Sequence::teardown(running), running)
        .unwrap();
    assert_eq!(ran(&down), ["db_relation_broken", "stop", "remove"]);
    // The framework's event counter went up with every hook of the unit's life: no run
    // started from a fresh State.
    let counts: Vec<i64> = up
        .iter()
        .chain(&down)
        .map(|out| out.state.event_count().unwrap())
        .collect();
    assert_eq!(counts.len(), 8);
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
}

// --- run_sequence ------------------------------------------------------------------------------

#[test]
fn each_run_starts_from_the_output_state_of_the_one_before() {
    // The README's deferral example, as one sequence.
    let state = State::default();
    let outputs = ctx("deferring")
        .run_sequence(
            [
                Event::start(),
                Event::config_changed(),
                Event::update_status(),
            ],
            &state,
        )
        .unwrap();
    assert_eq!(outputs[0].state.deferred.len(), 1);
    let last = &outputs[2].state;
    assert!(last.deferred.is_empty());
    assert_eq!(last.unit_status, Status::active("started"));
    assert_eq!(
        last.stored_state(Some("DeferringCharm"), "_stored")
            .unwrap()
            .content["starts"],
        StoredValue::Int(3)
    );
    // The input State is left alone.
    assert_eq!(state, State::default());
}

#[test]
fn a_failing_step_reports_its_index_and_event_and_the_outputs_before_it() {
    let ctx = ctx("raising");
    let state = State::default();
    let err = ctx
        .run_sequence(
            [
                Event::update_status(),
                Event::update_status(),
                Event::start(),
                Event::stop(),
            ],
            &state,
        )
        .unwrap_err();
    let SequenceFailure {
        step,
        event,
        source,
        outputs,
    } = &err;
    assert_eq!(*step, 2);
    assert_eq!(**event, Event::start());
    assert!(
        matches!(source, Error::CharmRaised { exc_type, .. } if exc_type == "KeyError"),
        "{source}"
    );
    assert_eq!(outputs.len(), 2);
    assert_eq!(outputs[1].state.unit_status, Status::active("fine"));
    insta::assert_snapshot!("charm_raised_at_step_2", redact_traceback(&err.to_string()));
}

#[test]
fn an_inconsistent_first_step_fails_with_no_outputs() {
    let err = ctx("db-requirer")
        .run_sequence([db().id(9).changed_event()], &State::default())
        .unwrap_err();
    let SequenceFailure {
        step,
        ref source,
        ref outputs,
        ..
    } = err;
    assert_eq!(step, 0);
    assert!(outputs.is_empty());
    assert!(matches!(source, Error::Inconsistent { .. }), "{source}");
    insta::assert_snapshot!("inconsistent_first_step", err);
}

#[test]
fn steps_change_the_model_before_and_after_their_event() {
    let web = Container::new("web");
    let state = State::default().containers([web.clone()]);
    let charm = Charm::from_source(
        r#"
import ops

class Probe(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._report)
        framework.observe(self.on.web_pebble_ready, self._report)

    def _report(self, event):
        up = self.unit.get_container("web").can_connect()
        self.unit.status = ops.ActiveStatus(f"web up: {up}")
"#,
        "name: probe\ncontainers:\n  web: {}\n",
    )
    .unwrap();
    let outputs = Context::new(charm)
        .unwrap()
        .run_sequence(
            [
                Step::new(Event::update_status()),
                Step::new(web.pebble_ready_event())
                    .before(ModelChange::ContainerConnected("web".into())),
                Step::new(Event::update_status()),
            ],
            &state,
        )
        .unwrap();
    assert_eq!(
        statuses(&outputs),
        [
            Status::active("web up: False"),
            Status::active("web up: True"),
            Status::active("web up: True"),
        ]
    );
}

#[test]
fn an_empty_sequence_runs_nothing() {
    let outputs = ctx("lifecycle")
        .run_sequence(Sequence::new(), &State::default())
        .unwrap();
    assert!(outputs.is_empty());
}
