//! `juju-log`, and the record of the events ops emitted.

use super::HookTools;
use crate::output::{EmittedEvent, JujuLogLine, LogLevel};

impl HookTools {
    /// `juju-log --log-level <level> <message>`, as Juju's `JujuLogCommand.Run`
    /// (internal/worker/uniter/runner/jujuc/juju-log.go) logs it: a level loggo cannot parse
    /// is logged at INFO after a warning that says so; loggo never writes a line at
    /// `UNSPECIFIED` (`module.willWrite` takes TRACE to CRITICAL only).
    pub fn juju_log(&mut self, level: &str, message: &str) {
        let level = match LogLevel::parse(level) {
            Some(level) => level,
            None if level.eq_ignore_ascii_case("UNSPECIFIED") => return,
            None => {
                self.log_line(
                    LogLevel::Warning,
                    format!("Specified log level of {level:?} is not valid"),
                );
                LogLevel::Info
            }
        };
        self.log_line(level, message.to_owned());
    }

    fn log_line(&mut self, level: LogLevel, message: String) {
        self.output.juju_log.push(JujuLogLine { level, message });
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

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::*;
    use crate::state::State;

    fn logged(levels: &[&str]) -> Vec<(LogLevel, String)> {
        let mut tools = tools_with(serde_json::json!({"name": "demo"}), None, State::default());
        for level in levels {
            tools.juju_log(level, "hello");
        }
        tools
            .output
            .juju_log
            .into_iter()
            .map(|l| (l.level, l.message))
            .collect()
    }

    #[test]
    fn levels_read_as_loggo_reads_them() {
        let got = logged(&["DEBUG", "warn", "Critical", "TRACE"]);
        let levels: Vec<LogLevel> = got.iter().map(|(l, _)| *l).collect();
        assert_eq!(
            levels,
            [
                LogLevel::Debug,
                LogLevel::Warning,
                LogLevel::Critical,
                LogLevel::Trace
            ]
        );
    }

    #[test]
    fn an_unknown_level_is_logged_at_info_after_a_warning_and_unspecified_not_at_all() {
        assert_eq!(
            logged(&["Level 5", "UNSPECIFIED"]),
            [
                (
                    LogLevel::Warning,
                    "Specified log level of \"Level 5\" is not valid".to_owned()
                ),
                (LogLevel::Info, "hello".to_owned()),
            ]
        );
    }
}
