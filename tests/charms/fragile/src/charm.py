#!/usr/bin/env python3
"""A web charm that trusts its input, as real charms often do: the explorer's test subject."""

import time

import ops

LAYER: ops.pebble.LayerDict = {
    "summary": "web",
    "services": {"web": {"override": "replace", "command": "/bin/web", "startup": "enabled"}},
}


class FragileCharm(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self._stored.set_default(deployed="")
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.db_relation_changed, self._on_db_changed)
        framework.observe(self.on.website_relation_joined, self._on_website_joined)
        framework.observe(self.on.web_pebble_ready, self._on_web_ready)
        framework.observe(self.on.upgrade_charm, self._on_upgrade_charm)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_config_changed(self, event: ops.ConfigChangedEvent):
        # Bug 1: a port that is not a number raises ValueError.
        port = int(str(self.config["port"]))
        self.unit.status = ops.ActiveStatus(f"listening on {port}")

    def _on_start(self, event: ops.StartEvent):
        web = self.unit.get_container("web")
        # Bug 2: Pebble may not be up yet (ops.pebble.ConnectionError).
        web.add_layer("web", LAYER, combine=True)
        web.replan()

    def _on_db_changed(self, event: ops.RelationChangedEvent):
        if event.unit is None:
            return
        data = event.relation.data[event.unit]
        if "host" not in data:
            return
        # Bug 3: the remote unit may give a host and no port (KeyError).
        self.unit.status = ops.ActiveStatus(f"db at {data['host']}:{data['port']}")

    def _on_website_joined(self, event: ops.RelationJoinedEvent):
        # Bug 4: only the leader may write the application's databag
        # (ops.model.RelationDataAccessError on the others).
        event.relation.data[self.app]["url"] = f"http://{self.app.name}:8080/"

    def _on_web_ready(self, event: ops.PebbleReadyEvent):
        # Bug 5: the file is only there once the workload wrote it (PathError).
        version = event.workload.pull("/etc/web/version").read()
        self.unit.set_workload_version(version.strip())

    def _on_upgrade_charm(self, event: ops.UpgradeCharmEvent):
        previous = self._stored.deployed
        self._stored.deployed = "2"
        if previous:
            # Bug 6: versions were "1.x" once; a second upgrade finds "2" (IndexError).
            minor = int(previous.split(".")[1])
            self.unit.status = ops.MaintenanceStatus(f"migrated from 1.{minor}")

    def _on_update_status(self, event: ops.UpdateStatusEvent):
        retries = min(int(self.config["retries"]), 5)
        attempt = 0
        while not self._peers_agree():
            attempt += 1
            # Bug 7: 0 means "until they agree", which nothing here makes them do.
            if retries and attempt >= retries:
                break
            time.sleep(0.01)
        self.unit.status = ops.ActiveStatus("ok")

    def _peers_agree(self) -> bool:
        cluster = self.model.get_relation("cluster")
        if cluster is None:
            return False
        return any(cluster.data[unit].get("agreed") == "yes" for unit in cluster.units)


if __name__ == "__main__":  # pragma: nocover
    ops.main(FragileCharm)
