//! Storage: storage-attached and storage-detaching for each instance, the instance's
//! directory (made when the charm asks for its location, readable after the run, kept across
//! the runs of one Context and removed with it), storage-list, storage-get and storage-add
//! with Juju's limits and errors, `requested_storages`, and the checker's storage rules.

use std::path::{Path, PathBuf};

use crate::common::{assert_logged, charm_logs, ctx, probe, rules, violated};

const CHARM: &str = "storage-db";
use ops_scenario::{Event, Output, State, Status, Storage};

/// The directory the charm logged for `id` (`attached data/0 at <dir>`).
fn logged_dir(out: &Output, verb: &str, id: &str) -> PathBuf {
    let prefix = format!("INFO {verb} {id} at ");
    let line = charm_logs(out)
        .into_iter()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in {:?}", charm_logs(out)));
    let rest = &line[prefix.len()..];
    PathBuf::from(rest.split(": ").next().unwrap())
}

fn data(index: u32) -> Storage {
    Storage::new("data").index(index)
}

#[test]
fn attached_writes_into_the_instance_and_the_test_reads_it_after_the_run() {
    let ctx = ctx(CHARM);
    let state = State::default().storages([data(0)]);
    let out = ctx.run(data(0).attached_event(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("data: 1"));
    assert_logged(&out, "INFO data instances: [0]");
    let dir = logged_dir(&out, "attached", "data/0");
    assert!(dir.ends_with("data-0"), "{}", dir.display());
    assert_eq!(
        std::fs::read_to_string(dir.join("marker.txt")).unwrap(),
        "written by storage-db/0\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("own.txt")).unwrap(),
        "data/0\n"
    );
    // The storage stays attached, and the State does not record files.
    assert_eq!(out.state.storages, [data(0)]);
    let root = dir.parent().unwrap().to_owned();
    drop(ctx);
    assert!(!root.exists(), "the Context's storage root outlived it");
}

#[test]
fn a_test_finds_seeds_and_reads_an_instances_directory_through_the_context() {
    let ctx = ctx(CHARM);
    // A test can fill the directory before the run; the charm sees what it put there.
    let dir = ctx.storage_dir(&data(0)).unwrap();
    assert!(dir.is_dir() && dir.ends_with("data-0"));
    std::fs::write(dir.join("marker.txt"), "seeded\n").unwrap();
    let state = State::default().storages([data(0)]);
    let out = ctx.run(data(0).detaching_event(), &state).unwrap();
    assert_eq!(logged_dir(&out, "detaching", "data/0"), dir);
    assert!(
        charm_logs(&out).iter().any(|l| l.ends_with(": seeded")),
        "{:?}",
        charm_logs(&out)
    );
    // And read what the charm wrote, after the run.
    let out = ctx.run(data(0).attached_event(), &state).unwrap();
    assert_eq!(logged_dir(&out, "attached", "data/0"), dir);
    assert_eq!(
        std::fs::read_to_string(ctx.storage_dir(&data(0)).unwrap().join("own.txt")).unwrap(),
        "data/0\n"
    );
    drop(ctx);
    assert!(!dir.exists());
}

#[test]
fn a_second_instance_gets_its_own_directory_next_to_the_first() {
    let ctx = ctx(CHARM);
    let state = State::default().storages([data(0), data(2)]);
    let out = ctx.run(data(2).attached_event(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("data: 2"));
    let second = logged_dir(&out, "attached", "data/2");
    assert!(second.ends_with("data-2"));
    assert_eq!(
        std::fs::read_to_string(second.join("own.txt")).unwrap(),
        "data/2\n"
    );
    // The marker goes into the first instance, data/0, which is a sibling directory.
    let first = second.parent().unwrap().join("data-0");
    assert_eq!(
        std::fs::read_to_string(first.join("marker.txt")).unwrap(),
        "written by storage-db/0\n"
    );
    assert!(!second.join("marker.txt").exists());
}

#[test]
fn runs_of_one_context_share_the_directories_and_detaching_reads_them() {
    let ctx = ctx(CHARM);
    let state = State::default().storages([data(0)]);
    let attached = ctx.run(data(0).attached_event(), &state).unwrap();
    let dir = logged_dir(&attached, "attached", "data/0");
    let out = ctx.run(data(0).detaching_event(), &attached.state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::maintenance("detaching data/0")
    );
    assert_eq!(logged_dir(&out, "detaching", "data/0"), dir);
    assert_logged(
        &out,
        &format!(
            "INFO detaching data/0 at {}: written by storage-db/0",
            dir.display()
        ),
    );
    // Another Context has its own, empty directories.
    let other = crate::common::ctx(CHARM)
        .run(data(0).detaching_event(), &state)
        .unwrap();
    let other_dir = logged_dir(&other, "detaching", "data/0");
    assert_ne!(other_dir, dir);
    assert!(charm_logs(&other)
        .iter()
        .any(|l| l.ends_with(": no marker")));
}

#[test]
fn block_storage_gets_a_directory_too() {
    let ctx = ctx(CHARM);
    let scratch = Storage::new("scratch");
    let state = State::default().storages([scratch.clone()]);
    let out = ctx.run(scratch.attached_event(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active("scratch attached"));
    let line = charm_logs(&out)
        .into_iter()
        .find(|l| l.starts_with("INFO scratch 0 at "))
        .unwrap();
    let dir = Path::new(line.trim_start_matches("INFO scratch 0 at "));
    assert!(dir.is_dir() && dir.ends_with("scratch-0"));
}

#[test]
fn a_directory_is_made_only_when_the_charm_asks_for_it() {
    let ctx = ctx(CHARM);
    let state = State::default()
        .storages([data(0), data(1)])
        .config([("probe", "list".into())]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert_logged(&out, "INFO probe list: data=[0, 1] scratch=[]");
    // storage-list keeps the State's order, so here data/1 is the charm's first instance and
    // gets the marker; data/0's location is never asked for, in this run or the last.
    let state = State::default().storages([data(1), data(0)]);
    let out = ctx.run(data(1).attached_event(), &state).unwrap();
    let dir = logged_dir(&out, "attached", "data/1");
    assert!(dir.join("marker.txt").is_file());
    let mut made: Vec<_> = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    made.sort();
    assert_eq!(made, ["data-1"]);
}

#[test]
fn locations_are_one_directory_per_instance() {
    let (_, result) = probe(
        CHARM,
        State::default().storages([data(0), data(2)]),
        "locations",
    );
    let dirs: Vec<(&str, &Path)> = result
        .split(' ')
        .map(|pair| {
            let (id, dir) = pair.split_once('=').unwrap();
            (id, Path::new(dir))
        })
        .collect();
    assert_eq!(dirs.len(), 2, "{result}");
    assert_eq!(dirs[0].0, "data/0");
    assert!(dirs[0].1.ends_with("data-0"));
    assert_eq!(dirs[1].0, "data/2");
    assert!(dirs[1].1.ends_with("data-2"));
    assert_eq!(dirs[0].1.parent(), dirs[1].1.parent());
}

#[test]
fn config_changed_requests_more_instances() {
    let state = State::default().storages([data(0)]);
    let out = ctx(CHARM).run(Event::config_changed(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::maintenance("requested 2 data")
    );
    assert_eq!(out.requested_storages.len(), 1);
    assert_eq!(out.requested_storages["data"], 2);
    // Requesting does not attach anything in this run.
    assert_eq!(out.state.storages, [data(0)]);
    assert_eq!(out.to_json()["requested_storages"]["data"], 2);
}

#[test]
fn requests_add_up_within_a_run() {
    let (out, result) = probe(CHARM, State::default().storages([data(0)]), "request-twice");
    assert_eq!(result, "requested");
    assert_eq!(out.requested_storages["data"], 2);
}

#[test]
fn a_request_past_the_metadata_maximum_fails_with_jujus_message() {
    let state = State::default()
        .storages([data(0)])
        .config([("request", 3.into())]);
    let out = ctx(CHARM).run(Event::config_changed(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("cannot add storage"));
    insta::assert_snapshot!("past_the_maximum", charm_logs(&out).join("\n"));
    assert!(out.requested_storages.is_empty());
}

#[test]
fn singular_storage_cannot_grow() {
    let (out, result) = probe(
        CHARM,
        State::default().storages([data(0), Storage::new("scratch")]),
        "singular",
    );
    insta::assert_snapshot!("singular", result);
    assert!(out.requested_storages.is_empty());
}

#[test]
fn storage_tools_refuse_what_juju_and_ops_refuse() {
    let state = || State::default().storages([data(0), Storage::new("scratch")]);
    let (_, kind) = probe(CHARM, state(), "kind");
    assert_eq!(kind, "filesystem block");
    // Juju's refusals, in storage-get's words.
    let refusals: Vec<String> = ["not-attached", "bad-attribute"]
        .into_iter()
        .map(|name| format!("{name}: {}", probe(CHARM, state(), name).1))
        .collect();
    insta::assert_snapshot!("storage_get_refusals", refusals.join("\n"));
    // ops' own refusals, before any hook tool: its wording is its own, from release to release.
    let (_, empty) = probe(CHARM, state(), "empty-attribute");
    assert!(
        empty.starts_with("RuntimeError: calling storage_get with `attribute=\"\"`"),
        "{empty}"
    );
    // ops itself refuses names its metadata does not declare.
    let (_, unknown) = probe(CHARM, state(), "unknown-name");
    assert_eq!(
        unknown,
        "ModelError: cannot add storage 'logs': it is not present in the charm metadata"
    );
    let (_, key) = probe(CHARM, state(), "undeclared-key");
    assert!(key.starts_with("KeyError: "), "{key}");
    let (out, count) = probe(CHARM, state(), "bad-count");
    assert!(
        count.starts_with("TypeError: storage count must be integer"),
        "{count}"
    );
    assert!(out.requested_storages.is_empty());
}

#[test]
fn the_checker_reports_storage_events_and_storages_that_cannot_be() {
    let ctx = ctx(CHARM);
    let violated_by = |event: &Event, state: &State| violated(&ctx, event, state);
    let state = State::default().storages([data(0)]);
    assert!(violated_by(&data(0).attached_event(), &state).is_empty());
    assert_eq!(
        violated_by(&Event::new("data_storage_attached"), &state),
        ["storage.missing"]
    );
    assert_eq!(
        violated_by(&data(1).attached_event(), &state),
        ["storage.not_in_state"]
    );
    assert_eq!(
        violated_by(&Storage::new("logs").attached_event(), &state),
        ["event.unknown"]
    );
    let mut start = Event::start();
    start.storage = data(0).attached_event().storage;
    assert_eq!(violated_by(&start, &state), ["event.args"]);
    let crowded = State::default().storages([data(0), data(0), Storage::new("dta")]);
    let mut got = violated_by(&Event::start(), &crowded);
    got.sort();
    assert_eq!(got, ["storage.duplicate", "storage.undeclared"]);
    let too_many = State::default().storages([data(0), data(1), data(2), data(3)]);
    assert_eq!(violated_by(&Event::start(), &too_many), ["storage.count"]);
    // And a run refuses them before the charm runs.
    let err = ctx
        .run(data(1).attached_event(), &state)
        .expect_err("an unattached storage's event runs");
    assert_eq!(rules(err), ["storage.not_in_state"]);
}

#[test]
fn storage_events_round_trip_as_json() {
    let event = data(3).attached_event();
    let json = serde_json::to_value(&event).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"name": "data_storage_attached", "storage": {"name": "data", "index": 3}})
    );
    let back: Event = serde_json::from_value(json).unwrap();
    assert_eq!(back, event);
    let state: State =
        serde_json::from_value(serde_json::json!({"storages": [{"name": "data"}]})).unwrap();
    assert_eq!(state.storages, [data(0)]);
}
