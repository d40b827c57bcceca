#!/usr/bin/env python3
"""Relation-read-all charm: reads every remote databag on the `upstream` endpoint.

Exercises relation-ids, relation-list and relation-get (remote app and remote
unit databags) over every relation on one endpoint, reading every key, then
status-set with the totals. It writes no relation data.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class RelationReadAllCharm(ops.CharmBase):
    """Charm that counts the keys in every remote databag it can see."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.upstream_relation_changed, self._on_upstream_relation_changed)

    def _on_upstream_relation_changed(self, event: ops.RelationChangedEvent) -> None:
        keys = 0
        bags = 0
        for relation in self.model.relations["upstream"]:
            remotes: list[ops.Unit | ops.Application] = []
            if relation.app is not None:
                remotes.append(relation.app)
            remotes.extend(relation.units)
            for remote in remotes:
                bags += 1
                for _key, _value in relation.data[remote].items():
                    keys += 1
        logger.debug("read %d keys in %d bags", keys, bags)
        self.unit.status = ops.ActiveStatus(f"read {keys} keys in {bags} bags")


if __name__ == "__main__":  # pragma: nocover
    ops.main(RelationReadAllCharm)
