#!/usr/bin/env python3
"""Secret grants: grants and revokes as a charm makes them in one hook, and gone relations.

update-status runs the `grants` steps on the secret labelled `creds` over the first `db`
relation: `app` grants the remote application, `unit:<n>` its unit `<app>/<n>`, and
`revoke-app` / `revoke-unit:<n>` revoke them; each step logs `<step>: ok` or
`<step>: <ExceptionType>`. With `probe-relation` set it then uses that relation id as a charm
that kept it would (ops' `Model.get_relation`): it logs `read <type>`, `write <type>` and
`network <result>` (ops' `Binding` asks network-get with the id, and without it when ops
raises `RelationNotFoundError`). db-relation-broken logs `broken <id>`.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class SecretGrantsCharm(ops.CharmBase):
    """Grants the `creds` secret as configured."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on["db"].relation_broken, self._on_broken)

    def _step(self, secret: ops.Secret, relation: ops.Relation, step: str) -> None:
        assert relation.app is not None
        kind, _, n = step.partition(":")
        unit = self.model.get_unit(f"{relation.app.name}/{n}") if n else None
        if kind == "app":
            secret.grant(relation)
        elif kind == "unit":
            secret.grant(relation, unit=unit)
        elif kind == "revoke-app":
            secret.revoke(relation)
        elif kind == "revoke-unit":
            secret.revoke(relation, unit=unit)
        else:
            raise ValueError(f"unknown step {step!r}")

    def _on_update_status(self, _: ops.UpdateStatusEvent) -> None:
        steps = str(self.config["grants"]).split()
        if steps:
            secret = self.model.get_secret(label="creds")
            relation = self.model.get_relation("db")
            assert relation is not None, "no db relation"
            for step in steps:
                try:
                    self._step(secret, relation, step)
                    logger.info("%s: ok", step)
                except ops.ModelError as e:
                    logger.info("%s: %s", step, type(e).__name__)
        probe = int(self.config["probe-relation"])
        if probe >= 0:
            self._probe(probe)

    def _probe(self, relation_id: int) -> None:
        relation = self.model.get_relation("db", relation_id)
        assert relation is not None
        try:
            relation.data[self.unit].get("x")
            logger.info("read ok")
        except ops.ModelError as e:
            logger.info("read %s", type(e).__name__)
        try:
            relation.data[self.unit]["x"] = "y"
            logger.info("write ok")
        except ops.ModelError as e:
            logger.info("write %s", type(e).__name__)
        try:
            address = self.model.get_binding(relation).network.bind_address
            logger.info("network %s", address)
        except ops.ModelError as e:
            logger.info("network %s", type(e).__name__)

    def _on_broken(self, event: ops.RelationBrokenEvent) -> None:
        logger.info("broken %s", event.relation.id)


if __name__ == "__main__":  # pragma: nocover
    ops.main(SecretGrantsCharm)
