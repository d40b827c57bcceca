#!/usr/bin/env python3
"""Conf-relations charm: every relation event on regular, peer and subordinate relations.

On a relation event it reports, one log line each (compare.py's relation rules read these
lines by their prefix, so keep them stable):
    "<kind> id=<id> app=<app> unit=<unit>"    the event's relation, app and unit
    "departing=<unit>"                        relation-departed only: event.departing_unit
    "units=[...]"                             relation.units (relation-list), sorted names
    "<unit> data=<json>"                      each of those units' databags
    "event unit data=<json>"                  the event's unit's databag (readable even when
                                              it is not in relation-list)
    "remote app data=<json>", "local app data=<json>", "local unit data=<json>"
    "remote model=<uuid>"                     relation-model-get
    "address=<ip>"                            network-get for the relation's binding
then writes this unit's bag (always), the app bag (refused on a non-leader) and the remote
app's and the event's unit's bags (always refused). Failures are logged as
"<what> failed: <ExceptionType>[: <message>]" (the message only for errors ops raises
itself; hook-tool messages are each engine's own wording).
On update-status it reports every relation it sees, per endpoint, and network-get for each
binding: a regular endpoint, a container-scoped one, the extra-binding, juju-info, and a
name that is no binding. Then it uses `db` relation 99, which no case's State has, as a charm
that kept a gone relation's id would: "gone relation read=...", "gone relation write ..." and
"gone relation address=..." (ops' Binding asks network-get again without the id when ops
raises RelationNotFoundError).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import ops

logger = logging.getLogger(__name__)


def _failed(what: str, e: Exception) -> None:
    own = isinstance(e, ops.RelationDataError) or not isinstance(e, ops.ModelError)
    logger.warning(f"{what} failed: {type(e).__name__}" + (f": {e}" if own else ""))


def _try(what: str, fn: Callable[[], Any]) -> None:
    try:
        logger.info(f"{what}={fn()}")
    except (ops.ModelError, KeyError, ValueError) as e:
        _failed(what, e)


class ConfRelationsCharm(ops.CharmBase):
    """Charm that logs and writes relation data for every relation event."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        for endpoint in ("db", "host", "cluster", "website"):
            events = self.on[endpoint]
            for event in (events.relation_created, events.relation_joined,
                          events.relation_changed, events.relation_departed,
                          events.relation_broken):
                framework.observe(event, self._on_relation_event)
        framework.observe(self.on.update_status, self._on_update_status)

    @staticmethod
    def _bag(rel: ops.Relation, entity: ops.Unit | ops.Application) -> str:
        return json.dumps(dict(rel.data[entity]), sort_keys=True)

    def _on_relation_event(self, event: ops.RelationEvent) -> None:
        rel = event.relation
        kind = event.handle.kind
        logger.info(f"{kind} id={rel.id} app={event.app and event.app.name} "
                    f"unit={event.unit and event.unit.name}")
        if isinstance(event, ops.RelationDepartedEvent):
            logger.info(f"departing={event.departing_unit and event.departing_unit.name}")
        logger.info(f"units={sorted(u.name for u in rel.units)}")
        for unit in sorted(rel.units, key=lambda u: u.name):
            logger.info(f"{unit.name} data={self._bag(rel, unit)}")
        if event.unit is not None:
            _try("event unit data", lambda: self._bag(rel, event.unit))
        if rel.app is not None:
            _try("remote app data", lambda: self._bag(rel, rel.app))
        _try("local app data", lambda: self._bag(rel, self.app))
        _try("local unit data", lambda: self._bag(rel, self.unit))
        _try("remote model", lambda: rel.remote_model.uuid)
        try:
            binding = self.model.get_binding(rel)
            if binding is not None:
                logger.info(f"address={binding.network.bind_address}")
        except ops.ModelError as e:
            _failed("network-get", e)
        if isinstance(event, ops.RelationBrokenEvent):
            return
        rel.data[self.unit]["seen"] = kind
        try:
            rel.data[self.app]["leader-wrote"] = kind
        except ops.RelationDataError as e:
            logger.warning(f"app data refused: {e}")
        if rel.app is not None and rel.app is not self.app:
            try:
                rel.data[rel.app]["intruder"] = kind
            except ops.RelationDataError as e:
                logger.warning(f"remote app data refused: {e}")
        # Not in relation-departed: whether the departing unit is still in relation.data
        # depends on relation-list (compare.py, departed-relation-list).
        if event.unit is not None and not isinstance(event, ops.RelationDepartedEvent):
            try:
                rel.data[event.unit]["intruder"] = kind
            except ops.RelationDataError as e:
                logger.warning(f"remote unit data refused: {e}")
        self.unit.status = ops.ActiveStatus(kind)

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        for endpoint in ("db", "host", "cluster", "website"):
            rels = self.model.relations[endpoint]
            logger.info(f"relations[{endpoint}]={[r.id for r in rels]}")
            for rel in rels:
                logger.info(f"{rel.id}: app={rel.app and rel.app.name} "
                            f"units={sorted(u.name for u in rel.units)}")
                _try(f"{rel.id}: local app data", lambda: self._bag(rel, self.app))
        for binding in ("db", "host", "metrics", "juju-info", "nope"):
            _try(f"binding {binding}", lambda: self.model.get_binding(binding).network.bind_address)
        gone = self.model.get_relation("db", 99)
        if gone is not None:
            _try("gone relation read", lambda: dict(gone.data[self.unit]))
            try:
                gone.data[self.unit]["seen"] = "update_status"
                logger.info("gone relation write ok")
            except ops.ModelError as e:
                _failed("gone relation write", e)
            _try("gone relation address", lambda: self.model.get_binding(gone).network.bind_address)
        peer = self.model.get_relation("cluster")
        if peer is not None:
            try:
                peer.data[self.app]["peer-wrote"] = "update_status"
            except ops.RelationDataError as e:
                logger.warning(f"peer app data refused: {e}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfRelationsCharm)
