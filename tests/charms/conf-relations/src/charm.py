#!/usr/bin/env python3
"""Conf-relations charm: every relation event on regular, peer and subordinate relations.

Exercises relation-get of the remote application and unit bags, relation-set of
this unit's bag (always) and the application bag (on the leader; a non-leader's
attempt is caught and logged), relation-list (the units ops reports), the
event's app/unit/departing_unit, and network-get for the endpoint's binding.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class ConfRelationsCharm(ops.CharmBase):
    """Charm that logs and writes relation data for every relation event."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        for endpoint in ("db", "host", "cluster"):
            events = self.on[endpoint]
            for event in (events.relation_created, events.relation_joined,
                          events.relation_changed, events.relation_departed,
                          events.relation_broken):
                framework.observe(event, self._on_relation_event)

    def _on_relation_event(self, event: ops.RelationEvent) -> None:
        rel = event.relation
        kind = event.handle.kind
        logger.info(f"{kind} id={rel.id} app={event.app and event.app.name} "
                    f"unit={event.unit and event.unit.name}")
        if isinstance(event, ops.RelationDepartedEvent):
            logger.info(f"departing={event.departing_unit and event.departing_unit.name}")
        logger.info(f"units={sorted(u.name for u in rel.units)}")
        if rel.app is not None:
            logger.info(f"remote app data={dict(rel.data[rel.app])}")
        for unit in sorted(rel.units, key=lambda u: u.name):
            logger.info(f"{unit.name} data={dict(rel.data[unit])}")
        try:
            binding = self.model.get_binding(rel)
            if binding is not None:
                logger.info(f"address={binding.network.bind_address}")
        except ops.ModelError as e:
            logger.warning(f"network-get failed: {type(e).__name__}: {e}")
        if isinstance(event, ops.RelationBrokenEvent):
            return
        rel.data[self.unit]["seen"] = kind
        try:
            rel.data[self.app]["leader-wrote"] = kind
        except ops.RelationDataError as e:
            logger.warning(f"app data refused: {e}")
        self.unit.status = ops.ActiveStatus(f"{kind} {len(rel.units)}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfRelationsCharm)
