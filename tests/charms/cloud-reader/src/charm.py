#!/usr/bin/env python3
"""Cloud-reader charm: cloud credentials, resources, reboots, metrics, pod spec.

- start: `self.model.get_cloud_spec()`, logging every field (a ModelError when
  the application is not trusted sets a blocked status).
- install: `self.model.resources.fetch(<resource option>)` and logs the file's
  content (ModelError and NameError set a blocked status).
- update-status: `self.unit.reboot()` when `reboot` is "later", and
  `self.unit.reboot(now=True)` when it is "now" (ops then exits the hook).
- collect-metrics: adds two metrics with a label.
- upgrade-charm: `self.model.pod.set_spec(...)`.
- restart action: `self.unit.reboot()`, which Juju refuses in an action.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class CloudReaderCharm(ops.CharmBase):
    """Charm that reads what the model offers and asks the machine for things."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.install, self._on_install)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.collect_metrics, self._on_collect_metrics)
        framework.observe(self.on.upgrade_charm, self._on_upgrade_charm)
        framework.observe(self.on.restart_action, self._on_restart)

    def _on_start(self, event: ops.StartEvent) -> None:
        try:
            spec = self.model.get_cloud_spec()
        except ops.ModelError as e:
            logger.error("credential-get failed: %s", str(e).strip())
            self.unit.status = ops.BlockedStatus("no cloud spec")
            return
        logger.info(f"spec type: {type(spec).__name__}")
        logger.info(f"cloud: {spec.type} {spec.name} {spec.region} {spec.endpoint}")
        logger.info(f"endpoints: {spec.identity_endpoint} {spec.storage_endpoint}")
        cred = spec.credential
        if cred is None:
            logger.info("credential: None")
        else:
            logger.info(
                f"credential: {type(cred).__name__} {cred.auth_type} "
                f"{sorted(cred.attributes.items())} {list(cred.redacted)}"
            )
        logger.info(
            f"tls: {list(spec.ca_certificates)} {spec.skip_tls_verify} "
            f"controller={spec.is_controller_cloud}"
        )
        self.unit.status = ops.ActiveStatus(f"cloud: {spec.type}")

    def _on_install(self, event: ops.InstallEvent) -> None:
        name = str(self.config["resource"])
        try:
            path = self.model.resources.fetch(name)
        except ops.ModelError as e:
            logger.error("resource-get failed: %s", str(e).strip())
            self.unit.status = ops.BlockedStatus(f"no {name} resource")
            return
        except NameError as e:
            logger.error("not a resource: %s", e)
            self.unit.status = ops.BlockedStatus(f"unknown resource {name}")
            return
        logger.info(f"{name} at {path}: {path.read_text().strip()}")
        self.unit.status = ops.ActiveStatus(f"{name} fetched")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        mode = str(self.config["reboot"])
        if mode == "later":
            self.unit.reboot()
            logger.info("reboot requested")
            self.unit.status = ops.MaintenanceStatus("rebooting after the hook")
        elif mode == "now":
            self.unit.status = ops.MaintenanceStatus("rebooting now")
            self.unit.reboot(now=True)
            logger.info("still running after reboot(now=True)")
            self.unit.status = ops.ActiveStatus("not rebooted")
        else:
            self.unit.status = ops.ActiveStatus("no reboot")

    def _on_collect_metrics(self, event: ops.CollectMetricsEvent) -> None:
        try:
            event.add_metrics({"requests": 3, "load": 0.5}, {"region": "east"})
            logger.info("metrics added")
        except ops.ModelError as e:
            logger.error("add-metric failed: %s", str(e).strip())

    def _on_upgrade_charm(self, event: ops.UpgradeCharmEvent) -> None:
        spec = {"version": 3, "containers": [{"name": "app", "image": "app:1"}]}
        resources = {"kubernetesResources": {"services": [{"name": "app"}]}}
        try:
            self.model.pod.set_spec(spec, resources)
            logger.info("pod spec set")
            self.unit.status = ops.ActiveStatus("pod spec set")
        except ops.ModelError as e:
            logger.error("pod-spec-set failed: %s", str(e).strip())
            self.unit.status = ops.BlockedStatus("no pod spec")

    def _on_restart(self, event: ops.ActionEvent) -> None:
        try:
            self.unit.reboot()
        except ops.ModelError as e:
            event.fail(f"cannot reboot: {str(e).strip()}")
            return
        event.set_results({"rebooting": True})


if __name__ == "__main__":  # pragma: nocover
    ops.main(CloudReaderCharm)
