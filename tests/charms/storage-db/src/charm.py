#!/usr/bin/env python3
"""Storage-db charm: a database whose files live on Juju storage.

- data-storage-attached: writes `marker.txt` into the first data instance
  (`self.model.storages["data"][0].location`) and `own.txt` into the attached
  instance (`event.storage.location`).
- data-storage-detaching: logs the instance and what its marker says.
- config-changed: requests `request` more data instances.
- update-status: runs the storage probe named by the `probe` option and logs
  `probe <name>: <result>`.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class StorageDbCharm(ops.CharmBase):
    """Charm that keeps its data on storage and probes the storage hook tools."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.data_storage_attached, self._on_data_attached)
        framework.observe(self.on.data_storage_detaching, self._on_data_detaching)
        framework.observe(self.on.scratch_storage_attached, self._on_scratch_attached)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_data_attached(self, event: ops.StorageAttachedEvent) -> None:
        storage = event.storage
        logger.info(f"attached {storage.full_id} at {storage.location}")
        first = self.model.storages["data"][0]
        (first.location / "marker.txt").write_text(f"written by {self.unit.name}\n")
        (storage.location / "own.txt").write_text(f"{storage.full_id}\n")
        indices = [s.index for s in self.model.storages["data"]]
        logger.info(f"data instances: {indices}")
        self.unit.status = ops.ActiveStatus(f"data: {len(indices)}")

    def _on_data_detaching(self, event: ops.StorageDetachingEvent) -> None:
        storage = event.storage
        marker = storage.location / "marker.txt"
        content = marker.read_text().strip() if marker.exists() else "no marker"
        logger.info(f"detaching {storage.full_id} at {storage.location}: {content}")
        self.unit.status = ops.MaintenanceStatus(f"detaching {storage.full_id}")

    def _on_scratch_attached(self, event: ops.StorageAttachedEvent) -> None:
        logger.info(f"scratch {event.storage.index} at {event.storage.location}")
        self.unit.status = ops.ActiveStatus("scratch attached")

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        count = int(self.config["request"])
        try:
            self.model.storages.request("data", count)
        except ops.ModelError as e:
            logger.error("storage-add failed: %s", e)
            self.unit.status = ops.BlockedStatus("cannot add storage")
            return
        self.unit.status = ops.MaintenanceStatus(f"requested {count} data")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        name = str(self.config["probe"])
        probe = getattr(self, "_probe_" + name.replace("-", "_"), None)
        if probe is None:
            self.unit.status = ops.BlockedStatus(f"unknown probe {name!r}")
            return
        try:
            result = probe()
        except Exception as e:  # noqa: BLE001 - the probe reports what it got
            result = f"{type(e).__name__}: {str(e).strip()}"
        logger.info(f"probe {name}: {result}")
        self.unit.status = ops.ActiveStatus(f"probe {name} done")

    def _probe_list(self) -> str:
        data = [s.index for s in self.model.storages["data"]]
        scratch = [s.index for s in self.model.storages["scratch"]]
        return f"data={data} scratch={scratch}"

    def _probe_locations(self) -> str:
        return " ".join(
            f"{s.full_id}={s.location}" for s in self.model.storages["data"]
        )

    def _probe_kind(self) -> str:
        backend = self.model._backend
        return f"{backend.storage_get('data/0', 'kind')} {backend.storage_get('scratch/0', 'kind')}"

    def _probe_not_attached(self) -> str:
        return str(ops.Storage("data", 7, self.model._backend).location)

    def _probe_bad_attribute(self) -> str:
        return self.model._backend.storage_get("data/0", "size")

    def _probe_empty_attribute(self) -> str:
        return self.model._backend.storage_get("data/0", "")

    def _probe_unknown_name(self) -> str:
        self.model.storages.request("logs")
        return "requested"

    def _probe_undeclared_key(self) -> str:
        return str(self.model.storages["logs"])

    def _probe_singular(self) -> str:
        self.model.storages.request("scratch")
        return "requested"

    def _probe_bad_count(self) -> str:
        self.model.storages.request("data", "2")  # type: ignore[arg-type]
        return "requested"

    def _probe_request_twice(self) -> str:
        self.model.storages.request("data")
        self.model.storages.request("data")
        return "requested"


if __name__ == "__main__":  # pragma: nocover
    ops.main(StorageDbCharm)
