//! Exploration: a charm with seven planted bugs (tests/charms/fragile: a KeyError on a
//! missing relation key, a non-leader writing its application's databag, a crash on a
//! container that cannot connect, a crash only on the second of two events, a handler that
//! hangs on one config value, and two more) is explored with the default budget; each bug
//! is found once, shrunk to a minimal reproducer, and reproduced from the case file the
//! finding writes; the same seed split over two shards finds the same; a charm without bugs
//! gives no finding; the invariants find what they say.
//!
//! Minimal means: no step can be left out, nothing can be taken out of the State (a
//! relation, a remote unit, a databag key, a config option, a container, leadership) and no
//! value made simpler (an empty string, 0) without the failure going away. Each bug's assertions below spell that out for it.

use std::collections::BTreeMap;
use std::time::Duration;

use ops_scenario::explore::{Explorer, Finding, Invariants, Report};
use ops_scenario::{AnyRelation, ConfigValue, State};

use crate::common::{charm_dir, ctx};

fn names(finding: &Finding) -> Vec<&str> {
    finding
        .steps
        .iter()
        .map(|s| s.event.name.as_str())
        .collect()
}

/// Nothing in the State but what `keep` names.
fn only(state: &State, keep: &[&str]) {
    let present = [
        ("config", !state.config.is_empty()),
        ("relations", !state.relations.is_empty()),
        ("containers", !state.containers.is_empty()),
        ("storages", !state.storages.is_empty()),
        ("secrets", !state.secrets.is_empty()),
        ("stored", !state.stored_states.is_empty()),
        ("deferred", !state.deferred.is_empty()),
        ("leader", state.leader),
    ];
    for (what, there) in present {
        if there && !keep.contains(&what) {
            panic!("{what} left in the shrunk State: {state:?}");
        }
    }
}

#[test]
fn the_planted_bugs_are_found_shrunk_and_reproduced() {
    // A short time limit: one bug is a hang. (A run takes a few milliseconds; the margin is
    // for a loaded machine.)
    let ctx = ctx("fragile").timeout(Duration::from_millis(500));
    let report = Explorer::new(&ctx).seed(7).run();
    // ops 2.23 reads the databag before writing it, and Juju refuses a non-leader its own
    // application's databag (relation-get): a ModelError on the same line.
    let found: BTreeMap<&str, &Finding> = report
        .findings
        .iter()
        .map(|f| match f.key.exc_type.as_str() {
            "ops.model.ModelError" => ("ops.model.RelationDataAccessError", f),
            other => (other, f),
        })
        .collect();
    let expected = [
        ("ValueError", "src/charm.py:30 in _on_config_changed"),
        ("ops.pebble.ConnectionError", "src/charm.py:36 in _on_start"),
        ("KeyError", "src/charm.py:46 in _on_db_changed"),
        (
            "ops.model.RelationDataAccessError",
            "src/charm.py:51 in _on_website_joined",
        ),
        ("ops.pebble.PathError", "src/charm.py:55 in _on_web_ready"),
        ("IndexError", "src/charm.py:63 in _on_upgrade_charm"),
        ("Timeout", "src/charm.py in _on_update_status"),
    ];
    let keys: Vec<(&str, &str)> = found
        .iter()
        .map(|(exc, f)| (*exc, f.key.frame.as_str()))
        .collect();
    let mut want = expected.to_vec();
    want.sort();
    assert_eq!(keys, want, "{}", report.summary());

    // The port that is not a number: that option alone.
    let f = found["ValueError"];
    assert_eq!(names(f), ["config_changed"]);
    only(&f.state, &["config"]);
    assert_eq!(f.state.config.len(), 1, "{:?}", f.state);
    // And its value the simplest that breaks it.
    assert_eq!(f.state.config["port"], ConfigValue::String(String::new()));

    // Pebble not up at start: no container, or one that cannot connect.
    let f = found["ops.pebble.ConnectionError"];
    assert_eq!(names(f), ["start"]);
    only(&f.state, &["containers"]);
    assert!(
        f.state.containers.iter().all(|c| !c.can_connect),
        "{:?}",
        f.state
    );

    // The db relation with the one unit whose data has a host and no port.
    let f = found["KeyError"];
    assert_eq!(names(f), ["db_relation_changed"]);
    only(&f.state, &["relations"]);
    let [AnyRelation::Regular(db)] = f.state.relations.as_slice() else {
        panic!("{:?}", f.state)
    };
    assert_eq!(db.remote_units_data.len(), 1, "{db:?}");
    let unit = db.remote_units_data.values().next().unwrap();
    assert_eq!(unit.keys().collect::<Vec<_>>(), ["host"], "{db:?}");
    assert_eq!(unit.get("host").map(String::as_str), Some(""), "{db:?}");
    assert!(db.remote_app_data.is_empty(), "{db:?}");

    // A non-leader with the website relation, on its joined: leadership is not taken away
    // (that is the bug), and nothing else is there.
    let f = found["ops.model.RelationDataAccessError"];
    assert_eq!(names(f), ["website_relation_joined"]);
    only(&f.state, &["relations"]);
    assert!(!f.state.leader);
    assert_eq!(f.state.relations.len(), 1);
    assert_eq!(f.state.relations[0].endpoint(), "website");

    // The workload's file is missing: a connectable container, nothing else.
    let f = found["ops.pebble.PathError"];
    assert_eq!(names(f), ["web_pebble_ready"]);
    only(&f.state, &["containers"]);
    assert_eq!(f.state.containers.len(), 1);
    assert!(f.state.containers[0].can_connect);
    assert!(f.state.containers[0].layers.is_empty());

    // Only the second of two upgrades breaks, from a fresh unit: both steps stay.
    let f = found["IndexError"];
    assert_eq!(names(f), ["upgrade_charm", "upgrade_charm"]);
    only(&f.state, &[]);

    // Hangs on retries = 0, and only that option is left.
    let f = found["Timeout"];
    assert_eq!(names(f), ["update_status"]);
    // Where, as the frames say it: relative to the charm's directory.
    assert!(
        f.message
            .ends_with("in FragileCharm._on_update_status (src/charm.py)"),
        "{}",
        f.message
    );
    only(&f.state, &["config"]);
    assert_eq!(
        f.state.config,
        BTreeMap::from([("retries".to_owned(), ConfigValue::Int(0))])
    );

    // Each case file reproduces its finding, steps included.
    let dir = tempfile::tempdir().unwrap();
    for (i, finding) in report.findings.iter().enumerate() {
        let path = dir.path().join(format!("finding-{i}.json"));
        let case = finding.case(&charm_dir("fragile"), &ctx);
        assert_eq!(case.steps.len() + 1, finding.steps.len());
        std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap()).unwrap();
        let case = ops_scenario::case::Case::load(&path).unwrap();
        let out = case.run(dir.path());
        let error = out.unwrap().error.expect("the case reproduces the finding");
        assert_eq!(error.exc_type, finding.key.exc_type);
        let test = finding.rust_test("explore_finding", &path);
        assert!(
            test.contains("fn explore_finding()") && test.contains("Case::load"),
            "{test}"
        );
    }
    // Some walks started from the stored state the learning walks saw the charm keep.
    assert!(report.resumed > 0, "{}", report.summary());
    // The file the charm pulls was learned, and given to it in later walks: its workload
    // version was set (the pull succeeded).
    assert!(report.files_pulled["web"].contains("/etc/web/version"));
    assert!(
        report.hook_tools.contains_key("application-version-set"),
        "{}",
        report.summary()
    );
    // Every State drawn, and every step, was one the checker accepts.
    assert_eq!(report.rejected, 0, "{:?}", report.refusals);

    // The same seed over two shards: the same walks, the same findings.
    let single = Explorer::new(&ctx).seed(7).walks(30).run();
    let mut merged = Report {
        seed: 7,
        ..Report::default()
    };
    for shard in 0..2 {
        merged.merge(Explorer::new(&ctx).seed(7).walks(30).shard(shard, 2).run());
    }
    assert_eq!(merged.walks, 30);
    assert_eq!(merged.events, single.events);
    assert_eq!(merged.findings, single.findings);
    // And the first 30 walks of the whole exploration were those.
    let first: Vec<&Finding> = report.findings.iter().filter(|f| f.walk < 30).collect();
    assert_eq!(first, single.findings.iter().collect::<Vec<_>>());
}

#[test]
fn keys_the_charm_looks_up_are_learned_and_given_back_with_awkward_values() {
    // `api-version` is in no list of common keys: only what the charm looked up in the
    // learning walks brings it.
    let ctx = ctx("picky");
    let report = Explorer::new(&ctx)
        .seed(5)
        .walks(60)
        .invariants(Invariants::none())
        .run();
    assert!(
        report.keys_read["api"].contains("api-version"),
        "{}",
        report.summary()
    );
    assert!(
        report.hook_tools["relation-get"] > 0,
        "{}",
        report.summary()
    );
    let [finding] = report.findings.as_slice() else {
        panic!("{}", report.summary())
    };
    assert_eq!(finding.key.exc_type, "ValueError");
    assert!(
        finding.walk >= 8,
        "found after the learning walks: {}",
        report.summary()
    );
    assert_eq!(names(finding), ["api_relation_changed"]);
    only(&finding.state, &["relations"]);
    let [AnyRelation::Regular(api)] = finding.state.relations.as_slice() else {
        panic!("{:?}", finding.state)
    };
    assert_eq!(
        api.remote_app_data.keys().collect::<Vec<_>>(),
        ["api-version"]
    );
}

#[test]
fn a_charm_without_bugs_gives_no_finding() {
    let ctx = ctx("null");
    let report = Explorer::new(&ctx).seed(1).walks(20).run();
    assert!(report.findings.is_empty(), "{}", report.summary());
    assert_eq!(report.walks, 20);
    assert!(report.events["install"] >= 1, "{}", report.summary());
}

#[test]
fn invariants_are_findings_shrunk_like_exceptions() {
    // The lazy charm leaves its status unknown until update-status, and defers its db
    // relation's events for ever.
    let ctx = ctx("lazy");
    let report = Explorer::new(&ctx)
        .seed(3)
        .walks(40)
        .steps(12)
        .invariants(Invariants {
            max_deferred: Some(2),
            ..Invariants::default()
        })
        .invariant("no-blocked", |_, _, out| {
            match out.state.unit_status.name() {
                "blocked" => Err(format!("blocked: {}", out.state.unit_status.message())),
                _ => Ok(()),
            }
        })
        .run();
    let found: BTreeMap<&str, &Finding> = report
        .findings
        .iter()
        .map(|f| (f.key.exc_type.as_str(), f))
        .collect();
    assert_eq!(
        found.keys().copied().collect::<Vec<_>>(),
        [
            "invariant: deferred-queue",
            "invariant: no-blocked",
            "invariant: status-after-start"
        ],
        "{}",
        report.summary()
    );
    // Three distinct db events (ops keeps one of two identical deferred events), on the db
    // relation alone.
    let f = found["invariant: deferred-queue"];
    assert_eq!(f.steps.len(), 3, "{:?}", f.steps);
    assert!(
        names(f).iter().all(|n| n.starts_with("db_relation_")),
        "{:?}",
        f.steps
    );
    only(&f.state, &["relations"]);
    // Juju's start-up, whole, from a fresh unit.
    let f = found["invariant: status-after-start"];
    assert_eq!(names(f).last(), Some(&"start"), "{:?}", f.steps);
    assert_eq!(names(f)[0], "install");
    // Blocked on config-changed with the `mode` option set to something it does not know.
    let f = found["invariant: no-blocked"];
    assert_eq!(names(f), ["config_changed"]);
    only(&f.state, &["config"]);
}

#[test]
fn on_juju_4_the_walks_send_only_what_juju_4_sends() {
    let ctx = ctx("fragile")
        .juju_version("4.0.16")
        .timeout(Duration::from_millis(500));
    let report = Explorer::new(&ctx).seed(2).walks(20).run();
    // No leader-settings-changed in a non-leader's start-up: the checker refuses none.
    assert_eq!(report.rejected, 0, "{:?}", report.refusals);
    assert!(
        !report.events.contains_key("leader_settings_changed"),
        "{}",
        report.summary()
    );
}
