//! The unit's machine and legacy tools: `juju-reboot`, `add-metric` and `pod-spec-set`.
//!
//! Each method checks what Juju checks and refuses with Juju's text; when it allows the call,
//! the caller records it in the run's Output (the reboot asked for, the metrics added, the
//! last pod spec set).
//!
//! - `juju-reboot` works in every hook but not in an action (Juju: "juju-reboot is not
//!   supported when running an action."). `--now` kills the hook in Juju; ops then calls
//!   `sys.exit()` itself, which the run treats as a hook that ended early.
//! - `add-metric` works only in `collect-metrics` (Juju: "cannot record metric: metrics not
//!   allowed in this context"), and not on Juju 3.6.11 or later, which dropped metrics. ops
//!   validates keys, label names and values and formats the values before it runs the tool;
//!   the caller does that with ops' own validator and passes the formatted strings.
//! - `pod-spec-set` is for podspec charms, which only Juju 2.9 runs (Juju 3 deploys none);
//!   only the leader may set the spec, and only on a Kubernetes model.
//! - Juju 4 has neither tool (internal/worker/uniter/runner/jujuc/server.go on main:
//!   `baseCommands` lists no `add-metric`, `pod-spec-*` or `k8s-*`): the executable is
//!   missing, and ops raises what it raises for that (`HookToolError::Missing`).

use super::{refused, HookToolError, HookTools};
use crate::options::{JujuVersion, JUJU_4};
use crate::output::Reboot;
use crate::state::ModelType;

/// The first Juju without metrics (`collect-metrics`, `add-metric`).
const METRICS_REMOVED_IN: JujuVersion = JujuVersion(3, 6, 11);
/// The first Juju that runs no podspec charms.
const PODSPEC_REMOVED_IN: JujuVersion = JujuVersion(3, 0, 0);

impl HookTools {
    /// `juju-reboot [--now]`: the request is recorded, as Juju's `HookContext.RequestReboot`
    /// (internal/worker/uniter/runner/context/context.go) sets the hook's reboot priority; a
    /// request for `--now` ends the hook (the shim does that), so nothing can lower it after.
    ///
    /// # Errors
    /// `Refused` with Juju's text in an action (jujuc's `JujuRebootCommand`).
    pub fn reboot(&mut self, now: bool) -> Result<(), HookToolError> {
        if self.scope.action.is_some() {
            return Err(refused(
                "juju-reboot is not supported when running an action.",
            ));
        }
        if self.output.reboot_requested != Some(Reboot::Now) {
            self.output.reboot_requested = Some(if now { Reboot::Now } else { Reboot::AfterHook });
        }
        Ok(())
    }

    /// `add-metric [--labels k=v,...] k=v ...`: may the charm add these metrics (keys and
    /// formatted values) now? `in_collect_metrics`: the run is the `collect-metrics` hook.
    /// The caller records them.
    ///
    /// # Errors
    /// `Refused` with Juju's text on Juju 3.6.11 or later, outside `collect-metrics`, with no
    /// metrics, or with a key in Juju's reserved `juju` namespace.
    pub fn add_metrics(
        &self,
        in_collect_metrics: bool,
        metrics: &[(String, String)],
    ) -> Result<(), HookToolError> {
        if self.scope.juju >= JUJU_4 {
            return Err(HookToolError::Missing("add-metric"));
        }
        if self.scope.juju >= METRICS_REMOVED_IN {
            return Err(refused(format!(
                "add-metric is not available on Juju {}: Juju {METRICS_REMOVED_IN} removed metrics",
                self.scope.juju
            )));
        }
        if !in_collect_metrics {
            return Err(refused(
                "cannot record metric: metrics not allowed in this context",
            ));
        }
        if metrics.is_empty() {
            return Err(refused("no metrics specified"));
        }
        if let Some((key, _)) = metrics.iter().find(|(k, _)| k.starts_with("juju")) {
            return Err(refused(format!("{key} uses a reserved prefix")));
        }
        Ok(())
    }

    /// `pod-spec-set --file <spec> [--k8s-resources <file>]`: may the charm set its pod spec?
    /// The caller records the spec (the last one set wins, as in Juju).
    ///
    /// # Errors
    /// `Refused` on Juju 3 or later, on a machine model, and for a unit that is not the leader
    /// (ops itself checks leadership first, with its own message).
    pub fn pod_spec_set(&self) -> Result<(), HookToolError> {
        if self.scope.juju >= JUJU_4 {
            return Err(HookToolError::Missing("pod-spec-set"));
        }
        if self.scope.juju >= PODSPEC_REMOVED_IN {
            return Err(refused(format!(
                "pod-spec-set is not available on Juju {}: podspec charms need Juju 2.9",
                self.scope.juju
            )));
        }
        if self.state.model.model_type != ModelType::Kubernetes {
            return Err(refused(
                "pod-spec-set is only available on Kubernetes models",
            ));
        }
        if !self.state.leader {
            return Err(refused("this unit is not the leader"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::*;
    use crate::state::{Model, State};

    fn tools(state: State) -> HookTools {
        tools_with(serde_json::json!({"name": "demo"}), None, state)
    }

    fn metrics(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reboot_is_recorded_now_winning_and_refused_in_actions() {
        let mut t = tools(State::default());
        t.reboot(false).unwrap();
        assert_eq!(t.output.reboot_requested, Some(Reboot::AfterHook));
        t.reboot(true).unwrap();
        t.reboot(false).unwrap();
        assert_eq!(t.output.reboot_requested, Some(Reboot::Now));
        t.scope.action = Some(crate::event::ActionCall {
            name: "backup".into(),
            params: Default::default(),
            id: None,
        });
        assert_eq!(
            t.reboot(false).unwrap_err(),
            HookToolError::Refused("juju-reboot is not supported when running an action.".into())
        );
    }

    #[test]
    fn metrics_only_in_collect_metrics_before_juju_3_6_11() {
        let mut t = tools(State::default());
        let m = metrics(&[("requests", "3"), ("load", "0.5")]);
        // The default Juju (3.6.14) has no metrics at all.
        assert!(matches!(
            t.add_metrics(true, &m),
            Err(HookToolError::Refused(msg)) if msg.contains("removed metrics")
        ));
        t.scope.juju = JujuVersion(3, 6, 10);
        assert!(t.add_metrics(true, &m).is_ok());
        assert_eq!(
            t.add_metrics(false, &m).unwrap_err(),
            HookToolError::Refused(
                "cannot record metric: metrics not allowed in this context".into()
            )
        );
        assert_eq!(
            t.add_metrics(true, &[]).unwrap_err(),
            HookToolError::Refused("no metrics specified".into())
        );
        assert_eq!(
            t.add_metrics(true, &metrics(&[("juju-units", "1")]))
                .unwrap_err(),
            HookToolError::Refused("juju-units uses a reserved prefix".into())
        );
    }

    #[test]
    fn pod_spec_needs_juju_2_kubernetes_and_leadership() {
        let mut leader = tools(State::default().leader(true));
        assert!(matches!(
            leader.pod_spec_set(),
            Err(HookToolError::Refused(m)) if m.contains("need Juju 2.9")
        ));
        leader.scope.juju = JujuVersion(2, 9, 44);
        assert!(leader.pod_spec_set().is_ok());
        let mut follower = tools(State::default());
        follower.scope.juju = JujuVersion(2, 9, 44);
        assert_eq!(
            follower.pod_spec_set().unwrap_err(),
            HookToolError::Refused("this unit is not the leader".into())
        );
        let mut machine = tools(
            State::default()
                .leader(true)
                .model(Model::default().model_type(ModelType::Lxd)),
        );
        machine.scope.juju = JujuVersion(2, 9, 44);
        assert!(machine.pod_spec_set().is_err());
    }

    #[test]
    fn juju_4_has_neither_add_metric_nor_pod_spec_set() {
        let mut t = tools(State::default().leader(true));
        t.scope.juju = JujuVersion(3, 6, 20);
        assert!(matches!(
            t.add_metrics(true, &metrics(&[("a", "1")])),
            Err(HookToolError::Refused(_))
        ));
        assert!(matches!(t.pod_spec_set(), Err(HookToolError::Refused(_))));
        t.scope.juju = JujuVersion(4, 0, 16);
        assert_eq!(
            t.add_metrics(true, &metrics(&[("a", "1")])).unwrap_err(),
            HookToolError::Missing("add-metric")
        );
        assert_eq!(
            t.pod_spec_set().unwrap_err(),
            HookToolError::Missing("pod-spec-set")
        );
    }
}
