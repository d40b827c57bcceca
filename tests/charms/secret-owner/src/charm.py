#!/usr/bin/env python3
"""Secret owner: the owning side of the secrets test charms.

Exercises, as leader, `Application.add_secret` (with a label and description),
`Model.get_secret` by label, `Secret.set_content`, `Secret.grant`, `Secret.get_info`,
`Secret.remove_revision`, and the owner's events: `secret_rotate`, `secret_expired` and
`secret_remove` (`event.secret`, `event.revision`). A follower only reports that it is one.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)

LABEL = "creds"


class SecretOwnerCharm(ops.CharmBase):
    """Keeps the `creds` application secret and shares it on `db`."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on["db"].relation_joined, self._on_db_joined)
        framework.observe(self.on.secret_rotate, self._on_rotate)
        framework.observe(self.on.secret_expired, self._on_expired)
        framework.observe(self.on.secret_remove, self._on_remove)

    def _secret(self) -> ops.Secret | None:
        try:
            return self.model.get_secret(label=LABEL)
        except ops.SecretNotFoundError:
            return None

    def _on_config_changed(self, _: ops.ConfigChangedEvent) -> None:
        if not self.unit.is_leader():
            self.unit.status = ops.WaitingStatus("not the leader")
            return
        content = {"password": str(self.config["password"])}
        secret = self._secret()
        if secret is None:
            secret = self.app.add_secret(content, label=LABEL, description="db credentials")
            logger.info("added %s", secret.id)
        else:
            secret.set_content(content)
            logger.info("updated %s", secret.get_info().id)
        self.unit.status = ops.ActiveStatus(f"revision {secret.get_info().revision}")

    def _on_db_joined(self, event: ops.RelationJoinedEvent) -> None:
        if not self.unit.is_leader():
            return
        secret = self._secret()
        if secret is None:
            self.unit.status = ops.BlockedStatus("no secret to share")
            return
        secret.grant(event.relation)
        event.relation.data[self.app]["secret-id"] = secret.get_info().id
        logger.info("granted to %s", event.app.name if event.app else None)

    def _on_rotate(self, event: ops.SecretRotateEvent) -> None:
        info = event.secret.get_info()
        event.secret.set_content({"password": f"rotated-{info.revision + 1}"})
        logger.info("rotated %s label=%s", info.id, event.secret.label)
        self.unit.status = ops.ActiveStatus(f"revision {event.secret.get_info().revision}")

    def _on_expired(self, event: ops.SecretExpiredEvent) -> None:
        logger.info("expired revision %s of %s", event.revision, event.secret.label)
        event.secret.remove_revision(event.revision)

    def _on_remove(self, event: ops.SecretRemoveEvent) -> None:
        logger.info("removing revision %s of %s", event.revision, event.secret.label)
        event.secret.remove_revision(event.revision)


if __name__ == "__main__":  # pragma: nocover
    ops.main(SecretOwnerCharm)
