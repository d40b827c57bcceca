//! Pebble layers and the plan they merge into.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One service, check or log target of a layer: Pebble's fields by their YAML names
/// (`override`, `command`, `startup`, `environment`, ...).
pub type LayerItem = serde_json::Map<String, serde_json::Value>;

/// A Pebble layer. JSON form: Pebble's layer YAML as JSON (`summary`, `description`,
/// `services`, `checks`, `log-targets`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct Layer {
    /// The layer's summary.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub summary: String,
    /// The layer's description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Services by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, LayerItem>,
    /// Checks by name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, LayerItem>,
    /// Log targets by name.
    #[serde(rename = "log-targets", skip_serializing_if = "BTreeMap::is_empty")]
    pub log_targets: BTreeMap<String, LayerItem>,
}

impl Layer {
    /// A layer from Pebble's layer YAML.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the YAML is malformed or not a layer.
    pub fn from_yaml(text: &str) -> Result<Layer> {
        serde_yaml_ng::from_str(text).map_err(|e| Error::InvalidInput {
            path: "layer".into(),
            message: e.to_string(),
        })
    }

    /// Combine `other` into this layer, as Pebble's `add_layer(..., combine=True)` does into
    /// an existing label: each item of `other` merges into or replaces this layer's item of
    /// the same name, as its `override` says. The summary and description stay this layer's
    /// (as ops.testing keeps them; Pebble takes `other`'s).
    pub fn combine(&mut self, other: &Layer) {
        combine_items(&mut self.services, &other.services, &SERVICE_RULES);
        combine_items(&mut self.checks, &other.checks, &CHECK_RULES);
        combine_items(&mut self.log_targets, &other.log_targets, &LOG_TARGET_RULES);
    }

    /// Pebble's refusal of a layer some item of which gives no valid `override` (services,
    /// then checks, then log targets, each by name), or `None` when every item gives one.
    pub(crate) fn override_problem(&self, label: &str) -> Option<String> {
        override_problem(label, "service", &self.services)
            .or_else(|| override_problem(label, "check", &self.checks))
            .or_else(|| override_problem(label, "log target", &self.log_targets))
    }
}

/// The plan Pebble serves: every layer merged in order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    /// Services by name.
    pub services: BTreeMap<String, LayerItem>,
    /// Checks by name.
    pub checks: BTreeMap<String, LayerItem>,
    /// Log targets by name.
    #[serde(rename = "log-targets")]
    pub log_targets: BTreeMap<String, LayerItem>,
}

impl Plan {
    /// Merge layers in order, as Pebble (and ops.testing's `Container.plan`) does: an item
    /// with `override: merge` merges into the item of the same name so far (scalars replace,
    /// `after`/`before`/`requires` and a log target's `services` are appended to,
    /// `environment`, `on-check-failure`, a log target's `labels` and a check's `http`
    /// (with `headers`), `tcp` and `exec` (with `environment`) are merged); any other item
    /// replaces it whole. Items keep every field, `override` included, as Pebble's plan YAML
    /// shows them. An item without `override` (which Pebble refuses in `add_layer`, but a
    /// State may hold) replaces, as in ops.testing.
    pub fn from_layers<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> Plan {
        let mut plan = Plan::default();
        for layer in layers {
            combine_items(&mut plan.services, &layer.services, &SERVICE_RULES);
            combine_items(&mut plan.checks, &layer.checks, &CHECK_RULES);
            combine_items(&mut plan.log_targets, &layer.log_targets, &LOG_TARGET_RULES);
        }
        plan
    }

    /// The plan as Pebble's `GET /v1/plan` gives it, parsed: an object with `services`,
    /// `checks` and `log-targets`, each left out when empty; what `ops.pebble.Plan(dict)`
    /// takes.
    pub fn to_api_dict(&self) -> serde_json::Value {
        let mut dict = serde_json::Map::new();
        for (key, items) in [
            ("services", &self.services),
            ("checks", &self.checks),
            ("log-targets", &self.log_targets),
        ] {
            if !items.is_empty() {
                let items = items
                    .iter()
                    .map(|(name, item)| (name.clone(), serde_json::Value::Object(item.clone())))
                    .collect();
                dict.insert(key.to_owned(), serde_json::Value::Object(items));
            }
        }
        serde_json::Value::Object(dict)
    }

    /// The plan as the YAML Pebble's API returns (`ops.pebble.Plan(yaml)` parses it); `{}`
    /// for an empty plan.
    pub fn to_yaml(&self) -> String {
        serde_yaml_ng::to_string(&self.to_api_dict()).unwrap_or_else(|_| "{}\n".to_owned())
    }
}

/// How one kind of item (service, check, log target) merges under `override: merge`.
struct MergeRules {
    /// Lists the new layer's entries are appended to.
    lists: &'static [&'static str],
    /// Maps the new layer's entries are merged into (new keys win).
    maps: &'static [&'static str],
    /// Objects merged key by key (a falsy value skipped), each with the maps inside it that
    /// are merged in turn.
    nested: &'static [(&'static str, &'static [&'static str])],
}

const SERVICE_RULES: MergeRules = MergeRules {
    lists: &["after", "before", "requires"],
    maps: &["environment", "on-check-failure"],
    nested: &[],
};

const CHECK_RULES: MergeRules = MergeRules {
    lists: &[],
    maps: &[],
    nested: &[
        ("http", &["headers"]),
        ("tcp", &[]),
        ("exec", &["environment"]),
    ],
};

const LOG_TARGET_RULES: MergeRules = MergeRules {
    lists: &["services"],
    maps: &["labels"],
    nested: &[],
};

/// Whether a value counts as "not given" when merging: ops' `_merge` skips every falsy
/// value (`None`, `''`, `0`, `[]`, `{}`), and Pebble skips the empty ones too.
fn is_unset(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// Merge the map `new` into the entry `key` of `target` (new keys win, every value kept).
fn merge_map(target: &mut LayerItem, key: &str, new: &LayerItem) {
    match target.get_mut(key) {
        Some(serde_json::Value::Object(old)) => {
            for (k, v) in new {
                old.insert(k.clone(), v.clone());
            }
        }
        _ => {
            target.insert(key.to_owned(), serde_json::Value::Object(new.clone()));
        }
    }
}

/// Pebble's (and ops') `override: merge` of `new` into `old`: scalars given in `new`
/// replace, the kind's lists are appended to, its maps and nested objects merged; values
/// `new` leaves unset (empty, zero) are skipped. `override` itself is taken from `new`, as
/// ops' `_merge` does (Pebble keeps the first item's).
fn merge_item(old: &mut LayerItem, new: &LayerItem, rules: &MergeRules) {
    use serde_json::Value;
    for (key, value) in new {
        if is_unset(value) {
            continue;
        }
        let key = key.as_str();
        if rules.lists.contains(&key) {
            if let (Some(Value::Array(list)), Value::Array(more)) = (old.get_mut(key), value) {
                list.extend(more.iter().cloned());
                continue;
            }
        } else if rules.maps.contains(&key) {
            if let Value::Object(map) = value {
                merge_map(old, key, map);
                continue;
            }
        } else if let Some((_, inner_maps)) = rules.nested.iter().find(|(k, _)| *k == key) {
            if let Value::Object(fields) = value {
                let mut inner = match old.get(key) {
                    Some(Value::Object(inner)) => inner.clone(),
                    _ => LayerItem::new(),
                };
                for (k, v) in fields {
                    if is_unset(v) {
                        continue;
                    }
                    match v {
                        Value::Object(map) if inner_maps.contains(&k.as_str()) => {
                            merge_map(&mut inner, k, map);
                        }
                        _ => {
                            inner.insert(k.clone(), v.clone());
                        }
                    }
                }
                old.insert(key.to_owned(), Value::Object(inner));
                continue;
            }
        }
        old.insert(key.to_owned(), value.clone());
    }
}

/// An item's `override` (`""` when it gives none).
fn override_of(item: &LayerItem) -> &str {
    item.get("override")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("")
}

/// Add `new`'s items to `into` as their `override` says: `merge` merges into an item of the
/// same name (or adds it), anything else (`replace`, or none given) replaces it.
fn combine_items(
    into: &mut BTreeMap<String, LayerItem>,
    new: &BTreeMap<String, LayerItem>,
    rules: &MergeRules,
) {
    for (name, item) in new {
        match into.get_mut(name) {
            Some(old) if override_of(item) == "merge" => merge_item(old, item, rules),
            _ => {
                into.insert(name.clone(), item.clone());
            }
        }
    }
}

/// The first item of `items` whose `override` is missing or invalid, as Pebble's message.
fn override_problem(
    label: &str,
    kind: &str,
    items: &BTreeMap<String, LayerItem>,
) -> Option<String> {
    items
        .iter()
        .find_map(|(name, item)| match override_of(item) {
            "merge" | "replace" => None,
            "" => Some(format!(
                "layer {label:?} must define \"override\" for {kind} {name:?}"
            )),
            _ => Some(format!(
                "layer {label:?} has invalid \"override\" value for {kind} {name:?}"
            )),
        })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn layer(yaml: &str) -> Layer {
        Layer::from_yaml(yaml).unwrap()
    }

    fn plan(layers: &[&str]) -> Plan {
        let layers: Vec<Layer> = layers.iter().map(|y| layer(y)).collect();
        Plan::from_layers(&layers)
    }

    const BASE: &str = "
services:
  web:
    override: replace
    summary: web
    command: /bin/web
    startup: enabled
    after: [db]
    environment: {A: '1', B: '2'}
    on-check-failure: {up: restart}
checks:
  up:
    override: replace
    level: alive
    threshold: 5
    http: {url: 'http://localhost/', headers: {X: '1'}}
    exec: {command: check, environment: {E: '1'}}
log-targets:
  loki:
    override: replace
    type: loki
    location: http://loki/
    services: [web]
    labels: {a: '1'}
";

    #[test]
    fn merge_replaces_scalars_keeps_the_rest() {
        let p = plan(&[
            BASE,
            "services:\n  web:\n    override: merge\n    command: /bin/web2\n",
        ]);
        let web = &p.services["web"];
        assert_eq!(web["command"], "/bin/web2");
        assert_eq!(web["summary"], "web");
        assert_eq!(web["startup"], "enabled");
        assert_eq!(
            web["override"], "merge",
            "ops' _merge takes the new override"
        );
    }

    #[test]
    fn merge_appends_service_lists() {
        let p = plan(&[
            BASE,
            "services:\n  web:\n    override: merge\n    after: [cache]\n    before: [x]\n    requires: [db]\n",
        ]);
        let web = &p.services["web"];
        assert_eq!(web["after"], json!(["db", "cache"]));
        assert_eq!(web["before"], json!(["x"]));
        assert_eq!(web["requires"], json!(["db"]));
    }

    #[test]
    fn merge_merges_service_maps() {
        let p = plan(&[
            BASE,
            "services:\n  web:\n    override: merge\n    environment: {B: '3', C: '4'}\n    on-check-failure: {other: ignore}\n",
        ]);
        let web = &p.services["web"];
        assert_eq!(web["environment"], json!({"A": "1", "B": "3", "C": "4"}));
        assert_eq!(
            web["on-check-failure"],
            json!({"up": "restart", "other": "ignore"})
        );
    }

    #[test]
    fn merge_skips_unset_values() {
        let p = plan(&[
            BASE,
            "services:\n  web:\n    override: merge\n    command: ''\n    startup: ''\n    after: []\n",
        ]);
        let web = &p.services["web"];
        assert_eq!(web["command"], "/bin/web");
        assert_eq!(web["startup"], "enabled");
        assert_eq!(web["after"], json!(["db"]));
    }

    #[test]
    fn merge_of_a_new_name_adds_it() {
        let p = plan(&[
            BASE,
            "services:\n  db:\n    override: merge\n    command: /bin/db\n",
        ]);
        assert_eq!(p.services["db"]["command"], "/bin/db");
        assert_eq!(p.services.len(), 2);
    }

    #[test]
    fn replace_replaces_the_whole_item() {
        let p = plan(&[
            BASE,
            "services:\n  web:\n    override: replace\n    command: /bin/other\n",
        ]);
        let web = &p.services["web"];
        assert_eq!(web["command"], "/bin/other");
        assert!(web.get("environment").is_none());
        assert!(web.get("after").is_none());
    }

    #[test]
    fn item_without_override_replaces() {
        let p = plan(&[BASE, "services:\n  web:\n    command: /bin/other\n"]);
        assert!(p.services["web"].get("summary").is_none());
    }

    #[test]
    fn merge_merges_check_objects() {
        let p = plan(&[
            BASE,
            "checks:\n  up:\n    override: merge\n    threshold: 0\n    level: ''\n    http: {headers: {Y: '2'}}\n    tcp: {port: 80}\n    exec: {environment: {F: '2'}, working-dir: /w}\n",
        ]);
        let up = &p.checks["up"];
        assert_eq!(up["threshold"], 5, "threshold 0 is unset");
        assert_eq!(up["level"], "alive");
        assert_eq!(
            up["http"],
            json!({"url": "http://localhost/", "headers": {"X": "1", "Y": "2"}})
        );
        assert_eq!(up["tcp"], json!({"port": 80}));
        assert_eq!(
            up["exec"],
            json!({"command": "check", "environment": {"E": "1", "F": "2"}, "working-dir": "/w"})
        );
    }

    #[test]
    fn merge_replaces_check_scalars() {
        let p = plan(&[
            BASE,
            "checks:\n  up:\n    override: merge\n    level: ready\n    startup: disabled\n    period: 1s\n",
        ]);
        let up = &p.checks["up"];
        assert_eq!(up["level"], "ready");
        assert_eq!(up["startup"], "disabled");
        assert_eq!(up["period"], "1s");
    }

    #[test]
    fn merge_log_targets() {
        let p = plan(&[
            BASE,
            "log-targets:\n  loki:\n    override: merge\n    location: http://other/\n    services: [db]\n    labels: {b: '2'}\n",
        ]);
        let loki = &p.log_targets["loki"];
        assert_eq!(loki["location"], "http://other/");
        assert_eq!(loki["type"], "loki");
        assert_eq!(loki["services"], json!(["web", "db"]));
        assert_eq!(loki["labels"], json!({"a": "1", "b": "2"}));
    }

    #[test]
    fn replace_log_target_and_check() {
        let p = plan(&[
            BASE,
            "checks:\n  up:\n    override: replace\n    tcp: {port: 1}\nlog-targets:\n  loki:\n    override: replace\n    type: syslog\n",
        ]);
        assert_eq!(p.checks["up"].len(), 2);
        assert_eq!(p.log_targets["loki"].len(), 2);
    }

    #[test]
    fn layers_apply_in_order() {
        let p = plan(&[
            "services:\n  s:\n    override: replace\n    command: a\n",
            "services:\n  s:\n    override: merge\n    command: b\n",
            "services:\n  s:\n    override: merge\n    summary: c\n",
        ]);
        assert_eq!(p.services["s"]["command"], "b");
        assert_eq!(p.services["s"]["summary"], "c");
    }

    #[test]
    fn combine_into_a_layer() {
        let mut base = layer(BASE);
        base.summary = "base".into();
        let other = layer(
            "summary: other\nservices:\n  web:\n    override: merge\n    after: [x]\n  db:\n    override: replace\n    command: db\nchecks:\n  up:\n    override: replace\n    tcp: {port: 1}\n",
        );
        base.combine(&other);
        assert_eq!(base.summary, "base");
        assert_eq!(base.services["web"]["after"], json!(["db", "x"]));
        assert_eq!(base.services["web"]["command"], "/bin/web");
        assert_eq!(base.services["db"]["command"], "db");
        assert_eq!(
            base.checks["up"],
            *json!({"override": "replace", "tcp": {"port": 1}})
                .as_object()
                .unwrap()
        );
        assert_eq!(base.log_targets["loki"]["type"], "loki");
    }

    #[test]
    fn override_problems_in_pebble_words() {
        assert_eq!(layer(BASE).override_problem("base"), None);
        assert_eq!(
            layer("services:\n  web:\n    command: x\n").override_problem("l"),
            Some(r#"layer "l" must define "override" for service "web""#.into())
        );
        assert_eq!(
            layer("checks:\n  up:\n    override: bogus\n").override_problem("l"),
            Some(r#"layer "l" has invalid "override" value for check "up""#.into())
        );
        assert_eq!(
            layer("log-targets:\n  t:\n    type: loki\n").override_problem("l"),
            Some(r#"layer "l" must define "override" for log target "t""#.into())
        );
    }

    #[test]
    fn api_dict_and_yaml() {
        assert_eq!(Plan::default().to_api_dict(), json!({}));
        assert_eq!(Plan::default().to_yaml(), "{}\n");
        let p = plan(&["services:\n  s:\n    override: replace\n    command: a\n"]);
        assert_eq!(
            p.to_api_dict(),
            json!({"services": {"s": {"override": "replace", "command": "a"}}})
        );
        assert_eq!(
            p.to_yaml(),
            "services:\n  s:\n    override: replace\n    command: a\n"
        );
    }
}
