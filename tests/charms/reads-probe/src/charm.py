#!/usr/bin/env python3
"""Reads probe: the test charm of the record of what a charm reads (tests/engine/reads.rs).

- config-changed looks up `port` (`config[...]`), `mode` (`.get`), `debug` (`in`) and two
  options that do not exist (`no-such-option` with `.get`, `also-missing` with `[...]`), reads
  the secret labelled `creds` if there is one, and sets the unit status from what it found.
- db-relation-changed looks up, in the remote application's bag, `host` (`[...]`), `port`
  (`.get`, missing) and `user` (`in`); in the remote unit's bag `ingress-address` (`.get`) and
  `password` (`[...]`, missing); then writes `seen` into its own unit bag and reads it back,
  and reads its own application bag as leader (neither is a remote bag).
- cluster-relation-changed looks up `address` (`.get`) and `role` (`in`, missing) in the
  peer's unit bag, and `members` in the application bag all peers share (not a remote bag).
- update-status copies every bag it can read and the config (`dict`, `items`, `len`,
  iteration, `json.dumps`, equality, `repr`) and logs what it saw, then writes the copy of the
  remote application bag into its own unit bag.
"""

from __future__ import annotations

import json
import logging

import ops

logger = logging.getLogger(__name__)


class ReadsProbeCharm(ops.CharmBase):
    """Looks up known keys, to check what a recording run notes."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on["db"].relation_changed, self._on_db_changed)
        framework.observe(self.on["cluster"].relation_changed, self._on_cluster_changed)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        port = self.config["port"]
        mode = self.config.get("mode")
        debug = "debug" in self.config
        missing = self.config.get("no-such-option", "absent")
        try:
            also = self.config["also-missing"]
        except KeyError:
            also = "KeyError"
        try:
            secret = self.model.get_secret(label="creds").get_content()["password"]
        except ops.SecretNotFoundError:
            secret = "none"
        self.unit.status = ops.ActiveStatus(
            f"port={port} mode={mode} debug={debug} missing={missing} also={also} "
            f"secret={secret}"
        )

    def _on_db_changed(self, event: ops.RelationChangedEvent) -> None:
        relation = event.relation
        assert event.app is not None and event.unit is not None
        app_bag = relation.data[event.app]
        host = app_bag["host"]
        port = app_bag.get("port")
        has_user = "user" in app_bag
        unit_bag = relation.data[event.unit]
        address = unit_bag.get("ingress-address")
        try:
            password = unit_bag["password"]
        except KeyError:
            password = "KeyError"
        relation.data[self.unit]["seen"] = host
        seen = relation.data[self.unit].get("seen")
        own_app = relation.data[self.app].get("leader-key") if self.unit.is_leader() else None
        logger.info(
            "db: host=%s port=%s user=%s address=%s password=%s seen=%s own_app=%s",
            host, port, has_user, address, password, seen, own_app,
        )

    def _on_cluster_changed(self, event: ops.RelationChangedEvent) -> None:
        relation = event.relation
        assert event.unit is not None
        peer_bag = relation.data[event.unit]
        address = peer_bag.get("address")
        has_role = "role" in peer_bag
        members = relation.data[self.app].get("members")
        logger.info("cluster: address=%s role=%s members=%s", address, has_role, members)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        seen: dict[str, object] = {}
        config = dict(self.config)
        seen["config"] = [sorted(config.items()), len(self.config), sorted(self.config)]
        for relation in self.model.relations["db"] + self.model.relations["cluster"]:
            for entity in [relation.app, *sorted(relation.units, key=lambda u: u.name)]:
                if entity is None:
                    continue
                bag = relation.data[entity]
                copy = dict(bag)
                seen[f"{relation.name}:{entity.name}"] = [
                    copy,
                    sorted(bag.items()),
                    len(bag),
                    sorted(bag),
                    json.dumps(copy, sort_keys=True),
                    bag == copy,
                    copy == dict(sorted(copy.items())),
                    repr(bag) == repr(copy),
                ]
        logger.info("update-status: %s", json.dumps(seen, sort_keys=True))
        for relation in self.model.relations["db"]:
            if relation.app is not None:
                relation.data[self.unit]["copied"] = json.dumps(
                    dict(relation.data[relation.app]), sort_keys=True
                )


if __name__ == "__main__":  # pragma: nocover
    ops.main(ReadsProbeCharm)
