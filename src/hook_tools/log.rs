//! `juju-log`, and the record of the events ops emitted.

use super::HookTools;
use crate::output::{EmittedEvent, JujuLogLine};

impl HookTools {
    /// `juju-log --log-level <level> <message>`.
    pub fn juju_log(&mut self, level: &str, message: &str) {
        self.output.juju_log.push(JujuLogLine {
            level: level.to_owned(),
            message: message.to_owned(),
        });
    }

    /// Record an event ops emitted, with its class's ancestors.
    pub fn record_event(
        &mut self,
        name: &str,
        event_type: &str,
        deferred: bool,
        bases: Vec<String>,
    ) {
        self.output.emitted_events.push(EmittedEvent {
            name: name.to_owned(),
            event_type: event_type.to_owned(),
            deferred,
            bases,
        });
    }
}
