//! Action rules: the event and its [`ActionCall`](crate::ActionCall) agree, the action is
//! declared, and the parameters are what its JSON schema allows (Juju validates them when the
//! action is queued; a `juju run` that fails validation never reaches the charm).
//!
//! The parameters' schema, as Juju builds it: the action's `params` are the properties of an
//! object, `required` lists the parameters that must be given (a default does not stand in for
//! one: Juju validates before it fills defaults), and `additionalProperties` says whether
//! undeclared parameters are allowed. Its default is ops' (`ActionMeta`): allowed before Juju
//! 4, refused from 4 on. An undeclared parameter that the default allows is a warning (it is
//! most likely a typo); one that an explicit `additionalProperties: true` allows is fine.
//!
//! Each value is checked against its schema's `type` (one or a list of `string`, `integer`,
//! `number`, `boolean`, `array`, `object`, `null`), its `enum`, and, inside objects and arrays,
//! against the `properties`, `required`, `additionalProperties` and `items` declared there.
//! An integer is a JSON integer (`3`, not `3.0`), as in ops.testing; a number is any number.

use serde_json::Value;

use super::{closest, suggest, Checked};
use crate::charm::{CharmMeta, ParamSchema, ParamType};
use crate::error::{Rule, Violation};
use crate::event::{Event, EventKind};
use crate::options::{ContextOptions, JujuVersion};
use crate::state::State;

/// This area's rules.
pub(super) fn check(
    meta: &CharmMeta,
    options: &ContextOptions,
    event: &Event,
    _state: &State,
    out: &mut Checked,
) {
    let is_action_event = event.kind() == EventKind::Action;
    let call = match (&event.action, is_action_event) {
        (None, false) => return,
        (Some(_), false) => {
            out.errors.push(
                Violation::new(
                    Rule::EventArgs,
                    format!(
                        "{:?} is not an action event, so it cannot have an action",
                        event.name
                    ),
                )
                .hint("build action events with Event::action(name)"),
            );
            return;
        }
        (None, true) => {
            let entity = event.entity().unwrap_or("");
            let declared = meta
                .actions
                .keys()
                .map(String::as_str)
                .find(|a| a.replace('-', "_") == entity)
                .unwrap_or(entity);
            out.errors.push(
                Violation::new(
                    Rule::ActionMissing,
                    format!(
                        "{:?} is an action event but names no action to run",
                        event.name
                    ),
                )
                .hint(format!(
                    "build it with Event::action({declared:?}), or give \"action\": {{\"name\": {declared:?}}}"
                )),
            );
            return;
        }
        (Some(call), true) => call,
    };
    if call.event_name() != event.name {
        out.errors.push(
            Violation::new(
                Rule::ActionNameMismatch,
                format!(
                    "event {:?} runs action {:?}, whose event is {:?}",
                    event.name,
                    call.name,
                    call.event_name()
                ),
            )
            .hint("build action events with Event::action(name)"),
        );
    }
    let Some(action_meta) = meta.actions.get(&call.name) else {
        let v = Violation::new(
            Rule::EventUnknown,
            format!(
                "{:?} runs action {:?}, which the charm's actions metadata does not declare",
                event.name, call.name
            ),
        );
        out.errors.push(v.hint(suggest(
            &call.name,
            meta.actions.keys().map(String::as_str),
            "actions",
        )));
        return;
    };
    let action = &call.name;
    let params = &action_meta.params;
    for (name, schema) in &params.properties {
        if !schema.declares_type() {
            out.errors.push(
                Violation::new(
                    Rule::ActionParamTypeMissing,
                    format!("action {action:?}: parameter {name:?} declares no type"),
                )
                .hint("add `type:` (string, integer, number, boolean, array or object); charmcraft requires one"),
            );
            continue;
        }
        for unknown in schema.types.iter().filter_map(|t| match t {
            ParamType::Unknown(written) => Some(written),
            ParamType::Known(_) => None,
        }) {
            out.warnings.push(
                Violation::new(
                    Rule::ActionParamTypeUnknown,
                    format!(
                        "action {action:?}: parameter {name:?} has unknown type {unknown}, so its values cannot be checked"
                    ),
                )
                .hint("the types are string, integer, number, boolean, array, object and null"),
            );
        }
    }
    let juju = options.juju().unwrap_or(JujuVersion(0, 0, 0));
    for (name, value) in &call.params {
        let at = format!("action {action:?}: parameter {name:?}");
        let Some(schema) = params.property(name) else {
            let message = format!("{at} is not declared in the action's params");
            let mut v = Violation::new(Rule::ActionParamUndeclared, message);
            if let Some(close) = closest(name, params.property_names()) {
                v = v.hint(format!("did you mean {close:?}?"));
            } else if params.properties.is_empty() {
                v = v.hint(format!("action {action:?} declares no parameters"));
            }
            match params.additional_properties {
                Some(true) => {}
                Some(false) => out.errors.push(v),
                None if !action_meta.allows_undeclared_params(juju) => out.errors.push(v.hint(format!(
                    "Juju {juju} refuses undeclared parameters unless the action sets additionalProperties: true"
                ))),
                None => {
                    if v.hint.is_none() {
                        v = v.hint(format!(
                            "Juju {juju} passes it on (additionalProperties defaults to true before Juju 4)"
                        ));
                    }
                    out.warnings.push(v);
                }
            }
            continue;
        };
        check_value(&at, schema, value, out);
    }
    for name in &params.required {
        if !call.params.contains_key(name) {
            out.errors.push(
                Violation::new(
                    Rule::ActionParamRequired,
                    format!("action {action:?}: required parameter {name:?} is not given"),
                )
                .hint("Juju refuses to run the action without it, even when it has a default"),
            );
        }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_f64() => "a number",
        Value::Number(_) => "an integer",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Check one value against its schema: type, enum, and what objects and arrays declare.
fn check_value(at: &str, schema: &ParamSchema, value: &Value, out: &mut Checked) {
    let verdicts: Vec<bool> = schema
        .types
        .iter()
        .filter_map(|t| match t {
            ParamType::Known(known) => Some(known.admits(value)),
            ParamType::Unknown(_) => None,
        })
        .collect();
    // Unknown types were warned about; with only those, the value cannot be checked.
    if !verdicts.is_empty() && !verdicts.contains(&true) {
        let names: Vec<String> = schema
            .types
            .iter()
            .filter(|t| !matches!(t, ParamType::Unknown(w) if !w.is_string()))
            .map(ParamType::name)
            .collect();
        out.errors.push(Violation::new(
            Rule::ActionParamType,
            format!(
                "{at} is {}, the event gives {} {value}",
                names.join(" or "),
                json_type(value)
            ),
        ));
        return;
    }
    if let Some(allowed) = &schema.enum_values {
        if !allowed.contains(value) {
            let listed: Vec<String> = allowed.iter().map(Value::to_string).collect();
            out.errors.push(Violation::new(
                Rule::ActionParamEnum,
                format!("{at} is {value}, which is not one of {}", listed.join(", ")),
            ));
        }
    }
    match value {
        Value::Object(given) => {
            for (key, inner) in given {
                let inner_at = format!("{at}, key {key:?}");
                match schema.property(key) {
                    Some(inner_schema) => check_value(&inner_at, inner_schema, inner, out),
                    None if schema.additional_properties == Some(false) => {
                        out.errors.push(Violation::new(
                            Rule::ActionParamUndeclared,
                            format!("{inner_at} is not declared, and the parameter's schema allows no others"),
                        ));
                    }
                    None => {}
                }
            }
            for key in &schema.required {
                if !given.contains_key(key) {
                    out.errors.push(Violation::new(
                        Rule::ActionParamRequired,
                        format!("{at}: required key {key:?} is not given"),
                    ));
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = &schema.items {
                for (i, item) in items.iter().enumerate() {
                    check_value(&format!("{at}, item {i}"), item_schema, item, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta() -> CharmMeta {
        CharmMeta::from_values(
            json!({"name": "demo"}),
            None,
            Some(json!({
                "backup": {
                    "params": {
                        "target": {"type": "string"},
                        "compress": {"type": "boolean", "default": true},
                        "level": {"type": "integer", "default": 3},
                        "ratio": {"type": "number"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "s3": {"type": "object", "properties": {"region": {"type": "string"}},
                               "required": ["region"], "additionalProperties": false},
                        "mode": {"type": "string", "enum": ["full", "incremental"]},
                        "maybe": {"type": ["string", "null"]},
                    },
                    "required": ["target"],
                },
                "fail-me": {},
                "loose": {"params": {"a": {"type": "string"}}, "additionalProperties": true},
                "strict": {"params": {"a": {"type": "string"}}, "additionalProperties": false},
                "sloppy": {"params": {"untyped": {}, "odd": {"type": "colour"}}},
            })),
        )
        .unwrap()
    }

    fn run(event: &Event) -> Checked {
        run_on("3.6.14", event)
    }

    fn run_on(juju: &str, event: &Event) -> Checked {
        let options = ContextOptions {
            juju_version: juju.into(),
            ..ContextOptions::default()
        };
        let mut out = Checked::default();
        check(&meta(), &options, event, &State::default(), &mut out);
        out
    }

    fn rules(v: &[Violation]) -> Vec<&str> {
        v.iter().map(|v| v.rule.id()).collect()
    }

    fn backup() -> Event {
        Event::action("backup").param("target", "/srv")
    }

    #[test]
    fn a_good_action_passes() {
        let c = run(&backup().params([
            ("compress", json!(false)),
            ("level", json!(1)),
            ("ratio", json!(1)),
            ("tags", json!(["a", "b"])),
            ("s3", json!({"region": "eu"})),
            ("mode", json!("full")),
            ("maybe", json!(null)),
        ]));
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let c = run(&Event::action("fail-me").action_id("5"));
        assert!(c.errors.is_empty() && c.warnings.is_empty());
    }

    #[test]
    fn non_action_events_are_left_alone_unless_they_carry_an_action() {
        assert!(run(&Event::start()).errors.is_empty());
        let mut e = Event::start();
        e.action = backup().action;
        assert_eq!(rules(&run(&e).errors), ["event.args"]);
    }

    #[test]
    fn an_action_event_needs_its_action() {
        let c = run(&Event::new("fail_me_action"));
        assert_eq!(rules(&c.errors), ["action.missing"]);
        assert!(c.errors[0]
            .hint
            .as_deref()
            .unwrap()
            .contains("Event::action(\"fail-me\")"));
    }

    #[test]
    fn the_event_name_must_match_the_action() {
        let mut e = Event::action("fail-me");
        e.name = "backup_action".into();
        assert_eq!(rules(&run(&e).errors), ["action.name_mismatch"]);
    }

    #[test]
    fn undeclared_actions_get_a_hint() {
        let c = run(&Event::action("bakup"));
        assert_eq!(rules(&c.errors), ["event.unknown"]);
        assert_eq!(
            c.errors[0].hint.as_deref(),
            Some("did you mean \"backup\"?")
        );
    }

    #[test]
    fn param_declarations_without_a_type_fail_and_unknown_types_warn() {
        let c = run(&Event::action("sloppy").params([("untyped", json!(1)), ("odd", json!(1))]));
        assert_eq!(rules(&c.errors), ["action.param_type_missing"]);
        assert_eq!(rules(&c.warnings), ["action.param_type_unknown"]);
    }

    #[test]
    fn wrong_types_fail() {
        let c = run(&backup().params([
            ("compress", json!("yes")),
            ("level", json!(3.0)),
            ("ratio", json!("1")),
            ("tags", json!("a")),
            ("maybe", json!(1)),
        ]));
        assert_eq!(
            rules(&c.errors),
            [
                "action.param_type",
                "action.param_type",
                "action.param_type",
                "action.param_type",
                "action.param_type"
            ]
        );
        assert!(
            c.errors[1]
                .message
                .contains("parameter \"level\" is integer"),
            "{}",
            c.errors[1].message
        );
        let c = run(&Event::action("backup").param("target", 1));
        assert_eq!(rules(&c.errors), ["action.param_type"]);
    }

    #[test]
    fn nested_values_enums_and_items_are_checked() {
        let c = run(&backup().params([
            ("s3", json!({"bucket": "b"})),
            ("mode", json!("partial")),
            ("tags", json!(["a", 1])),
        ]));
        let mut got = rules(&c.errors);
        got.sort_unstable();
        assert_eq!(
            got,
            [
                "action.param_enum",
                "action.param_required",
                "action.param_type",
                "action.param_undeclared"
            ]
        );
    }

    #[test]
    fn required_params_must_be_given_even_with_defaults() {
        let c = run(&Event::action("backup"));
        assert_eq!(rules(&c.errors), ["action.param_required"]);
        assert!(c.errors[0].message.contains("\"target\""));
    }

    #[test]
    fn undeclared_params_depend_on_additional_properties_and_the_juju_version() {
        let typo = backup().param("levle", 1);
        let c = run(&typo);
        assert!(c.errors.is_empty());
        assert_eq!(rules(&c.warnings), ["action.param_undeclared"]);
        assert_eq!(
            c.warnings[0].hint.as_deref(),
            Some("did you mean \"level\"?")
        );
        let c = run_on("4.0.0", &typo);
        assert_eq!(rules(&c.errors), ["action.param_undeclared"]);
        let c = run(&Event::action("strict").param("b", "x"));
        assert_eq!(rules(&c.errors), ["action.param_undeclared"]);
        let c = run_on("4.0.0", &Event::action("loose").param("b", "x"));
        assert!(c.errors.is_empty() && c.warnings.is_empty());
    }
}
