//! The consistency checker: does the State and Event make sense for this charm?
//!
//! Pure per-concern checks over the metadata, the options, the event and the run's prepared
//! input (the normalised State and the event resolved against it, which the hook tools and
//! the runtime read too); every check runs and all violations are reported together. Warnings
//! are returned, never printed. Relation and network rules are in `relation.rs`.

mod action;
mod container;
mod names;
mod relation;
mod secret;
mod storage;
mod suggest;

use crate::charm::{CharmMeta, ConfigType};
use crate::error::{Rule, Violation};
use crate::event::{Event, EventKind, Prepared};
use crate::options::{ContextOptions, JujuVersion, JUJU_4};
use crate::state::{ConfigValue, State, StoredValue};
use suggest::suggest;
pub(crate) use suggest::{closest, unknown_event_hint};

/// What the checker found.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub errors: Vec<Violation>,
    pub warnings: Vec<Violation>,
}

/// Run every check.
pub(crate) fn check(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    prepared: &Prepared,
) -> Checked {
    let state = &prepared.state;
    let mut checked = Checked::default();
    check_context(options, &mut checked);
    names::check(meta, &mut checked);
    check_config(meta, options, state, &mut checked);
    check_event(meta, options, event, prepared, &mut checked);
    relation::check_relations(meta, options, state, &mut checked);
    relation::check_networks(meta, state, &mut checked);
    container::check_containers(meta, state, &mut checked);
    secret::check(meta, options, event, prepared, &mut checked);
    action::check(meta, options, event, state, &mut checked);
    storage::check(meta, options, event, state, &mut checked);
    check_stored_states(state, &mut checked);
    check_deferred(state, &mut checked);
    relation::check_deferred_relation_events(state, &mut checked);
    checked
}

fn check_context(options: &ContextOptions, out: &mut Checked) {
    if JujuVersion::parse(&options.juju_version).is_none() {
        out.errors.push(
            Violation::new(
                Rule::ContextJujuVersion,
                format!("{:?} is not a Juju version", options.juju_version),
            )
            .hint("write it as Juju does, like \"3.6.14\""),
        );
    }
}

fn check_config(meta: &CharmMeta, options: &ContextOptions, state: &State, out: &mut Checked) {
    for (key, value) in &state.config {
        let Some(option) = meta.config_options.get(key) else {
            let v = Violation::new(
                Rule::ConfigUndeclared,
                format!("option {key:?} is not declared in the charm's config"),
            );
            out.errors.push(v.hint(suggest(
                key,
                meta.config_options.keys().map(String::as_str),
                "config options",
            )));
            continue;
        };
        let Some(option_type) = option.option_type.as_ref() else {
            out.errors.push(
                Violation::new(
                    Rule::ConfigMissingType,
                    format!("option {key:?} declares no type"),
                )
                .hint("add `type:` (string, int, float, boolean or secret) to the option"),
            );
            continue;
        };
        let expected = match option_type {
            ConfigType::String => matches!(value, ConfigValue::String(_)),
            ConfigType::Int => matches!(value, ConfigValue::Int(_)),
            ConfigType::Float => matches!(value, ConfigValue::Float(_) | ConfigValue::Int(_)),
            ConfigType::Boolean => matches!(value, ConfigValue::Bool(_)),
            ConfigType::Secret => {
                let juju = JujuVersion::parse(&options.juju_version);
                if juju.is_some_and(|v| v < JujuVersion(3, 4, 0)) {
                    out.errors.push(Violation::new(
                        Rule::ConfigUnknownType,
                        format!("option {key:?} is a secret, which needs Juju 3.4 or later (the Context has {})", options.juju_version),
                    ));
                    continue;
                }
                match value {
                    ConfigValue::String(s) if is_secret_uri(s) => true,
                    ConfigValue::String(s) => {
                        out.errors.push(
                            Violation::new(
                                Rule::ConfigSecretId,
                                format!("option {key:?} is a secret, but {s:?} is not a secret id"),
                            )
                            .hint("use the id of a secret: \"secret:\" followed by 20 characters of [0-9a-z]"),
                        );
                        continue;
                    }
                    _ => false,
                }
            }
            ConfigType::Unknown(other) => {
                out.errors.push(
                    Violation::new(
                        Rule::ConfigUnknownType,
                        format!("option {key:?} has unknown type {other:?}"),
                    )
                    .hint("the types are string, int, float, boolean and secret"),
                );
                continue;
            }
        };
        if !expected {
            out.errors.push(Violation::new(
                Rule::ConfigType,
                format!(
                    "option {key:?} is {option_type}, the State gives {} {value}",
                    value.type_name()
                ),
            ));
        }
    }
}

fn is_secret_uri(s: &str) -> bool {
    let id = match s.strip_prefix("secret://") {
        Some(rest) => rest.rsplit('/').next().unwrap_or(""),
        None => s.strip_prefix("secret:").unwrap_or(""),
    };
    id.len() == 20
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
}

/// Events Juju 4 never dispatches. Its hook kinds (internal/charm/hooks/hooks.go on main) have
/// no `pre-series-upgrade`, `post-series-upgrade` or `collect-metrics`; `leader-settings-changed`
/// follows a change of the leader settings, which only `leader-set` made, and Juju 4's hook
/// tools have no `leader-set` (jujuc/server.go, `leaderCommands`).
const NOT_IN_JUJU_4: [&str; 4] = [
    "pre_series_upgrade",
    "post_series_upgrade",
    "collect_metrics",
    "leader_settings_changed",
];

/// A lifecycle event the Context's Juju never sends is an error: the test would cover a hook
/// no unit on that Juju runs.
fn check_dispatched_by_juju(options: &ContextOptions, name: &str, out: &mut Checked) {
    if NOT_IN_JUJU_4.contains(&name) && options.juju().is_some_and(|v| v >= JUJU_4) {
        out.errors.push(
            Violation::new(
                Rule::EventNotInJuju,
                format!(
                    "Juju {} never dispatches {}: Juju {JUJU_4} removed it",
                    options.juju_version,
                    name.replace('_', "-")
                ),
            )
            .hint("test it with a 3.x `juju_version`, or drop the event on Juju 4"),
        );
    }
}

fn check_event(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    prepared: &Prepared,
    out: &mut Checked,
) {
    let name = event.event_name();
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        out.errors.push(
            Violation::new(
                Rule::EventName,
                format!("{:?} is not an event name", event.name),
            )
            .hint("use the Python name, with underscores: \"config_changed\""),
        );
        return;
    }
    if event.kind() != EventKind::Relation {
        for (field, given) in [
            ("relation_id", event.relation_id.is_some()),
            ("remote_unit", event.remote_unit.is_some()),
            ("departing_unit", event.departing_unit.is_some()),
        ] {
            if given {
                out.errors.push(Violation::new(
                    Rule::EventArgs,
                    format!(
                        "{:?} is not a relation event, so it cannot have a {field}",
                        event.name
                    ),
                ));
            }
        }
    }
    match event.kind() {
        EventKind::Relation => relation::check_relation_event(meta, options, event, prepared, out),
        EventKind::Workload => container::check_workload_event(meta, event, prepared, out),
        EventKind::Lifecycle => {
            check_dispatched_by_juju(options, &event.name, out);
            if !event.args.is_empty() || !event.kwargs.is_empty() {
                out.errors.push(Violation::new(
                    Rule::EventArgs,
                    format!("{:?} is a Juju event: ops builds its arguments, the Event cannot give them", event.name),
                ));
            }
        }
        EventKind::Custom => {
            let mut v = Violation::new(
                Rule::EventCustom,
                format!(
                    "{:?} is not a Juju event, so it is taken as a custom event of the charm; the checker cannot check its arguments",
                    event.name
                ),
            );
            let juju_events = Event::LIFECYCLE_EVENTS.iter().chain(Event::SECRET_EVENTS);
            if let Some(close) = closest(&event.name, juju_events.copied()) {
                v = v.hint(format!("did you mean the Juju event {close:?}?"));
            }
            out.warnings.push(v);
            for (i, arg) in event.args.iter().enumerate() {
                if let Some(problem) = arg.find_unstorable(&format!("args[{i}]")) {
                    out.errors.push(Violation::new(Rule::EventArgs, problem));
                }
            }
        }
        // Storage, action and secret events: `storage.rs`, `action.rs` and `secret.rs`
        // check them.
        EventKind::Storage | EventKind::Action | EventKind::Secret => {}
    }
}

fn check_stored_states(state: &State, out: &mut Checked) {
    for (i, stored) in state.stored_states.iter().enumerate() {
        let duplicate = state.stored_states[..i]
            .iter()
            .any(|s| s.owner_path == stored.owner_path && s.name == stored.name);
        if duplicate {
            out.errors.push(Violation::new(
                Rule::StoredStateDuplicate,
                format!(
                    "stored_states[{i}]: {} appears more than once",
                    stored.handle_path()
                ),
            ));
        }
        for (key, value) in &stored.content {
            if let Some(problem) =
                value.find_unstorable(&format!("stored_states[{i}].content.{key}"))
            {
                out.errors
                    .push(Violation::new(Rule::StoredStateUnstorable, problem));
            } else if matches!(
                value,
                StoredValue::Tuple(_) | StoredValue::FrozenSet(_) | StoredValue::KeyedDict(_)
            ) && stored.owner_path.is_some()
            {
                out.warnings.push(Violation::new(
                    Rule::StoredStateType,
                    format!("stored_states[{i}].content.{key} is a {}, which a charm cannot assign to a StoredState attribute", value.type_name()),
                ));
            }
        }
    }
}

fn check_deferred(state: &State, out: &mut Checked) {
    for (i, deferred) in state.deferred.iter().enumerate() {
        if deferred.event_id().is_none() || !deferred.handle_path.contains("on/") {
            out.errors.push(
                Violation::new(
                    Rule::DeferredHandlePath,
                    format!("deferred[{i}]: {:?} is not an event handle path", deferred.handle_path),
                )
                .hint("ops writes them as <emitter path>/on/<event>[<id>], like \"MyCharm/on/start[1]\""),
            );
        }
        for (key, value) in &deferred.snapshot_data {
            if let Some(problem) =
                value.find_unstorable(&format!("deferred[{i}].snapshot_data.{key}"))
            {
                out.errors
                    .push(Violation::new(Rule::DeferredUnstorable, problem));
            }
        }
    }
}

/// Run every check on a raw State (prepared here): for tests of single rules.
#[cfg(test)]
pub(crate) fn check_state(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    state: &State,
) -> Checked {
    check(
        meta,
        options,
        event,
        &Prepared::new(meta, options, event, state),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{DeferredEvent, StoredState};

    fn meta() -> CharmMeta {
        CharmMeta::from_values(
            serde_json::json!({"name": "demo", "requires": {"db": {"interface": "pgsql"}}}),
            Some(serde_json::json!({"options": {
                "port": {"type": "int"},
                "ratio": {"type": "float"},
                "untyped": {},
                "weird": {"type": "colour"},
                "token": {"type": "secret"},
            }})),
            None,
        )
        .unwrap()
    }

    fn rules(c: &Checked) -> Vec<&str> {
        c.errors.iter().map(|v| v.rule.id()).collect()
    }

    #[test]
    fn every_config_rule_is_reported_at_once() {
        let state = State::default().config([
            ("prot", 1.into()),
            ("port", "80".into()),
            ("ratio", 1.into()),
            ("untyped", 1.into()),
            ("weird", 1.into()),
            ("token", "not-a-secret".into()),
        ]);
        let c = check_state(&meta(), &ContextOptions::default(), &Event::start(), &state);
        let mut got = rules(&c);
        got.sort();
        assert_eq!(
            got,
            [
                "config.missing_type",
                "config.secret_id",
                "config.type",
                "config.undeclared",
                "config.unknown_type"
            ]
        );
        let undeclared = c
            .errors
            .iter()
            .find(|v| v.rule.id() == "config.undeclared")
            .unwrap();
        assert_eq!(undeclared.hint.as_deref(), Some("did you mean \"port\"?"));
    }

    #[test]
    fn a_custom_event_near_a_juju_event_name_asks_which_was_meant() {
        let c = check_state(
            &meta(),
            &ContextOptions::default(),
            &Event::custom("strat"),
            &State::default(),
        );
        assert_eq!(
            c.warnings[0].hint.as_deref(),
            Some("did you mean the Juju event \"start\"?")
        );
    }

    #[test]
    fn custom_events_warn_and_unknown_derived_events_fail() {
        let c = check_state(
            &meta(),
            &ContextOptions::default(),
            &Event::custom("reconfigured"),
            &State::default(),
        );
        assert!(c.errors.is_empty());
        assert_eq!(c.warnings[0].rule.id(), "event.custom");
        let c = check_state(
            &meta(),
            &ContextOptions::default(),
            &Event::new("dbb_relation_changed"),
            &State::default(),
        );
        assert_eq!(rules(&c), ["event.unknown"]);
        let c = check_state(
            &meta(),
            &ContextOptions::default(),
            &Event::new("db_pebble_ready"),
            &State::default(),
        );
        assert_eq!(rules(&c), ["event.unknown"]);
    }

    #[test]
    fn stored_state_rules() {
        let state = State::default()
            .stored_states([
                StoredState::new("C").content([("s", StoredValue::Set(vec![vec![1].into()]))]),
                StoredState::new("C"),
            ])
            .deferred([DeferredEvent::new("nonsense", "C", "_on")]);
        let c = check_state(&meta(), &ContextOptions::default(), &Event::start(), &state);
        let mut got = rules(&c);
        got.sort();
        assert_eq!(
            got,
            [
                "deferred.handle_path",
                "stored_state.duplicate",
                "stored_state.unstorable"
            ]
        );
    }

    #[test]
    fn a_top_level_tuple_in_charm_stored_state_is_a_warning() {
        let state = State::default().stored_states([
            StoredState::new("C").content([("t", StoredValue::Tuple(vec![1.into()]))]),
            StoredState::framework(1),
        ]);
        let c = check_state(&meta(), &ContextOptions::default(), &Event::start(), &state);
        assert!(c.errors.is_empty());
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.warnings[0].rule.id(), "stored_state.type");
        assert!(c.warnings[0]
            .message
            .contains("stored_states[0].content.t is a tuple"));
    }
}
