//! Action events (`juju run <unit> <action> key=value ...`): building them, and the action's
//! declaration in the charm's actions metadata.
//!
//! An action event's name is `<action>_action` with `-` written `_` (`fail-me` runs as
//! `fail_me_action`); its [`ActionCall`] names the action as the metadata spells it. The
//! parameters given are what `juju run` would pass; the charm sees them merged over the
//! defaults of the metadata (see [`ActionCall::params_with_defaults`]).
//!
//! The action's id (`JUJU_ACTION_UUID`, ops' `ActionEvent.id`) defaults to
//! [`ActionCall::DEFAULT_ID`], `"1"`, in every run: ops.testing counts ids up from `"1"` across
//! the whole test process, which makes a test's ids depend on the tests run before it.

use serde_json::{Map, Value};

use super::{ActionCall, Event};
use crate::charm::CharmMeta;

impl Event {
    /// The event of running action `name` (as the actions metadata spells it), with no
    /// parameters and the default id.
    ///
    /// ```
    /// use ops_scenario::Event;
    /// let e = Event::action("fail-me");
    /// assert_eq!(e.name, "fail_me_action");
    /// assert_eq!(e.action.as_ref().unwrap().name, "fail-me");
    /// assert_eq!(e.action.as_ref().unwrap().id(), "1");
    /// ```
    pub fn action(name: impl Into<String>) -> Event {
        let call = ActionCall::new(name);
        Event {
            action: Some(call.clone()),
            ..Event::new(call.event_name())
        }
    }

    /// Add parameters to an action event, as `juju run` passes them (`key=value`, values as
    /// JSON). A parameter given twice keeps the last value. On an event that has no
    /// [`ActionCall`] yet, one is made, named after the event (`backup_action` -> `backup`).
    ///
    /// ```
    /// use ops_scenario::Event;
    /// use serde_json::json;
    /// let e = Event::action("backup").params([("target", json!("/srv")), ("level", json!(9))]);
    /// assert_eq!(e.action.unwrap().params["level"], 9);
    /// ```
    pub fn params<K: Into<String>, V: Into<Value>>(
        mut self,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Event {
        let call = self.action_call_mut();
        call.params
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Add one parameter to an action event: `.param("target", "/srv")`.
    pub fn param(self, key: impl Into<String>, value: impl Into<Value>) -> Event {
        self.params([(key.into(), value.into())])
    }

    /// Set the action's id (`JUJU_ACTION_UUID`, ops' `ActionEvent.id`). Defaults to
    /// [`ActionCall::DEFAULT_ID`].
    ///
    /// ```
    /// use ops_scenario::Event;
    /// let e = Event::action("backup").action_id("42");
    /// assert_eq!(e.action.unwrap().id(), "42");
    /// ```
    pub fn action_id(mut self, id: impl Into<String>) -> Event {
        self.action_call_mut().id = Some(id.into());
        self
    }

    fn action_call_mut(&mut self) -> &mut ActionCall {
        let name = self.entity().unwrap_or(&self.name).to_owned();
        self.action.get_or_insert_with(|| ActionCall::new(name))
    }
}

impl ActionCall {
    /// The id an action has when none is given: the same in every run, so outputs compare.
    pub const DEFAULT_ID: &'static str = "1";

    /// Running action `name` (as the metadata spells it) with no parameters and the default
    /// id.
    pub fn new(name: impl Into<String>) -> Self {
        ActionCall {
            name: name.into(),
            params: Map::new(),
            id: None,
        }
    }

    /// The action's id: the one given, or [`ActionCall::DEFAULT_ID`].
    pub fn id(&self) -> &str {
        self.id.as_deref().unwrap_or(Self::DEFAULT_ID)
    }

    /// The name of this action's event: `<name>_action`, with `-` written `_`.
    pub fn event_name(&self) -> String {
        format!("{}_action", self.name.replace('-', "_"))
    }

    /// The parameters the charm sees (`action-get`): the ones given, with the defaults of the
    /// actions metadata filled in where none was given, as Juju fills them when the action is
    /// queued (see [`ActionMeta::with_defaults`](crate::meta::ActionMeta::with_defaults)). An
    /// action the metadata does not declare gets no defaults.
    ///
    /// ```
    /// use ops_scenario::meta::CharmMeta;
    /// use ops_scenario::Event;
    /// use serde_json::json;
    /// let meta = CharmMeta::from_values(
    ///     json!({"name": "demo"}),
    ///     None,
    ///     Some(json!({"backup": {"params": {
    ///         "level": {"type": "integer", "default": 3},
    ///         "target": {"type": "string"},
    ///         "s3": {"type": "object", "properties": {"region": {"type": "string", "default": "eu"}}},
    ///     }}})),
    /// )
    /// .unwrap();
    /// let call = Event::action("backup").param("target", "/srv").action.unwrap();
    /// assert_eq!(
    ///     serde_json::Value::Object(call.params_with_defaults(&meta)),
    ///     json!({"target": "/srv", "level": 3, "s3": {"region": "eu"}})
    /// );
    /// ```
    pub fn params_with_defaults(&self, meta: &CharmMeta) -> Map<String, Value> {
        match meta.actions.get(&self.name) {
            Some(action) => action.with_defaults(&self.params),
            None => self.params.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::EventKind;
    use serde_json::json;

    fn meta(actions: Value) -> CharmMeta {
        CharmMeta::from_values(json!({"name": "demo"}), None, Some(actions)).unwrap()
    }

    #[test]
    fn the_event_name_is_the_action_name_with_underscores() {
        let e = Event::action("fail-me");
        assert_eq!(e.name, "fail_me_action");
        assert_eq!(e.kind(), EventKind::Action);
        let call = e.action.unwrap();
        assert_eq!(call.name, "fail-me");
        assert!(call.params.is_empty());
        assert_eq!(call.id, None);
        assert_eq!(call.id(), "1");
    }

    #[test]
    fn params_accumulate_and_the_last_value_wins() {
        let e = Event::action("backup")
            .params([("a", json!(1)), ("b", json!("x"))])
            .param("a", 2)
            .action_id("7");
        let call = e.action.unwrap();
        assert_eq!(
            Value::Object(call.params.clone()),
            json!({"a": 2, "b": "x"})
        );
        assert_eq!(call.id(), "7");
    }

    #[test]
    fn params_on_a_bare_event_make_the_action_from_its_name() {
        let e = Event::new("backup_action").param("target", "/srv");
        assert_eq!(e.action.unwrap().name, "backup");
    }

    #[test]
    fn json_form_round_trips() {
        let e: Event = serde_json::from_value(json!({
            "name": "backup_action",
            "action": {"name": "backup", "params": {"level": 1}, "id": "9"}
        }))
        .unwrap();
        assert_eq!(e, Event::action("backup").param("level", 1).action_id("9"));
        let e: Event =
            serde_json::from_value(json!({"name": "backup_action", "action": {"name": "backup"}}))
                .unwrap();
        assert_eq!(e, Event::action("backup"));
    }

    #[test]
    fn undeclared_actions_and_actions_without_params_get_none() {
        let meta = meta(json!({"plain": null, "noparams": {"description": "x"}}));
        for name in ["plain", "noparams", "undeclared"] {
            let call = Event::action(name).param("a", 1).action.unwrap();
            assert_eq!(
                Value::Object(call.params_with_defaults(&meta)),
                json!({"a": 1})
            );
        }
        assert!(meta.declares_action("plain") && !meta.declares_action("undeclared"));
    }
}
