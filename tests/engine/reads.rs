//! The record of what a charm asks the model (`Context::record_reads`): hook tools counted,
//! keys looked up in remote relation databags (remote application, remote unit, peer unit) and
//! in the config, found or missing; nothing recorded without it; and the charm sees the same
//! either way. The charm is tests/charms/reads-probe.

use std::collections::{BTreeMap, BTreeSet};

use crate::common::ctx;
use ops_scenario::{
    Container, Context, ContextOptions, Event, Output, PeerRelation, Reads, Relation, Secret, State,
};

const CHARM: &str = "reads-probe";

fn recording() -> Context {
    ctx(CHARM).record_reads(true)
}

fn keys(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|k| k.to_string()).collect()
}

fn db() -> Relation {
    Relation::new("db")
        .remote_app_name("pg")
        .remote_app_data([("host", "pg.local"), ("user", "admin")])
        .remote_unit_data(0, [("ingress-address", "10.1.0.1"), ("note", "unread")])
        .local_app_data([("leader-key", "mine")])
}

fn cluster() -> PeerRelation {
    PeerRelation::new("cluster")
        .peer_data(1, [("address", "10.0.0.1"), ("other", "unread")])
        .local_app_data([("members", "[\"reads-probe/0\"]")])
}

fn creds() -> Secret {
    Secret::new([("password", "s3cret")]).label("creds")
}

fn state() -> State {
    State::default()
        .leader(true)
        .config([("port", 9000.into())])
        .relations([db()])
        .relations([cluster()])
        .secrets([creds()])
}

/// The events the probe answers, each with what it looks up.
fn events() -> Vec<Event> {
    vec![
        Event::config_changed(),
        db().changed_event().remote_unit(0),
        cluster().changed_event().remote_unit(1),
        Event::update_status(),
    ]
}

fn reads_of(event: Event) -> Reads {
    recording()
        .run(event, &state())
        .unwrap()
        .reads
        .expect("a recording Context records reads")
}

#[test]
fn reads_are_none_and_left_out_of_the_json_unless_the_context_records_them() {
    let out = ctx(CHARM).run(Event::config_changed(), &state()).unwrap();
    assert_eq!(out.reads, None);
    assert!(out.to_json().get("reads").is_none());
    assert!(!ContextOptions::default().record_reads);
    let options = serde_json::to_value(ContextOptions::default()).unwrap();
    assert!(options.get("record_reads").is_none(), "{options}");
}

#[test]
fn config_keys_looked_up_are_recorded_found_or_missing() {
    let reads = reads_of(Event::config_changed());
    assert_eq!(
        reads.config_keys,
        keys(&["port", "mode", "debug", "no-such-option", "also-missing"])
    );
    assert_eq!(reads.relation_keys, BTreeMap::new());
    // ops loads the config once per run, whatever the charm looks up in it.
    assert_eq!(reads.hook_tools.get("config-get"), Some(&1), "{reads:?}");
    assert_eq!(reads.hook_tools.get("secret-get"), Some(&1), "{reads:?}");
    assert_eq!(reads.hook_tools.get("status-set"), Some(&1), "{reads:?}");
    assert!(reads.hook_tools.contains_key("juju-log"), "{reads:?}");
    assert!(!reads.hook_tools.contains_key("relation-get"), "{reads:?}");
}

#[test]
fn remote_app_and_unit_bags_record_their_keys_and_own_bags_none() {
    let reads = reads_of(db().changed_event().remote_unit(0));
    // `host` ([...]) `port` (.get, missing) and `user` (in) in the remote app's bag;
    // `ingress-address` (.get) and `password` ([...], missing) in the remote unit's. Not
    // `seen` (its own unit bag) nor `leader-key` (its own application bag), and not `note`,
    // which the charm never looks up.
    assert_eq!(
        reads.relation_keys,
        BTreeMap::from([(
            "db".to_owned(),
            keys(&["host", "port", "user", "ingress-address", "password"])
        )])
    );
    assert_eq!(reads.config_keys, BTreeSet::new());
    let tools = &reads.hook_tools;
    // The remote app's bag, the remote unit's, its own unit's and its own app's.
    assert!(tools["relation-get"] >= 4, "{tools:?}");
    assert!(tools["relation-set"] >= 1, "{tools:?}");
    assert!(tools.contains_key("is-leader"), "{tools:?}");
    assert!(!tools.contains_key("config-get"), "{tools:?}");
}

#[test]
fn peer_unit_bags_are_remote_and_the_shared_application_bag_is_not() {
    let reads = reads_of(cluster().changed_event().remote_unit(1));
    assert_eq!(
        reads.relation_keys,
        BTreeMap::from([("cluster".to_owned(), keys(&["address", "role"]))])
    );
    assert!(reads.hook_tools["relation-get"] >= 2, "{reads:?}");
}

#[test]
fn copying_bags_and_the_config_looks_up_every_key_present() {
    let reads = reads_of(Event::update_status());
    // `dict(bag)` takes each key a bag lists and looks it up: every key of the remote app's
    // and the remote unit's bags, and of the peer's (not of the shared application bag).
    assert_eq!(
        reads.relation_keys,
        BTreeMap::from([
            (
                "db".to_owned(),
                keys(&["host", "user", "ingress-address", "note"])
            ),
            ("cluster".to_owned(), keys(&["address", "other"])),
        ])
    );
    assert_eq!(
        reads.config_keys,
        keys(&["port", "mode", "debug", "unread"])
    );
}

#[test]
fn the_charm_sees_the_same_whether_reads_are_recorded_or_not() {
    let plain = ctx(CHARM);
    let recorder = recording();
    for event in events() {
        let off = plain.run(&event, &state()).unwrap();
        let mut on = recorder.run(&event, &state()).unwrap();
        assert!(on.reads.take().is_some());
        assert_eq!(on, off, "{}", event.event_name());
    }
    // update-status logged every bag and the config as it saw them.
    let out = recorder.run(Event::update_status(), &state()).unwrap();
    let line = logged_with(&out, "update-status: ");
    assert!(
        line.contains(r#""db:pg": [{"host": "pg.local", "user": "admin"}"#),
        "{line}"
    );
    // Each bag equals its copy, sorted or not, and has the same repr.
    assert_eq!(line.matches("true, true, true]").count(), 4, "{line}");
}

fn logged_with(out: &Output, start: &str) -> String {
    out.juju_log
        .iter()
        .find_map(|l| l.message.strip_prefix(start))
        .unwrap_or_else(|| panic!("no log starting {start:?}"))
        .to_owned()
}

#[test]
fn a_recorded_bag_behaves_as_a_plain_dict() {
    let checks = r#"
import copy, json, pickle
rel = self.model.get_relation('db')
d = rel.data[rel.app]._data
plain = {'host': 'pg.local', 'user': 'admin'}
assert type(d).__name__ == expected, type(d)
assert isinstance(d, dict)
assert dict(d) == plain and type(dict(d)) is dict
assert {**d} == plain and d.copy() == plain and type(d.copy()) is dict
assert list(d) == list(plain) and list(d.items()) == list(plain.items()) and len(d) == 2
assert d == plain and plain == d and not (d != plain)
assert json.dumps(d) == json.dumps(plain) and repr(d) == repr(plain) and str(d) == str(plain)
assert copy.copy(d) == plain and copy.deepcopy(d) == plain
assert pickle.loads(pickle.dumps(d)) == plain
assert d['host'] == 'pg.local' and d.get('nope') is None and d.get('nope', 1) == 1
assert 'user' in d and 'nope' not in d and 1 not in d and d.get(1) is None
try:
    d['nope']
except KeyError as e:
    assert e.args == ('nope',)
else:
    raise AssertionError('no KeyError')
w = copy.copy(d)
w['x'] = 'y'
w.update(z='1')
del w['x']
assert w.pop('z') == '1' and w == plain and d == plain
"#;
    for (record, expected) in [(false, "dict"), (true, "RecordingDict")] {
        let ctx = ctx(CHARM).record_reads(record);
        let script = format!("expected = {expected:?}\n{checks}");
        ctx.run_inspected(
            db().changed_event().remote_unit(0),
            &state(),
            ops_scenario::Inspect::new().after(|charm| charm.exec(&script)),
        )
        .unwrap_or_else(|e| panic!("record_reads({record}): {e}"));
    }
}

#[test]
fn reads_are_written_in_the_output_json_and_read_back() {
    let out = recording().run(Event::config_changed(), &state()).unwrap();
    let json = out.to_json();
    assert_eq!(json["reads"]["hook_tools"]["config-get"], 1);
    assert_eq!(
        json["reads"]["config_keys"],
        serde_json::json!(["also-missing", "debug", "mode", "no-such-option", "port"])
    );
    assert_eq!(json["reads"]["relation_keys"], serde_json::json!({}));
    let back: Output = serde_json::from_value(json).unwrap();
    assert_eq!(back, out);
    let options = ContextOptions {
        record_reads: true,
        ..ContextOptions::default()
    };
    assert_eq!(
        serde_json::to_value(&options).unwrap()["record_reads"],
        true
    );
}

#[test]
fn a_run_the_charm_ends_by_raising_keeps_what_it_read_until_then() {
    // Without `host` in the remote app's bag, `app_bag["host"]` raises KeyError: the lookup
    // that failed is recorded, and nothing after it.
    let state = State::default().relations([db().remote_app_data([("user", "admin")])]);
    let out = recording()
        .run_reporting_errors(db().changed_event().remote_unit(0), &state)
        .unwrap();
    assert_eq!(
        out.error.as_ref().map(|e| e.exc_type.as_str()),
        Some("KeyError")
    );
    let reads = out.reads.expect("recorded");
    assert_eq!(
        reads.relation_keys,
        BTreeMap::from([("db".to_owned(), keys(&["host"]))])
    );
    assert!(reads.hook_tools["relation-get"] >= 1, "{reads:?}");
}

#[test]
fn a_bag_loaded_but_never_looked_up_in_leaves_its_endpoint_out() {
    // `len(bag)` makes ops load the bag (a relation-get) without looking up any key.
    let ctx = recording();
    let out = ctx
        .run_inspected(
            Event::start(),
            &state(),
            ops_scenario::Inspect::new().after(|charm| {
                charm
                    .exec("rel = self.model.get_relation('db')\nassert len(rel.data[rel.app]) == 2")
            }),
        )
        .unwrap();
    let reads = out.reads.expect("recorded");
    assert_eq!(reads.hook_tools.get("relation-get"), Some(&1), "{reads:?}");
    assert_eq!(reads.relation_keys, BTreeMap::new());
}

#[test]
fn paths_pulled_from_a_container_are_recorded_there_or_not() {
    let ctx = ctx("fragile").record_reads(true);
    let web = Container::new("web").can_connect(true);
    let with_file = web.clone().files([("/etc/web/version", "1.2.3\n")]);
    let pulled = BTreeMap::from([("web".to_owned(), keys(&["/etc/web/version"]))]);
    let state = State::default().containers([with_file.clone()]);
    let out = ctx.run(with_file.pebble_ready_event(), &state).unwrap();
    assert_eq!(out.reads.unwrap().pulled_files, pulled);
    // Not there: the charm raises (PathError), and the record says what it pulled.
    let state = State::default().containers([web.clone()]);
    let out = ctx
        .run_reporting_errors(web.pebble_ready_event(), &state)
        .unwrap();
    assert!(out.error.is_some());
    assert_eq!(out.reads.unwrap().pulled_files, pulled);
}
