//! `config-get` and `goal-state`.

use super::HookTools;
use crate::state::ConfigValue;

impl HookTools {
    /// `config-get`: every option the user set, plus declared defaults for the rest.
    /// Options with neither are absent, as in Juju.
    pub fn config_get(&self) -> Vec<(&str, &ConfigValue)> {
        let mut values: Vec<(&str, &ConfigValue)> = self
            .state
            .config
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        for (name, option) in &self.meta.config_options {
            if self.state.config.contains_key(name) {
                continue;
            }
            if let Some(default) = &option.default {
                values.push((name.as_str(), default));
            }
        }
        values
    }

    /// `goal-state`, reduced to what ops reads: the number of planned units.
    pub fn planned_units(&self) -> u32 {
        self.state.planned_units
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use crate::state::{ConfigValue, State};

    #[test]
    fn config_get_fills_in_defaults_but_not_unset_options() {
        let t = tools_with(
            serde_json::json!({"name": "demo"}),
            Some(serde_json::json!({"options": {
                "port": {"type": "int", "default": 8080},
                "name": {"type": "string"},
                "debug": {"type": "boolean", "default": false},
            }})),
            State::default().config([("port", 9000.into())]),
        );
        let got = t.config_get();
        assert!(got.contains(&("port", &ConfigValue::Int(9000))));
        assert!(got.contains(&("debug", &ConfigValue::Bool(false))));
        assert!(!got.iter().any(|(k, _)| *k == "name"));
        assert_eq!(got.len(), 2);
    }
}
