#!/usr/bin/env python3
"""Secret observer: the observing side of the secrets test charms.

Exercises `Model.get_secret` by id (with a label, which Juju then remembers) and by label,
`Secret.get_content` with and without `refresh`, `Secret.peek_content`, and
`secret_changed` (`event.secret`, its id and label). With the `overwrite` option set,
config-changed makes the mistake of setting the content of the secret it only observes (by
the id in `db`), which Juju takes during the hook and refuses when it commits it.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)

LABEL = "db-creds"


class SecretObserverCharm(ops.CharmBase):
    """Reads the `db` credentials secret and keeps up with its revisions."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on["db"].relation_changed, self._on_db_changed)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.secret_changed, self._on_secret_changed)
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_config_changed(self, _: ops.ConfigChangedEvent) -> None:
        overwrite = str(self.config["overwrite"])
        relation = self.model.get_relation("db")
        if not overwrite or relation is None or relation.app is None:
            return
        secret_id = relation.data[relation.app]["secret-id"]
        self.model.get_secret(id=secret_id).set_content({"password": overwrite})
        logger.info("set the password; carrying on")
        self.unit.status = ops.ActiveStatus("overwrote the password")

    def _on_db_changed(self, event: ops.RelationChangedEvent) -> None:
        secret_id = event.relation.data[event.app].get("secret-id") if event.app else None
        if not secret_id:
            self.unit.status = ops.WaitingStatus("no secret yet")
            return
        secret = self.model.get_secret(id=secret_id, label=LABEL)
        content = secret.get_content()
        logger.info("read %s by id: %s", secret_id, content["password"])
        self.unit.status = ops.ActiveStatus(f"password={content['password']}")

    def _on_update_status(self, _: ops.UpdateStatusEvent) -> None:
        try:
            secret = self.model.get_secret(label=LABEL)
        except ops.SecretNotFoundError:
            self.unit.status = ops.WaitingStatus("no secret labelled db-creds")
            return
        content = secret.get_content()
        self.unit.status = ops.ActiveStatus(f"password={content['password']}")

    def _on_secret_changed(self, event: ops.SecretChangedEvent) -> None:
        if event.secret.label != LABEL:
            logger.warning("changed: unknown secret %s", event.secret.id)
            return
        tracked = event.secret.get_content()
        latest = event.secret.peek_content()
        refreshed = event.secret.get_content(refresh=True)
        logger.info(
            "changed %s: tracked=%s latest=%s refreshed=%s",
            event.secret.id,
            tracked["password"],
            latest["password"],
            refreshed["password"],
        )
        self.unit.status = ops.ActiveStatus(f"password={refreshed['password']}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(SecretObserverCharm)
