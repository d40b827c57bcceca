#!/usr/bin/env python3
"""A web charm that trusts its input, as real charms often do: the explorer's test subject."""

import time

import ops


class FragileCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)
        framework.observe(self.on.web_pebble_ready, self._on_web_ready)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_config_changed(self, event: ops.ConfigChangedEvent):
        # Bug 1: a port that is not a number raises ValueError.
        port = int(str(self.config["port"]))
        self.unit.status = ops.ActiveStatus(f"listening on {port}")

    def _on_db_changed(self, event: ops.RelationChangedEvent):
        if event.unit is None:
            return
        data = event.relation.data[event.unit]
        if "host" not in data:
            return
        # Bug 2: the remote unit may give a host and no port (KeyError).
        self.unit.status = ops.ActiveStatus(f"db at {data['host']}:{data['port']}")

    def _on_web_ready(self, event: ops.PebbleReadyEvent):
        # Bug 3: the file is only there once the workload wrote it (PathError).
        version = event.workload.pull("/etc/web/version").read()
        self.unit.set_workload_version(version.strip())

    def _on_update_status(self, event: ops.UpdateStatusEvent):
        cluster = self.model.get_relation("cluster")
        if cluster is not None and len(cluster.units) >= 2:
            # Bug 4: waits for its peers to agree, which nothing here makes them do.
            time.sleep(3600)
        self.unit.status = ops.ActiveStatus("ok")


if __name__ == "__main__":  # pragma: nocover
    ops.main(FragileCharm)
