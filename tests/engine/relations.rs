//! Regular relations: every event and what the handler sees, the databags a requirer and a
//! provider read and write, Juju's access rules, default ids and databags, chained runs.

use crate::common::{
    assert_logged, ctx, ctx_from_source, logged, ops_lists_departed_unit,
    ops_reads_departed_unit_data, ops_version, raised, rules,
};
use ops_scenario::{
    default_unit_databag, AnyRelation, Error, Event, Inspect, Relation, State, Status, StoredValue,
};

fn db() -> Relation {
    Relation::new("db")
        .remote_app_name("postgresql")
        .remote_app_data([("host", "10.0.0.1"), ("port", "5432")])
}

#[test]
fn leader_publishes_its_request_and_reads_the_database_address() {
    let db = db();
    let state = State::default().leader(true).relations([db.clone()]);
    let out = ctx("db-requirer").run(db.changed_event(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("db at 10.0.0.1 via 192.0.2.0")
    );
    let relation = out.state.relation(&db).unwrap();
    assert_eq!(relation.local_app_data["database"], "app");
    assert_eq!(relation.local_app_data["user"], "client");
    assert_eq!(relation.local_unit_data["seen"], "postgresql/0");
    // The remote side is what the State said: a charm cannot write it.
    assert_eq!(relation.remote_app_data, db.remote_app_data);
    assert_eq!(
        logged(&out, "INFO changed"),
        "INFO changed relation=1 app=postgresql unit=postgresql/0 units=['postgresql/0']"
    );
}

#[test]
fn a_follower_leaves_the_application_databag_alone() {
    let db = db();
    let out = ctx("db-requirer")
        .run(
            db.changed_event(),
            &State::default().relations([db.clone()]),
        )
        .unwrap();
    let relation = out.state.relation(&db).unwrap();
    assert!(relation.local_app_data.is_empty());
    assert_eq!(relation.local_unit_data["seen"], "postgresql/0");
}

#[test]
fn every_event_gives_the_handler_what_juju_gives_it() {
    let db = db().remote_units([0, 1, 2]);
    let state = State::default().leader(true).relations([db.clone()]);
    let ctx = ctx("db-requirer");

    let out = ctx.run(db.created_event(), &state).unwrap();
    assert_eq!(
        logged(&out, "INFO created"),
        "INFO created relation=1 app=postgresql unit=None units=['postgresql/0', 'postgresql/1', 'postgresql/2']"
    );
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for the database")
    );

    let out = ctx.run(db.joined_event().remote_unit(2), &state).unwrap();
    assert!(logged(&out, "INFO joined").contains("unit=postgresql/2"));
    assert_eq!(
        out.state.relation(&db).unwrap().local_unit_data["joined"],
        "postgresql/2"
    );

    let out = ctx.run(db.changed_event().remote_unit(1), &state).unwrap();
    assert!(logged(&out, "INFO changed").contains("unit=postgresql/1"));

    // relation-departed: the departing unit is no longer listed, but its data is readable
    // (from ops 2.23 and 3.1; ops 3.0 lists the unit but has no databag for it).
    let out = ctx.run(db.departed_event().remote_unit(1), &state).unwrap();
    let units = if ops_lists_departed_unit() {
        "['postgresql/0', 'postgresql/1', 'postgresql/2']"
    } else {
        "['postgresql/0', 'postgresql/2']"
    };
    assert_eq!(
        logged(&out, "INFO departed"),
        format!("INFO departed relation=1 app=postgresql unit=postgresql/1 units={units} departing=postgresql/1")
    );
    let departing = logged(&out, "INFO departing unit data");
    if ops_reads_departed_unit_data() {
        assert!(
            departing.contains("'private-address': '192.0.2.0'"),
            "{departing}"
        );
    } else {
        assert_eq!(departing, "INFO departing unit data: unreadable");
    }

    // relation-broken: left out of model.relations, no remote units, the app still known.
    let out = ctx.run(db.broken_event(), &state).unwrap();
    assert_eq!(
        logged(&out, "INFO broken"),
        "INFO broken relation=1 app=postgresql unit=None units=[]"
    );
    assert_eq!(
        logged(&out, "INFO relations still listed"),
        "INFO relations still listed: []"
    );
    assert_eq!(out.state.unit_status, Status::blocked("needs a database"));
}

#[test]
fn the_departing_unit_can_differ_from_the_remote_unit() {
    let db = db().remote_units([0, 1]);
    let state = State::default().relations([db.clone()]);
    let out = ctx("db-requirer")
        .run(db.departed_event().remote_unit(0).departing_unit(1), &state)
        .unwrap();
    let units = if ops_lists_departed_unit() {
        "['postgresql/0', 'postgresql/1']"
    } else {
        "['postgresql/1']"
    };
    let departed = logged(&out, "INFO departed");
    assert!(
        departed.ends_with(&format!(
            "unit=postgresql/0 units={units} departing=postgresql/1"
        )),
        "{departed}"
    );
}

#[test]
fn the_relation_environment_is_juju_s() {
    let db = db().id(7).remote_units([3]);
    let state = State::default().relations([db.clone()]);
    let mut env = None;
    ctx("db-requirer")
        .run_inspected(
            db.departed_event().departing_unit(3),
            &state,
            Inspect::new().before(|charm| {
                env = Some(charm.eval(
                    "{k: v for k, v in __import__('os').environ.items() \
                     if k.startswith(('JUJU_RELATION', 'JUJU_REMOTE', 'JUJU_DEPARTING', 'JUJU_HOOK', 'JUJU_DISPATCH'))}",
                )?);
                Ok(())
            }),
        )
        .unwrap();
    let expected = ops_scenario::stored_dict([
        ("JUJU_DISPATCH_PATH", "hooks/db-relation-departed"),
        ("JUJU_HOOK_NAME", "db-relation-departed"),
        ("JUJU_RELATION", "db"),
        ("JUJU_RELATION_ID", "db:7"),
        ("JUJU_REMOTE_APP", "postgresql"),
        ("JUJU_REMOTE_UNIT", "postgresql/3"),
        ("JUJU_DEPARTING_UNIT", "postgresql/3"),
    ]);
    assert_eq!(env, Some(StoredValue::Dict(expected)));
    // Nothing of it is left in the process afterwards.
    assert!(std::env::var_os("JUJU_RELATION_ID").is_none());
}

#[test]
fn a_provider_serves_every_remote_unit() {
    let app = Relation::new("database")
        .id(4)
        .remote_app_name("webapp")
        .remote_app_data([("database", "shop")])
        .remote_units([0, 1, 2])
        .remote_unit_data(0, [("requested", "a")])
        .remote_unit_data(2, [("requested", "c")]);
    let state = State::default().leader(true).relations([app.clone()]);
    let out = ctx("db-provider")
        .run(app.changed_event().remote_unit(2), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("serving 3 units of webapp")
    );
    let published = &out.state.relation(&app).unwrap().local_app_data;
    assert_eq!(published["host"], "192.0.2.0");
    assert_eq!(published["database"], "shop");
    assert_eq!(published["user"], "webapp-user");
    assert_eq!(published["units"], "webapp/0,webapp/1,webapp/2");
    assert_eq!(
        logged(&out, "INFO requests"),
        "INFO requests on relation 4: {'webapp/0': 'a', 'webapp/1': '', 'webapp/2': 'c'}"
    );
}

#[test]
fn a_provider_with_several_relations_on_one_endpoint() {
    let web = Relation::new("database").remote_app_name("web");
    let api = Relation::new("database").remote_app_name("api");
    let state = State::default().relations([web, api]);
    let out = ctx("db-provider")
        .run(Event::update_status(), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("serving {1: 'web', 2: 'api'}")
    );
    // Ids were given by the State's rule and are written out.
    let ids: Vec<_> = out.state.relations.iter().map(AnyRelation::id).collect();
    assert_eq!(ids, [Some(1), Some(2)]);
}

#[test]
fn chained_runs_carry_the_databags_forward() {
    let db = Relation::new("db").remote_app_name("postgresql");
    let ctx = ctx("db-requirer");
    let state = State::default().leader(true).relations([db.clone()]);
    let out = ctx.run(db.created_event(), &state).unwrap();
    assert_eq!(
        out.state.relation(&db).unwrap().local_app_data["database"],
        "app"
    );
    let out = ctx.run(db.changed_event(), &out.state).unwrap();
    assert_eq!(out.state.unit_status, Status::waiting("no host yet"));
    // The database answers: the test puts its data in the State, as Juju would deliver it.
    let mut next = out.state.clone();
    let AnyRelation::Regular(r) = &mut next.relations[0] else {
        panic!()
    };
    r.remote_app_data.insert("host".into(), "10.1.1.1".into());
    let out = ctx.run(db.changed_event(), &next).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("db at 10.1.1.1 via 192.0.2.0")
    );
    let out = ctx.run(db.broken_event(), &out.state).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("needs a database"));
}

#[test]
fn defaults_follow_ops_testing() {
    let db = Relation::new("db");
    let out = ctx("db-requirer")
        .run(
            db.changed_event(),
            &State::default().relations([db.clone()]),
        )
        .unwrap();
    let relation = out.state.relation(&db).unwrap();
    assert_eq!(relation.id, Some(1));
    assert_eq!(
        relation.interface.as_deref(),
        Some("pgsql"),
        "the interface comes from the metadata"
    );
    assert_eq!(relation.remote_app_name, "remote");
    assert_eq!(relation.remote_units_data.keys().collect::<Vec<_>>(), [&0]);
    let mut seen_unit = default_unit_databag();
    seen_unit.insert("seen".into(), "remote/0".into());
    assert_eq!(relation.local_unit_data, seen_unit);
    assert_eq!(out.state.unit_status, Status::waiting("no host yet"));
}

#[test]
fn the_input_state_is_not_changed() {
    let db = db();
    let state = State::default().leader(true).relations([db.clone()]);
    let before = state.clone();
    ctx("db-requirer").run(db.changed_event(), &state).unwrap();
    assert_eq!(state, before);
    assert_eq!(state.relations[0].id(), None);
}

#[test]
fn remote_model_follows_the_juju_version() {
    let db = db().remote_model_uuid("11111111-2222-4333-8444-555555555555");
    let state = State::default().relations([db.clone()]);
    if ops_version() < (2, 20) {
        // Relation.remote_model (relation-model-get) came with ops 2.20. The message is
        // Python's, which words it differently from one Python release to the next.
        let err = ctx("db-requirer")
            .run(Event::update_status(), &state)
            .unwrap_err();
        assert!(
            matches!(&err, Error::CharmRaised { exc_type, message, .. }
                if exc_type == "AttributeError" && message.contains("remote_model")),
            "{err}"
        );
        return;
    }
    let out = ctx("db-requirer")
        .run(Event::update_status(), &state)
        .unwrap();
    assert_logged(
        &out,
        "INFO remote model 11111111-2222-4333-8444-555555555555",
    );
    let (exc_type, message) = raised(
        ctx("db-requirer")
            .juju_version("3.5.0")
            .run(Event::update_status(), &state),
    );
    assert_eq!(exc_type, "ops.model.ModelError");
    insta::assert_snapshot!("relation_model_get_on_juju_3_5", message);
}

/// A charm that tries every databag access in a handler and records what happened.
const PROBE: &str = r#"
import json
import ops


class Probe(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.db_relation_changed, self._on_changed)

    def _on_changed(self, event):
        relation = event.relation
        remote_unit = next(iter(relation.units))
        attempts = {
            "read remote app": lambda: dict(relation.data[event.app]),
            "read remote unit": lambda: dict(relation.data[remote_unit]),
            "read own unit": lambda: dict(relation.data[self.unit]),
            "read own app": lambda: dict(relation.data[self.app]),
            "write own unit": lambda: relation.data[self.unit].update({"u": "1"}),
            "write own app": lambda: relation.data[self.app].update({"a": "1"}),
            "write remote app": lambda: relation.data[event.app].update({"x": "1"}),
            "write remote unit": lambda: relation.data[remote_unit].update({"x": "1"}),
        }
        results = {}
        for name, attempt in attempts.items():
            try:
                attempt()
                results[name] = "ok"
            except ops.RelationDataAccessError:
                results[name] = "denied"
            except ops.ModelError:
                results[name] = "refused by juju"
        relation.data[self.unit]["results"] = json.dumps(results, sort_keys=True)
"#;

const PROBE_META: &str = "name: probe\nrequires:\n  db:\n    interface: pgsql\n";

fn probe(leader: bool) -> serde_json::Value {
    let ctx = ctx_from_source(PROBE, PROBE_META);
    let db = Relation::new("db").remote_app_name("pg");
    let out = ctx
        .run(
            db.changed_event(),
            &State::default().leader(leader).relations([db.clone()]),
        )
        .unwrap();
    serde_json::from_str(&out.state.relation(&db).unwrap().local_unit_data["results"]).unwrap()
}

#[test]
fn a_follower_reads_remote_bags_and_writes_only_its_own_unit_bag() {
    let results = probe(false);
    // ops 3.9 checks every read itself; earlier ops check only item access, so iterating the
    // bag (and the read `update` makes to work out the changes) reaches Juju, which refuses it.
    // Before ops 2.20, `update` sets key by key, each write checked by ops, with no read.
    let version = ops_version();
    let read_own_app = if version >= (3, 9) {
        "denied"
    } else {
        "refused by juju"
    };
    let write_own_app = if ((2, 20)..(3, 9)).contains(&version) {
        "refused by juju"
    } else {
        "denied"
    };
    assert_eq!(
        results,
        serde_json::json!({
            "read own app": read_own_app,
            "read own unit": "ok",
            "read remote app": "ok",
            "read remote unit": "ok",
            "write own app": write_own_app,
            "write own unit": "ok",
            "write remote app": "denied",
            "write remote unit": "denied",
        })
    );
}

#[test]
fn the_leader_also_reads_and_writes_its_application_bag() {
    let results = probe(true);
    assert_eq!(results["read own app"], "ok");
    assert_eq!(results["write own app"], "ok");
    assert_eq!(results["write remote app"], "denied");
}

#[test]
fn the_hook_tools_themselves_refuse_what_juju_refuses() {
    // Outside a handler ops does not check access; Juju's own rules (in the backend) still hold.
    let ctx = ctx_from_source(PROBE, PROBE_META);
    let db = Relation::new("db").id(3).remote_app_name("pg");
    let state = State::default().relations([db.clone()]);
    // ops before 2.20 call relation_set with one key and value (an empty value deletes it),
    // so there is no empty relation-set to refuse.
    let one_key = ops_version() < (2, 20);
    let (set_app, set_nothing) = if one_key {
        (
            "self.model._backend.relation_set(3, 'a', 'b', True)",
            "self.model._backend.relation_set(3, 'a', '', False)",
        )
    } else {
        (
            "self.model._backend.relation_set(3, {'a': 'b'}, True, relation_name='db')",
            "self.model._backend.relation_set(3, {}, False, relation_name='db')",
        )
    };
    let mut seen = Vec::new();
    ctx.run_inspected(
        Event::update_status(),
        &state,
        Inspect::new().after(|charm| {
            for call in [
                set_app,
                "self.model._backend.relation_get(3, 'probe', True, relation_name='db')",
                "self.model._backend.relation_get(3, 'pg/9', False, relation_name='db')",
                "self.model._backend.relation_get(4, 'pg/0', False, relation_name='db')",
                set_nothing,
                "self.model._backend.relation_get(3, 'pg', 1, relation_name='db')",
            ] {
                let outcome = match charm.eval(call) {
                    Ok(_) => "ok".to_owned(),
                    Err(Error::CharmRaised {
                        exc_type, message, ..
                    }) => {
                        format!("{exc_type}: {}", message.trim())
                    }
                    Err(other) => panic!("{other}"),
                };
                seen.push(outcome);
            }
            Ok(())
        }),
    )
    .unwrap();
    assert_eq!(
        seen,
        [
            "ops.model.ModelError: ERROR permission denied",
            "ops.model.ModelError: ERROR permission denied",
            "ops.model.ModelError: ERROR cannot read settings for unit \"pg/9\" in relation \"db:3\": unit \"pg/9\": settings not found",
            "ops.model.RelationNotFoundError: ERROR invalid value \"db:4\" for option -r: relation not found",
            if one_key {
                "ok"
            } else {
                "ValueError: at least one key:value pair is required for relation-set"
            },
            "TypeError: is_app parameter to relation_get must be a boolean",
        ]
    );
}

#[test]
fn app_databags_need_juju_2_7() {
    let err = ctx("db-requirer")
        .juju_version("2.6.0")
        .run(
            db().changed_event(),
            &State::default().leader(true).relations([db()]),
        )
        .unwrap_err();
    let Error::CharmRaised {
        exc_type, message, ..
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(exc_type, "RuntimeError");
    assert_eq!(
        message,
        "getting application data is not supported on Juju version 2.6.0"
    );
}

#[test]
fn a_deferred_relation_event_keeps_its_relation_and_unit() {
    const DEFERRING: &str = r#"
import ops


class Deferring(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.db_relation_changed, self._on_changed)

    def _on_changed(self, event):
        if not self.config.get("ready"):
            event.defer()
            return
        self.unit.status = ops.ActiveStatus(f"{event.relation.id} {event.app.name} {event.unit.name}")
"#;
    let meta = "name: deferring\nrequires:\n  db:\n    interface: pgsql\nconfig:\n  options:\n    ready: {type: boolean, default: false}\n";
    let ctx = ctx_from_source(DEFERRING, meta);
    let db = Relation::new("db")
        .id(5)
        .remote_app_name("pg")
        .remote_units([0, 1]);
    let state = State::default().relations([db.clone()]);

    // Deferred by the charm: ops' own snapshot comes out in the State.
    let out = ctx.run(db.changed_event().remote_unit(1), &state).unwrap();
    let deferred = &out.state.deferred[0];
    assert_eq!(deferred.handle_path, "Deferring/on/db_relation_changed[1]");
    assert_eq!(
        deferred.snapshot_data,
        ops_scenario::stored_dict([
            ("relation_name", StoredValue::from("db")),
            ("relation_id", 5.into()),
            ("app_name", "pg".into()),
            ("unit_name", "pg/1".into()),
        ])
    );
    let ready = |state: &State| state.clone().config([("ready", true.into())]);
    let out = ctx.run(Event::update_status(), &ready(&out.state)).unwrap();
    assert_eq!(out.state.unit_status, Status::active("5 pg pg/1"));
    assert!(out.state.deferred.is_empty());

    // Built by the test: the run fills in what only the State knows.
    let built = db
        .changed_event()
        .remote_unit(1)
        .deferred("Deferring", "_on_changed");
    let out = ctx
        .run(Event::update_status(), &ready(&state).deferred([built]))
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("5 pg pg/1"));
}

#[test]
fn inconsistent_relation_events_are_rejected_with_every_rule() {
    let err = ctx("db-requirer")
        .run(
            Relation::new("db").id(4).changed_event(),
            &State::default().relations([Relation::new("dbb"), Relation::new("db").id(2)]),
        )
        .unwrap_err();
    assert_eq!(rules(err), ["relation.not_in_state", "relation.endpoint"]);
}
