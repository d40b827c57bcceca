#!/usr/bin/env python3
"""Action charm: handlers for actions, and a config-changed handler that defers.

`backup` reports the parameters it got (the metadata's defaults filled in) and
its id; `restore` raises when no source is given; `fail-me` fails and keeps
going; `report` sets nested results and results with dotted keys; `defer-me`
calls defer(), which ops refuses for actions. `config-changed` defers until
the `ready` option is set, so a deferred config-changed is re-emitted before
the next action.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class ActionBackupCharm(ops.CharmBase):
    """Charm with actions."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(config_changed_runs=0)
        framework.observe(self.on.backup_action, self._on_backup)
        framework.observe(self.on.restore_action, self._on_restore)
        framework.observe(self.on.fail_me_action, self._on_fail_me)
        framework.observe(self.on.report_action, self._on_report)
        framework.observe(self.on.defer_me_action, self._on_defer_me)
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        self._stored.config_changed_runs += 1
        if not self.config["ready"]:
            logger.info("not ready, deferring config-changed")
            event.defer()

    def _on_backup(self, event: ops.ActionEvent) -> None:
        params = event.params
        event.log(f"backing up to {params['target']}")
        event.set_results(
            {
                "id": event.id,
                "params": dict(params),
                "config-changed-runs": self._stored.config_changed_runs,
            }
        )
        event.log("done")
        self.unit.status = ops.ActiveStatus(f"backed up to {params['target']}")

    def _on_restore(self, event: ops.ActionEvent) -> None:
        source = event.params.get("from")
        event.log("restoring")
        if source is None:
            raise ValueError("restore needs a source: give from=<backup>")
        event.set_results({"restored-from": source})

    def _on_fail_me(self, event: ops.ActionEvent) -> None:
        event.log("about to fail")
        event.set_results({"partial": "yes"})
        if "message" in event.params:
            event.fail(event.params["message"])
        else:
            event.fail()
        # fail() does not stop the handler.
        event.log("still running")
        self.unit.status = ops.BlockedStatus("the action failed")

    def _on_report(self, event: ops.ActionEvent) -> None:
        event.set_results({"a": {"b": "c"}})
        event.set_results({"a.d": "e", "x.y.z": 1, "count": 3, "flag": True})

    def _on_defer_me(self, event: ops.ActionEvent) -> None:
        event.defer()


if __name__ == "__main__":  # pragma: nocover
    ops.main(ActionBackupCharm)
