//! What changes with `juju_version`: Juju 4 has no series upgrades, metrics, podspec or leader
//! settings (the checker refuses the events, the tools are missing), and ops 3.9 notes which
//! hook tool failed on the error it raises.

use ops_scenario::{AnyRelation, Event, Relation, State, Status};

use crate::common::{ctx_from_source, ops_version, raised, rules};

const CHARM: &str = r#"
import ops


class Versions(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.collect_metrics, self._on_collect_metrics)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)

    def _on_db_changed(self, event):
        mine = event.relation.data[self.unit]
        theirs = event.relation.data[event.unit]
        self.unit.status = ops.ActiveStatus(
            f"mine={mine.get('private-address')} theirs={theirs.get('private-address')} "
            f"ingress={mine.get('ingress-address')}"
        )

    def _on_start(self, event):
        try:
            self.model.get_secret(label="nowhere")
        except ops.SecretNotFoundError as e:
            self.unit.status = ops.ActiveStatus(" | ".join(getattr(e, "__notes__", ["no note"])))

    def _on_config_changed(self, event):
        self.model._backend.pod_spec_set({"containers": []})

    def _on_collect_metrics(self, event):
        event.add_metrics({"requests": 3})
"#;

const META: &str = "name: versions\nrequires:\n  db:\n    interface: pgsql\n";

fn ctx(juju: &str) -> ops_scenario::Context {
    ctx_from_source(CHARM, META).juju_version(juju)
}

#[test]
fn juju_4_never_sends_series_upgrades_metrics_or_leader_settings() {
    let events = [
        Event::pre_series_upgrade(),
        Event::post_series_upgrade(),
        Event::collect_metrics(),
        Event::leader_settings_changed(),
    ];
    for event in events {
        let refused = ctx("4.0.16").run(event.clone(), &State::default());
        assert_eq!(rules(refused), ["event.not_in_juju"], "{}", event.name);
        // Juju 3.6 still has them (collect-metrics only warns there: 3.6.11 dropped metrics).
        let warnings = ctx("3.6.14").check(&event, &State::default()).unwrap();
        assert!(
            warnings.iter().all(|w| w.rule.id() != "event.not_in_juju"),
            "{}: {warnings:?}",
            event.name
        );
    }
    let err = ctx("4.0.0")
        .run(Event::leader_settings_changed(), &State::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Juju 4.0.0 never dispatches leader-settings-changed"),
        "{err}"
    );
}

#[test]
fn juju_4_has_no_add_metric_or_pod_spec_set_tool() {
    // ops 3 runs hook tools through ops.hookcmds, which lets a missing executable's
    // FileNotFoundError through; ops 2's `_run` turns it into RuntimeError.
    let (missing_type, missing_text) = if ops_version().0 >= 3 {
        (
            "FileNotFoundError",
            "[Errno 2] No such file or directory: 'pod-spec-set'",
        )
    } else {
        ("RuntimeError", "command not found: pod-spec-set")
    };
    let (exc_type, message) = raised(ctx("4.0.16").run(Event::config_changed(), &State::default()));
    assert_eq!(
        (exc_type.as_str(), message.as_str()),
        (missing_type, missing_text)
    );
    // On Juju 3 the tool is there and refuses (podspec charms need Juju 2.9).
    let (exc_type, _) = raised(ctx("3.6.14").run(Event::config_changed(), &State::default()));
    assert_eq!(exc_type, "ops.model.ModelError");

    // The checker refuses collect-metrics on Juju 4; run unchecked, the tool is still missing.
    let unchecked = ctx("4.0.16").skip_consistency_checks(true);
    let (exc_type, message) = raised(unchecked.run(Event::collect_metrics(), &State::default()));
    assert_eq!(exc_type, missing_type);
    assert!(message.contains("add-metric"), "{message}");
    let out = ctx("3.6.10")
        .run(Event::collect_metrics(), &State::default())
        .unwrap();
    assert_eq!(out.added_metrics.len(), 1);
}

#[test]
fn a_failed_hook_tool_s_error_carries_ops_note() {
    let out = ctx("3.6.14")
        .run(Event::start(), &State::default())
        .unwrap();
    let expected = if ops_version() >= (3, 9) {
        "Hook command 'secret-get' (label='nowhere', refresh=False, peek=False) failed during the 'start' hook."
    } else {
        // ops before 3.9 adds no note.
        "no note"
    };
    assert_eq!(out.state.unit_status, Status::active(expected));
}

#[test]
fn juju_4_writes_no_private_address_into_unit_databags() {
    let db = Relation::new("db");
    let state = State::default().relations([db.clone()]);
    let event = db.changed_event().remote_unit(0);
    let out = ctx("3.6.14").run(event.clone(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("mine=192.0.2.0 theirs=192.0.2.0 ingress=192.0.2.0")
    );
    let out = ctx("4.0.16").run(event, &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("mine=None theirs=None ingress=192.0.2.0")
    );
    // The key is back in the output State, which keeps the input's shape.
    let AnyRelation::Regular(after) = &out.state.relations[0] else {
        panic!("a regular relation")
    };
    assert_eq!(after.local_unit_data, db.local_unit_data);
    assert_eq!(after.remote_units_data, db.remote_units_data);
}

#[test]
fn ops_reads_the_actions_default_for_undeclared_params_from_the_juju_version() {
    // ops' ActionMeta takes `additionalProperties`' default from JUJU_VERSION as the charm's
    // metadata is read (False from Juju 4; checked in ops 2.23 and 3.9; ops 2.16 always says
    // True).
    if ops_version() < (2, 23) {
        return;
    }
    let seen = |juju: &str| {
        crate::common::eval(
            &crate::common::ctx("action-backup").juju_version(juju),
            &State::default(),
            "self.meta.actions['backup'].additional_properties",
        )
    };
    assert_eq!(seen("3.6.14"), ops_scenario::StoredValue::Bool(true));
    assert_eq!(seen("4.0.16"), ops_scenario::StoredValue::Bool(false));
    assert_eq!(seen("3.6.14"), ops_scenario::StoredValue::Bool(true));
}

#[test]
fn times_are_read_as_ops_reads_hook_tools_rfc_3339() {
    // Juju 4 prints times with nanoseconds; ops' own parser reads any number of fractional
    // digits and a `Z` (rounding to microseconds), as the shim now does for secret-info-get.
    let secret = ops_scenario::Secret::new([("key", "v")])
        .id("secret:bbbbbbbbbbbbbbbbbbbb")
        .owner(ops_scenario::SecretOwner::App)
        .expire("2026-11-25T12:00:00.123456789Z");
    let state = State::default().leader(true).secrets([secret]);
    let expires = crate::common::eval(
        &ctx("4.0.16"),
        &state,
        "self.model.get_secret(id='secret:bbbbbbbbbbbbbbbbbbbb').get_info().expires.isoformat()",
    );
    assert_eq!(
        expires,
        ops_scenario::StoredValue::from("2026-11-25T12:00:00.123457+00:00")
    );
}

#[test]
fn an_authorisation_failure_is_ops_security_event() {
    // ops 3.9 logs a security event when a hook tool is refused for lack of authorisation,
    // with the leadership it last read (here: not the leader, so no "(as leader)").
    let out = crate::common::exec(
        &ctx("3.6.14"),
        &State::default(),
        "import ops\n\
         self.unit.is_leader()\n\
         try:\n    self.model._backend.status_set('active', 'x', is_app=True)\n\
         except ops.ModelError:\n    pass\n",
    )
    .unwrap();
    let events: Vec<_> = out
        .juju_log
        .iter()
        .filter(|line| line.message.contains("\"type\": \"security\""))
        .map(|line| line.message.clone())
        .collect();
    if ops_version() < (3, 9) {
        assert!(events.is_empty(), "{events:?}");
        return;
    }
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        events[0].contains(
            "Hook command 'status-set' failed with code 1: 'ERROR setting application status: this unit is not the leader'."
        ),
        "{}",
        events[0]
    );
}

/// ops 3.9 reads `_event_is_deferred` (set by its framework) and `_peer_endpoints` (set by
/// its `_Manager`, here by the shim) off the backend.
const DEFERRED_CHARM: &str = r#"
import ops


class DeferredNote(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event):
        try:
            self.model.get_secret(label="nowhere")
        except ops.SecretNotFoundError as e:
            note = " | ".join(getattr(e, "__notes__", ["no note"]))
        peers = sorted(getattr(self.model._backend, "_peer_endpoints", ["(none)"]))
        self.unit.status = ops.ActiveStatus(f"{note} peers={peers}")
"#;

#[test]
fn the_note_says_when_the_event_was_deferred() {
    let ctx = ctx_from_source(
        DEFERRED_CHARM,
        "name: deferred-note\npeers:\n  cluster:\n    interface: c\n",
    );
    let state = State::default().deferred([Event::start().deferred("DeferredNote", "_on_start")]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    let expected = if ops_version() >= (3, 9) {
        "Hook command 'secret-get' (label='nowhere', refresh=False, peek=False) failed during \
         the 'update-status' hook while handling the deferred 'start' event. peers=['cluster']"
    } else {
        "no note peers=['(none)']"
    };
    assert_eq!(out.state.unit_status, Status::active(expected));
}
