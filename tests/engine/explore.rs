//! Exploration: a charm with four planted bugs (one a hang) (tests/charms/fragile) is walked from a seed;
//! each bug is found once, shrunk to a minimal State, and reproduced from the case file the
//! finding writes; a charm without bugs gives no finding; the same seed gives the same report.

use std::collections::BTreeSet;

use ops_scenario::explore::Explorer;
use ops_scenario::AnyRelation;

use crate::common::{charm_dir, ctx};

#[test]
fn the_planted_bugs_are_found_shrunk_and_reproduced() {
    // A short time limit: one bug is a hang.
    let ctx = ctx("fragile").timeout(std::time::Duration::from_millis(300));
    let report = Explorer::new(&ctx).seed(7).walks(150).run();
    let found: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .map(|f| (f.key.exc_type.clone(), f.key.frame.clone()))
        .collect();
    assert_eq!(
        found,
        BTreeSet::from([
            (
                "ValueError".into(),
                "src/charm.py:19 in _on_config_changed".into()
            ),
            (
                "KeyError".into(),
                "src/charm.py:29 in _on_db_changed".into()
            ),
            (
                "ops.pebble.PathError".into(),
                "src/charm.py:33 in _on_web_ready".into()
            ),
            (
                "Timeout".into(),
                "src/charm.py:40 in _on_update_status".into()
            ),
        ]),
        "{}",
        report.summary()
    );
    for finding in &report.findings {
        let state = &finding.state;
        match finding.event.name.as_str() {
            // Only the option that breaks it is left.
            "config_changed" => {
                assert_eq!(state.config.len(), 1, "{state:?}");
                assert!(
                    state.relations.is_empty() && state.containers.is_empty(),
                    "{state:?}"
                );
            }
            // The db relation with the one unit whose data lacks a port; nothing else.
            "db_relation_changed" => {
                assert_eq!(state.relations.len(), 1, "{state:?}");
                let AnyRelation::Regular(db) = &state.relations[0] else {
                    panic!("{state:?}")
                };
                assert_eq!(db.remote_units_data.len(), 1, "{db:?}");
                // Only the key that makes it fail is left: a host, and no port.
                let unit = db.remote_units_data.values().next().unwrap();
                assert_eq!(unit.keys().collect::<Vec<_>>(), ["host"], "{db:?}");
                assert!(
                    state.config.is_empty() && state.containers.is_empty(),
                    "{state:?}"
                );
            }
            "web_pebble_ready" => {
                assert_eq!(state.containers.len(), 1, "{state:?}");
                assert!(
                    state.relations.is_empty() && state.config.is_empty(),
                    "{state:?}"
                );
            }
            // The peer relation with its two peers; nothing else.
            "update_status" => {
                assert_eq!(state.relations.len(), 1, "{state:?}");
                assert_eq!(state.relations[0].remote_unit_ids().len(), 2, "{state:?}");
                assert!(
                    state.config.is_empty() && state.containers.is_empty(),
                    "{state:?}"
                );
            }
            other => panic!("unexpected finding on {other}: {}", report.summary()),
        }
        // The case file reproduces it.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("finding.json");
        let case = finding.case(&charm_dir("fragile"), &ctx);
        std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap()).unwrap();
        let out = ops_scenario::case::Case::load(&path)
            .unwrap()
            .run(dir.path())
            .unwrap();
        let error = out.error.expect("the case reproduces the finding");
        assert_eq!(error.exc_type, finding.key.exc_type);
        let test = finding.rust_test("explore_finding", &path);
        assert!(
            test.contains("fn explore_finding()") && test.contains("Case::load"),
            "{test}"
        );
    }
    // Every State drawn, and every step, was one the checker accepts.
    assert_eq!(report.rejected, 0, "{:?}", report.refusals);
    // The same seed, the same report.
    let again = Explorer::new(&ctx).seed(7).walks(150).run();
    assert_eq!(again.summary(), report.summary());
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
fn on_juju_4_the_walks_send_only_what_juju_4_sends() {
    let ctx = ctx("fragile")
        .juju_version("4.0.16")
        .timeout(std::time::Duration::from_millis(300));
    let report = Explorer::new(&ctx).seed(2).walks(20).run();
    // No leader-settings-changed in a non-leader's start-up: the checker refuses none.
    assert_eq!(report.rejected, 0, "{:?}", report.refusals);
    assert!(
        !report.events.contains_key("leader_settings_changed"),
        "{}",
        report.summary()
    );
}
