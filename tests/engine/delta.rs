//! State deltas: `State::delta` is a JSON Patch (RFC 6902) over the State's JSON form that
//! applies back (`a.patched(&a.delta(&b)) == b`) for every pair of many hand-made States
//! (relations added, removed and with changed databags, containers, secrets' revisions, nested
//! stored state, the deferred queue, ...), that names keyed items by their key, and that
//! survives a JSON round trip; `StateDiff` and `assert_state_eq!` say what changed.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::common::ctx;
use ops_scenario::delta::{JsonPatch, PatchOp, StateDiff};
use ops_scenario::{
    assert_state_eq, stored_dict, Address, BindAddress, CheckInfo, CheckStatus, Container,
    DeferredEvent, Event, Layer, Network, Notice, PeerRelation, Port, Relation, Secret,
    SecretOwner, ServiceStatus, State, Status, Storage, StoredState, StoredValue,
    SubordinateRelation,
};
use serde_json::{json, Value};

fn layer(command: &str) -> Layer {
    Layer::from_yaml(&format!(
        "services:\n  svc:\n    override: replace\n    command: {command}\n"
    ))
    .unwrap()
}

fn base() -> State {
    State::default()
        .leader(true)
        .config([("port", 8080.into())])
        .relations([Relation::new("db")
            .id(1)
            .remote_app_name("postgresql")
            .remote_app_data([("host", "10.0.0.1")])])
        .relations([PeerRelation::new("cluster").id(2).peers([1, 2])])
        .containers([Container::new("web")
            .can_connect(true)
            .layers([("base", layer("/bin/web"))])
            .service_statuses([("svc", ServiceStatus::Active)])
            .files([("/etc/web.conf", "port: 80\n")])
            .notices([Notice::new("example.com/a").id("1")])
            .check_infos([CheckInfo::new("ready")])])
        .secrets([Secret::new([("password", "x")])
            .id("secret:0123456789abcdefghij")
            .owner(SecretOwner::App)
            .label("creds")])
        .stored_states([StoredState::new("MyCharm").content([
            ("counter", StoredValue::Int(1)),
            (
                "nested",
                StoredValue::Dict(stored_dict([(
                    "list",
                    StoredValue::List(vec![1.into(), 2.into()]),
                )])),
            ),
        ])])
        .deferred([Event::update_status().deferred("MyCharm", "_on_update_status")])
        .storages([Storage::new("data")])
        .opened_ports([Port::tcp(80)])
}

/// Hand-made variations of the base State, each changing one kind of thing.
fn variations() -> Vec<(&'static str, State)> {
    let b = base();
    let mut out: Vec<(&'static str, State)> = vec![("base", b.clone())];
    let mut with = |name: &'static str, f: &dyn Fn(&mut State)| {
        let mut s = base();
        f(&mut s);
        out.push((name, s));
    };
    with("empty", &|s| *s = State::default());
    with("status", &|s| {
        s.unit_status = Status::active("ready");
        s.app_status = Status::blocked("no db");
    });
    with("config", &|s| {
        s.config.clear();
        s.config.insert("log-level".into(), "debug".into());
    });
    with("relation added", &|s| {
        s.relations
            .push(SubordinateRelation::new("juju-info").id(3).into())
    });
    with("relation added first", &|s| {
        s.relations.insert(0, Relation::new("cache").id(7).into())
    });
    with("relation removed", &|s| {
        s.relations.remove(0);
    });
    with("relations swapped", &|s| s.relations.swap(0, 1));
    with("databag changed", &|s| {
        let db = Relation::new("db")
            .id(1)
            .remote_app_name("postgresql")
            .remote_app_data([("host", "10.0.0.2"), ("port", "5432")])
            .local_app_data([("user", "client")])
            .remote_units([0, 1]);
        s.relations[0] = db.into();
    });
    with("peers changed", &|s| {
        s.relations[1] = PeerRelation::new("cluster")
            .id(2)
            .peers([2, 3])
            .local_app_data([("members", "[]")])
            .into();
    });
    with("relation without ids", &|s| {
        s.relations = vec![Relation::new("db").into()];
    });
    with("container changed", &|s| {
        let web = &mut s.containers[0];
        web.can_connect = false;
        web.service_statuses
            .insert("svc".into(), ServiceStatus::Inactive);
        web.files.clear();
        web.check_infos[0].status = CheckStatus::Down;
        web.check_infos[0].failures = 3;
    });
    with("layer added before", &|s| {
        let web = &mut s.containers[0];
        let old = std::mem::take(&mut web.layers);
        web.layers.insert("first".into(), layer("/bin/first"));
        for (label, l) in old.iter() {
            web.layers.insert(label.into(), l.clone());
        }
    });
    with("layer added after", &|s| {
        s.containers[0] = s.containers[0]
            .clone()
            .layers([("override", layer("/bin/other"))]);
    });
    with("container added", &|s| {
        s.containers.push(Container::new("metrics"));
        s.containers[0]
            .notices
            .push(Notice::new("example.com/b").id("2"));
    });
    with("secret revised", &|s| {
        s.secrets[0] = s.secrets[0]
            .clone()
            .latest_content([("password", "y")])
            .latest_revision(3);
    });
    with("secret replaced", &|s| {
        s.secrets = vec![Secret::new([("token", "t")]).id("secret:abcdefghij0123456789")];
    });
    with("stored nested", &|s| {
        s.stored_states[0] = StoredState::new("MyCharm").content([
            ("counter", StoredValue::Int(2)),
            (
                "nested",
                StoredValue::Dict(stored_dict([
                    (
                        "list",
                        StoredValue::List(vec![1.into(), 3.into(), 4.into()]),
                    ),
                    ("set", StoredValue::Set(vec!["a".into()])),
                ])),
            ),
        ]);
        s.stored_states.push(StoredState::framework(5));
    });
    with("deferred queue", &|s| {
        s.deferred = vec![
            Event::config_changed().deferred("MyCharm", "_on_config_changed"),
            DeferredEvent::new(
                "MyCharm/on/update_status[2]",
                "MyCharm",
                "_on_update_status",
            ),
        ];
    });
    with("deferred drained", &|s| s.deferred.clear());
    with("network", &|s| {
        s.networks.push(
            Network::new("db")
                .bind_addresses([BindAddress::new([Address::new("10.1.1.1")])])
                .ingress_addresses(["10.1.1.1"]),
        );
    });
    with("storage and ports", &|s| {
        s.storages.push(Storage::new("data").index(1));
        s.opened_ports = vec![Port::udp(53), Port::icmp(), Port::tcp(80)];
    });
    out
}

#[test]
fn every_delta_applies_back_and_survives_a_json_round_trip() {
    let states = variations();
    for (an, a) in &states {
        for (bn, b) in &states {
            let delta = a.delta(b);
            assert_eq!(
                a.patched(&delta)
                    .unwrap_or_else(|e| panic!("{an} -> {bn}: {e}\n{delta}")),
                *b,
                "{an} -> {bn}:\n{delta}"
            );
            assert_eq!(delta.is_empty(), a == b, "{an} -> {bn}:\n{delta}");
            // The RFC 6902 JSON form reads back to the same patch.
            let text = serde_json::to_string(&delta).unwrap();
            let read: JsonPatch = serde_json::from_str(&text).unwrap();
            assert_eq!(read, delta, "{text}");
            // Applied to the JSON form, it gives the other State's JSON form.
            let mut json = serde_json::to_value(a).unwrap();
            read.apply(&mut json).unwrap();
            assert_eq!(json, serde_json::to_value(b).unwrap(), "{an} -> {bn}");
            // The diff names a path for each operation, and nothing when equal.
            let diff = a.diff(b);
            assert_eq!(diff.len(), delta.len(), "{an} -> {bn}:\n{diff}");
        }
    }
}

#[test]
fn a_changed_databag_is_one_operation_inside_its_relation() {
    let a = base();
    let mut b = base();
    b.relations[0] = Relation::new("db")
        .id(1)
        .remote_app_name("postgresql")
        .remote_app_data([("host", "10.0.0.1")])
        .local_app_data([("user", "client")])
        .into();
    assert_eq!(
        a.delta(&b).ops(),
        [PatchOp::Add {
            path: "/relations/0/local_app_data/user".into(),
            value: json!("client"),
        }]
    );
    assert_eq!(
        a.diff(&b).to_string(),
        "+ relations[id=1].local_app_data.user: \"client\""
    );
}

#[test]
fn keyed_items_are_named_by_their_key_in_the_diff() {
    let name = |n: &str| variations().into_iter().find(|(v, _)| *v == n).unwrap().1;
    let paths = |n: &str| {
        base()
            .diff(&name(n))
            .paths()
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(paths("relation removed"), ["relations[id=1]"]);
    assert_eq!(paths("relation added first"), ["relations[id=7]"]);
    assert_eq!(
        paths("secret revised"),
        [
            "secrets[id=secret:0123456789abcdefghij].latest_content.password",
            "secrets[id=secret:0123456789abcdefghij].latest_revision"
        ]
    );
    assert_eq!(
        paths("container changed"),
        [
            "containers[name=web].can_connect",
            "containers[name=web].service_statuses.svc",
            "containers[name=web].files[\"/etc/web.conf\"]",
            "containers[name=web].check_infos[name=ready].status",
            "containers[name=web].check_infos[name=ready].failures"
        ]
    );
    assert_eq!(
        paths("stored nested"),
        [
            "stored_states[owner_path=MyCharm,name=_stored].content.counter",
            "stored_states[owner_path=MyCharm,name=_stored].content.nested.list[1]",
            "stored_states[owner_path=MyCharm,name=_stored].content.nested.list[2]",
            "stored_states[owner_path=MyCharm,name=_stored].content.nested.set",
            "stored_states[owner_path=null,name=_stored]"
        ]
    );
    assert_eq!(
        paths("deferred queue"),
        [
            "deferred[handle_path=MyCharm/on/update_status[1]]",
            "deferred[handle_path=MyCharm/on/config_changed[1]]",
            "deferred[handle_path=MyCharm/on/update_status[2]]"
        ]
    );
    // Reordered layers (their order is Pebble's) are replaced whole.
    assert_eq!(paths("layer added before"), ["containers[name=web].layers"]);
    assert_eq!(
        paths("layer added after"),
        ["containers[name=web].layers.override"]
    );
}

#[test]
fn the_delta_of_a_real_run_applies_back_and_says_what_the_charm_did() {
    let db = Relation::new("db")
        .remote_app_name("postgresql")
        .remote_app_data([("host", "10.0.0.1")]);
    let state = State::default().leader(true).relations([db.clone()]);
    let out = ctx("db-requirer").run(db.changed_event(), &state).unwrap();

    let delta = state.delta(&out.state);
    assert_eq!(state.patched(&delta).unwrap(), out.state);
    let text = state.diff(&out.state).to_string();
    // The input relation has no id, so it is named by its endpoint; the run writes its id
    // and interface out.
    for line in [
        "+ relations[endpoint=db].id: 1",
        "+ relations[endpoint=db].interface: \"pgsql\"",
        "+ relations[endpoint=db].local_app_data.user: \"client\"",
        "+ relations[endpoint=db].local_unit_data.seen: \"postgresql/0\"",
        "- unit_status.name: \"unknown\"",
        "+ unit_status.name: \"active\"",
    ] {
        assert!(text.lines().any(|l| l == line), "{line:?} not in\n{text}");
    }
}

#[test]
fn assert_state_eq_passes_on_equal_states_and_panics_with_the_diff() {
    assert_state_eq!(base(), base());
    assert_state_eq!(base(), base(), "with a message {}", 1);

    let panic = catch_unwind(|| {
        let expected = State::default().unit_status(Status::active("ready"));
        let actual = State::default()
            .unit_status(Status::blocked("no database"))
            .leader(true);
        assert_state_eq!(actual, expected);
    })
    .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert_eq!(
        message,
        "assertion `left == right` failed (- left, + right):\n\
         - leader: true\n\
         + leader: false\n\
         - unit_status.name: \"blocked\"\n\
         + unit_status.name: \"active\"\n\
         - unit_status.message: \"no database\"\n\
         + unit_status.message: \"ready\""
    );

    let panic = catch_unwind(AssertUnwindSafe(|| {
        assert_state_eq!(base(), State::default(), "after {}", "install")
    }))
    .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    insta::assert_snapshot!("base_against_default_after_install", message);
}

#[test]
fn assert_state_eq_compares_outputs_and_parts_of_states_too() {
    let db = Relation::new("db").id(1);
    assert_state_eq!(db.clone(), db.clone());
    let panic = catch_unwind(|| {
        assert_state_eq!(db.clone(), db.clone().remote_app_name("pg"));
    })
    .unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    insta::assert_snapshot!("relation_remote_app_name", message);

    let ctx = ctx("lifecycle");
    let first = ctx.run(Event::start(), &State::default()).unwrap();
    let second = ctx.run(Event::start(), &State::default()).unwrap();
    assert_state_eq!(first, second);
    let other = ctx.run(Event::install(), &State::default()).unwrap();
    let diff = StateDiff::new(&first, &other);
    assert!(
        diff.paths().contains(&"state.unit_status.message"),
        "{diff}"
    );
}

#[test]
fn a_patch_that_does_not_fit_the_state_is_refused_with_where() {
    let state = base();
    let bad = JsonPatch(vec![PatchOp::Remove {
        path: "/relations/5".into(),
    }]);
    let err = state.patched(&bad).unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid input at patch[0]: remove /relations/5: index 5 is out of range (2 elements)"
    );
    let not_a_state = JsonPatch(vec![PatchOp::Replace {
        path: "/leader".into(),
        value: json!("yes"),
    }]);
    let err = state.patched(&not_a_state).unwrap_err();
    insta::assert_snapshot!("patch_giving_leader_a_string", err);
}

#[test]
fn the_patch_reads_and_writes_rfc_6902_json() {
    let a = State::default();
    let b = State::default().leader(true).workload_version("1.2");
    let delta = a.delta(&b);
    assert_eq!(
        serde_json::to_value(&delta).unwrap(),
        json!([
            {"op": "replace", "path": "/leader", "value": true},
            {"op": "replace", "path": "/workload_version", "value": "1.2"}
        ])
    );
    // Patches written elsewhere apply too, with every RFC operation.
    let patch: JsonPatch = serde_json::from_value(json!([
        {"op": "test", "path": "/leader", "value": false},
        {"op": "copy", "from": "/unit_status", "path": "/app_status"},
        {"op": "add", "path": "/opened_ports/-", "value": {"protocol": "tcp", "port": 22}},
        {"op": "move", "from": "/opened_ports/0", "path": "/opened_ports/1"}
    ]))
    .unwrap();
    let c = State::default()
        .unit_status(Status::waiting("x"))
        .opened_ports([Port::icmp()]);
    let patched: Value = serde_json::to_value(c.patched(&patch).unwrap()).unwrap();
    assert_eq!(
        patched["app_status"],
        json!({"name": "waiting", "message": "x"})
    );
    assert_eq!(
        patched["opened_ports"],
        json!([{"protocol": "tcp", "port": 22}, {"protocol": "icmp"}])
    );
}
