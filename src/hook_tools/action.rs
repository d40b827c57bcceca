//! `action-get`, `action-set`, `action-log` and `action-fail`, with ops' and Juju's rules.
//!
//! Each tool takes the run's action (`None` when the run is not an action); outside an action
//! Juju refuses every one of them with `not running an action` (`ops.ModelError`).
//!
//! - `action-get`: the parameters given, merged over the metadata's defaults as Juju merges
//!   them when it queues the action ([`ActionCall::params_with_defaults`]).
//! - `action-set`: ops first flattens the (nested) results to dotted keys, checking each key
//!   against `^[a-z0-9](([a-z0-9-.]+)?[a-z0-9])?$` and for duplicates (`ValueError`); then Juju
//!   splits every flat key on `.`, checks each part against its own rule and refuses the
//!   reserved parts `stdout`, `stdout-encoding`, `stderr` and `stderr-encoding`; then it sets
//!   the parts as nested keys, merging into what earlier calls set (a later value replaces an
//!   earlier one, an object or not). Nothing is set when a key is refused.
//! - `action-log`: appends the message.
//! - `action-fail`: records the message (the last call wins; ops' `fail()` with no message
//!   passes `""`, which Juju records as given). The handler keeps running.
//!
//! Where this differs from Juju: Juju receives every value as text (ops passes `key=str(value)`),
//! so the results a user sees are strings; here values keep their JSON type, as in
//! ops.testing (`{"count": 3}` stays `3`). Where it differs from ops.testing: the results are
//! stored as Juju stores them, nested (`{"a.b": 1}` becomes `{"a": {"b": 1}}`) and merged at
//! every level, where ops.testing keeps the dict as given and merges only the top level.

use serde_json::{Map, Value};

use crate::text::py_repr;

use super::{refused, HookToolError, HookTools};
use crate::event::ActionCall;

/// Juju's result keys it sets itself.
const RESERVED_KEYS: &[&str] = &["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

fn not_in_action() -> HookToolError {
    refused("not running an action")
}

impl HookTools {
    /// `action-get`: the action's parameters, the metadata's defaults filled in.
    pub fn action_get(
        &self,
        action: Option<&ActionCall>,
    ) -> Result<Map<String, Value>, HookToolError> {
        let action = action.ok_or_else(not_in_action)?;
        Ok(action.params_with_defaults(&self.meta))
    }

    /// `action-set`, for the results ops' `ActionEvent.set_results` passes (a possibly nested
    /// mapping): checked as ops and Juju check them, then merged into
    /// `output.action_results`.
    ///
    /// Errors: `InvalidArgument` (ops' `ValueError`) for a key ops rejects or a duplicate
    /// dotted key, or when `results` is not a mapping; `Refused` for a key Juju rejects, then
    /// for a run that is not an action.
    pub fn action_set(
        &mut self,
        action: Option<&ActionCall>,
        results: &Value,
    ) -> Result<(), HookToolError> {
        let Value::Object(results) = results else {
            return Err(HookToolError::InvalidArgument(format!(
                "action results must be a dict, not {}",
                json_type_name(results)
            )));
        };
        let mut flat = Vec::new();
        flatten(results, None, &mut flat)?;
        let mut parts = Vec::with_capacity(flat.len());
        for (key, value) in flat {
            let keys: Vec<&str> = key.split('.').collect();
            for part in &keys {
                if !is_juju_key(part) {
                    return Err(refused(format!(
                        "key {} must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods",
                        go_quote(part)
                    )));
                }
                if RESERVED_KEYS.contains(part) {
                    return Err(refused(format!(
                        "cannot set reserved action key \"{part}\""
                    )));
                }
            }
            parts.push((
                keys.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>(),
                value,
            ));
        }
        if action.is_none() {
            return Err(not_in_action());
        }
        let target = self.output.action_results.get_or_insert_with(Map::new);
        for (keys, value) in parts {
            set_nested(target, &keys, value.clone());
        }
        Ok(())
    }

    /// `action-log`: a progress message for the user, appended to `output.action_logs`.
    pub fn action_log(
        &mut self,
        action: Option<&ActionCall>,
        message: &str,
    ) -> Result<(), HookToolError> {
        action.ok_or_else(not_in_action)?;
        self.output.action_logs.push(message.to_owned());
        Ok(())
    }

    /// `action-fail`: the action fails with `message` (`output.action_failure`; the last call
    /// wins). The handler keeps running, and the run's State is returned as for any run.
    pub fn action_fail(
        &mut self,
        action: Option<&ActionCall>,
        message: &str,
    ) -> Result<(), HookToolError> {
        action.ok_or_else(not_in_action)?;
        self.output.action_failure = Some(message.to_owned());
        Ok(())
    }
}

/// ops' `_format_action_result_dict`: nested mappings to dotted keys, each key checked, and
/// a dotted key reached twice refused.
fn flatten<'v>(
    input: &'v Map<String, Value>,
    parent: Option<&str>,
    out: &mut Vec<(String, &'v Value)>,
) -> Result<(), HookToolError> {
    for (key, value) in input {
        if !is_ops_key(key) {
            return Err(HookToolError::InvalidArgument(format!(
                "key {} is invalid: must be similar to 'key', 'some-key2', or 'some.key'",
                py_repr(key)
            )));
        }
        let key = match parent {
            Some(parent) => format!("{parent}.{key}"),
            None => key.clone(),
        };
        match value {
            Value::Object(inner) => flatten(inner, Some(&key), out)?,
            _ if out.iter().any(|(k, _)| *k == key) => {
                return Err(HookToolError::InvalidArgument(format!(
                    "duplicate key detected in dictionary passed to 'action-set': {}",
                    py_repr(&key)
                )))
            }
            _ => out.push((key, value)),
        }
    }
    Ok(())
}

/// Juju's `UpdateActionResults`: step into (or make) an object for every key but the last,
/// replacing a value that is not an object; set the last.
fn set_nested(target: &mut Map<String, Value>, keys: &[String], value: Value) {
    let (last, path) = keys.split_last().expect("a flat key has at least one part");
    let mut next = target;
    for key in path {
        let slot = next
            .entry(key.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        next = slot.as_object_mut().expect("made an object above");
    }
    next.insert(last.clone(), value);
}

fn is_key_char(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// ops' `^[a-z0-9](([a-z0-9-.]+)?[a-z0-9])?$`, with Python's `$`, which also matches before a
/// final newline.
fn is_ops_key(key: &str) -> bool {
    let key = key.strip_suffix('\n').unwrap_or(key);
    let bytes = key.as_bytes();
    match bytes {
        [] => false,
        [only] => is_key_char(*only),
        [first, middle @ .., last] => {
            is_key_char(*first)
                && is_key_char(*last)
                && middle
                    .iter()
                    .all(|&b| is_key_char(b) || b == b'-' || b == b'.')
        }
    }
}

/// Juju's rule for each `.`-separated part: `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`.
fn is_juju_key(part: &str) -> bool {
    match part.as_bytes() {
        [] => false,
        [only] => is_key_char(*only),
        [first, middle @ .., last] => {
            is_key_char(*first)
                && is_key_char(*last)
                && middle.iter().all(|&b| is_key_char(b) || b == b'-')
        }
    }
}

/// Go's `%q` of a string (enough of it for key error messages).
fn go_quote(s: &str) -> String {
    let mut out = String::from('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "None",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;
    use crate::hook_tools::test_support::tools_with;
    use crate::state::State;
    use serde_json::json;

    fn tools() -> HookTools {
        tools_with(json!({"name": "demo"}), None, State::default())
    }

    fn tools_with_actions(actions: Value) -> HookTools {
        let meta =
            crate::charm::CharmMeta::from_values(json!({"name": "demo"}), None, Some(actions))
                .unwrap();
        let mut tools = tools();
        tools.meta = std::sync::Arc::new(meta);
        tools
    }

    fn call(name: &str) -> ActionCall {
        Event::action(name).action.unwrap()
    }

    fn refusal(message: &str) -> HookToolError {
        HookToolError::Refused(message.into())
    }

    #[test]
    fn every_tool_refuses_outside_an_action() {
        let mut t = tools();
        let not = refusal("not running an action");
        assert_eq!(t.action_get(None), Err(not.clone()));
        assert_eq!(t.action_set(None, &json!({"a": 1})), Err(not.clone()));
        assert_eq!(t.action_log(None, "x"), Err(not.clone()));
        assert_eq!(t.action_fail(None, "x"), Err(not.clone()));
        assert_eq!(not.to_string(), "ERROR not running an action\n");
        assert_eq!(t.output.action_results, None);
        assert!(t.output.action_logs.is_empty());
        assert_eq!(t.output.action_failure, None);
    }

    #[test]
    fn get_merges_the_given_params_over_the_defaults() {
        let t = tools_with_actions(json!({"backup": {"params": {
            "target": {"type": "string"},
            "compress": {"type": "boolean", "default": true},
            "level": {"type": "integer", "default": 3},
        }}}));
        let action = Event::action("backup")
            .params([("target", json!("/srv")), ("level", json!(9))])
            .action
            .unwrap();
        assert_eq!(
            Value::Object(t.action_get(Some(&action)).unwrap()),
            json!({"target": "/srv", "level": 9, "compress": true})
        );
        // A fresh mapping every time: ops restores the event (and calls action-get) per observer.
        assert_eq!(t.action_get(Some(&action)), t.action_get(Some(&action)));
    }

    #[test]
    fn set_nests_dotted_keys_and_merges_calls() {
        let mut t = tools();
        let a = call("report");
        t.action_set(Some(&a), &json!({"a": {"b": "c"}, "x.y": 1}))
            .unwrap();
        t.action_set(
            Some(&a),
            &json!({"a.d": true, "x": {"z": [1, 2]}, "top": null}),
        )
        .unwrap();
        assert_eq!(
            Value::Object(t.output.action_results.clone().unwrap()),
            json!({"a": {"b": "c", "d": true}, "x": {"y": 1, "z": [1, 2]}, "top": null})
        );
        // Later values replace earlier ones, objects or not, as in Juju.
        t.action_set(Some(&a), &json!({"a": 5, "top.inner": "v"}))
            .unwrap();
        assert_eq!(
            Value::Object(t.output.action_results.clone().unwrap()),
            json!({"a": 5, "x": {"y": 1, "z": [1, 2]}, "top": {"inner": "v"}})
        );
    }

    #[test]
    fn set_with_nothing_still_records_empty_results() {
        let mut t = tools();
        t.action_set(Some(&call("report")), &json!({})).unwrap();
        assert_eq!(t.output.action_results, Some(Map::new()));
        t.action_set(Some(&call("report")), &json!({"a": {}}))
            .unwrap();
        assert_eq!(t.output.action_results, Some(Map::new()));
    }

    #[test]
    fn set_applies_ops_key_rules() {
        let mut t = tools();
        let a = call("report");
        let invalid = |k: &str| {
            HookToolError::InvalidArgument(format!(
                "key {k} is invalid: must be similar to 'key', 'some-key2', or 'some.key'"
            ))
        };
        for (results, key) in [
            (json!({"Upper": 1}), "'Upper'"),
            (json!({"-lead": 1}), "'-lead'"),
            (json!({"trail-": 1}), "'trail-'"),
            (json!({"under_score": 1}), "'under_score'"),
            (json!({"": 1}), "''"),
            (json!({"ok": {"Bad": 1}}), "'Bad'"),
            (json!({"it's": 1}), "\"it's\""),
        ] {
            assert_eq!(
                t.action_set(Some(&a), &results),
                Err(invalid(key)),
                "{results}"
            );
        }
        assert_eq!(
            t.action_set(Some(&a), &json!({"a": {"b": 1}, "a.b": 2})),
            Err(HookToolError::InvalidArgument(
                "duplicate key detected in dictionary passed to 'action-set': 'a.b'".into()
            ))
        );
        assert_eq!(
            t.action_set(Some(&a), &json!({"a.b": 1, "a": {"b": 2}})),
            Err(HookToolError::InvalidArgument(
                "duplicate key detected in dictionary passed to 'action-set': 'a.b'".into()
            ))
        );
        assert_eq!(
            t.action_set(Some(&a), &json!([1])),
            Err(HookToolError::InvalidArgument(
                "action results must be a dict, not list".into()
            ))
        );
        assert_eq!(t.output.action_results, None, "nothing is set on an error");
        // Single characters, digits, inner dots and hyphens are fine.
        t.action_set(Some(&a), &json!({"x": 1, "0": 2, "a-b.c-d": 3}))
            .unwrap();
    }

    #[test]
    fn set_applies_juju_key_rules_after_ops() {
        let mut t = tools();
        let a = call("report");
        // ops' rule lets an empty part through; Juju's does not.
        assert_eq!(
            t.action_set(Some(&a), &json!({"a..b": 1})),
            Err(refusal(
                "key \"\" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"
            ))
        );
        assert_eq!(
            t.action_set(Some(&a), &json!({"a.-b": 1})),
            Err(refusal(
                "key \"-b\" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"
            ))
        );
        // Python's `$` matches before a final newline, so only Juju refuses this one.
        assert_eq!(
            t.action_set(Some(&a), &json!({"abc\n": 1})),
            Err(refusal(
                "key \"abc\\n\" must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"
            ))
        );
        for key in ["stdout", "stderr", "stdout-encoding", "stderr-encoding"] {
            assert_eq!(
                t.action_set(Some(&a), &json!({"ok": 1, "nested": {key: 1}})),
                Err(refusal(&format!(
                    "cannot set reserved action key \"{key}\""
                )))
            );
        }
        assert_eq!(t.output.action_results, None, "nothing is set on an error");
        // "stdout-x" is not reserved.
        t.action_set(Some(&a), &json!({"stdout-x": 1})).unwrap();
    }

    #[test]
    fn key_errors_come_before_not_running_an_action() {
        let mut t = tools();
        assert!(matches!(
            t.action_set(None, &json!({"Bad": 1})),
            Err(HookToolError::InvalidArgument(_))
        ));
        assert_eq!(
            t.action_set(None, &json!({"stdout": 1})),
            Err(refusal("cannot set reserved action key \"stdout\""))
        );
    }

    #[test]
    fn log_appends_and_fail_keeps_the_last_message() {
        let mut t = tools();
        let a = call("backup");
        t.action_log(Some(&a), "one").unwrap();
        t.action_log(Some(&a), "").unwrap();
        t.action_log(Some(&a), "-starts with a hyphen").unwrap();
        assert_eq!(t.output.action_logs, ["one", "", "-starts with a hyphen"]);
        t.action_fail(Some(&a), "first").unwrap();
        t.action_fail(Some(&a), "second").unwrap();
        assert_eq!(t.output.action_failure.as_deref(), Some("second"));
        // ops' fail() with no message passes "", which Juju records as it is.
        t.action_fail(Some(&a), "").unwrap();
        assert_eq!(t.output.action_failure.as_deref(), Some(""));
    }

    #[test]
    fn quoting_follows_python_and_go() {
        assert_eq!(py_repr("a'b\"c"), "'a\\'b\"c'");
        assert_eq!(py_repr("a\\b\t"), "'a\\\\b\\t'");
        assert_eq!(go_quote("a\"b\\"), "\"a\\\"b\\\\\"");
    }
}
