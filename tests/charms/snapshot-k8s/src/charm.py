#!/usr/bin/env python3
"""Snapshot-k8s charm: a sidecar charm with containers and secrets, for `scenario snapshot`.

Exercises what a snapshot of a Kubernetes unit holds (tests/snapshot.rs and the generated
tests/snapshot_generated_k8s.rs): a container whose Pebble plan, service statuses and a
fetched file come from the live unit, a container Pebble does not answer in, a secret the
application owns (found by its label) and one it observes (found by the id in config), an
`ingress` relation, storage instances, the cloud spec (the application is trusted),
StoredState and a deferred pebble-ready.
"""

from __future__ import annotations

import ops

CONFIG_FILE = "/etc/web/web.conf"


class WebCharm(ops.CharmBase):
    """Serves what its workload container runs, with the credentials from its secrets."""

    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        self._stored.set_default(restarts=0)
        framework.observe(self.on.web_pebble_ready, self._on_web_pebble_ready)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_web_pebble_ready(self, event: ops.PebbleReadyEvent) -> None:
        self._stored.restarts += 1
        self._report(event.workload)

    def _on_update_status(self, _: ops.UpdateStatusEvent) -> None:
        self._report(self.unit.get_container("web"))

    def _report(self, container: ops.Container) -> None:
        if not container.can_connect():
            self.unit.status = ops.WaitingStatus("waiting for Pebble")
            return
        services = sorted(container.get_plan().services)
        running = sorted(n for n, s in container.get_services().items() if s.is_running())
        token = self.model.get_secret(label="api-token").get_content()["token"]
        vault_id = str(self.config["vault-secret"])
        password = self.model.get_secret(id=vault_id).get_content()["password"] if vault_id else ""
        conf = container.pull(CONFIG_FILE).read() if container.exists(CONFIG_FILE) else ""
        ingress = self.model.get_relation("ingress")
        url = ingress.data[ingress.app].get("url", "") if ingress and ingress.app else ""
        sidecar = self.unit.get_container("sidecar").can_connect()
        storage = [f"{s.name}/{s.index}" for name in ("data", "cache") for s in self.model.storages[name]]
        try:
            cloud = self.model.get_cloud_spec().name
        except ops.ModelError:  # not trusted, or no cloud spec in the State
            cloud = "unknown"
        self.unit.status = ops.ActiveStatus(
            f"{','.join(running)} of {','.join(services)} running at {url or 'no url'}; "
            f"token {len(token)} chars, password {len(password)} chars, "
            f"config {len(conf)} bytes, sidecar {'up' if sidecar else 'down'}, "
            f"storage {' '.join(storage) or 'none'}, cloud {cloud}"
        )


if __name__ == "__main__":  # pragma: nocover
    ops.main(WebCharm)
