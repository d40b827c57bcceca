#!/usr/bin/env python3
"""Conf-secrets charm: secret operations step by step, each outcome on a report line.

update-status runs the steps of the `steps` option in order; each logs `<step>: <result>` or
`<step>: <ExceptionType>` (exception texts differ between engines, types must not). Steps:

- `get-id`, `get-label`: `get_content()` of `model.get_secret(id=...)` / `(label=...)`;
  `peek`, `refresh`: `peek_content()` / `get_content(refresh=True)` by id;
  `label-by-id`: `get_secret(id=..., label='relabelled')` then `get_content()`;
- `info-id`, `info-label`: `get_info()` (id, label, revision, description, rotation,
  expires);
- `set-content`: `set_content({'password': 'set'})`; `set-twice`: two `set_content` calls;
  `set-info`: `set_info(description='described', rotate=DAILY)`;
- `grant-app`, `grant-unit`, `revoke-app`, `revoke-unit`: on the `db` relation (unit: its
  first remote unit); `grant-last-unit`: to its last remote unit; `grant-peer`: to the first
  peer unit;
- `remove-1`, `remove-2`, `remove-all`: `remove_revision(n)` / `remove_all_revisions()`;
- `add-app`, `add-unit`: `app.add_secret` / `unit.add_secret` with the `label`, then read
  back by label; `get-unknown`, `get-unknown-label`: a secret that does not exist.

Secret events report `event.secret.id`, its label and the event's revision; secret-changed
then reads tracked, peeked and refreshed content, secret-rotate sets new content, and
secret-expired / secret-remove remove the event's revision.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ops

logger = logging.getLogger(__name__)


class ConfSecretsCharm(ops.CharmBase):
    """Runs the configured secret steps."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)
        framework.observe(self.on.secret_changed, self._on_changed)
        framework.observe(self.on.secret_rotate, self._on_rotate)
        framework.observe(self.on.secret_expired, self._on_expired)
        framework.observe(self.on.secret_remove, self._on_remove)

    # ---- steps ---------------------------------------------------------------------------

    def _by_id(self) -> ops.Secret:
        return self.model.get_secret(id=str(self.config["secret-id"]))

    def _by_label(self) -> ops.Secret:
        return self.model.get_secret(label=str(self.config["label"]))

    def _relation(self) -> ops.Relation:
        relation = self.model.get_relation("db")
        assert relation is not None, "no db relation"
        return relation

    def _info(self, secret: ops.Secret) -> str:
        info = secret.get_info()
        rotation = info.rotation.value if info.rotation else None
        expires = info.expires.isoformat() if info.expires else None
        return (
            f"id={info.id} label={info.label} revision={info.revision} "
            f"description={info.description} rotation={rotation} expires={expires}"
        )

    def _add(self, owner: ops.Application | ops.Unit) -> str:
        owner.add_secret({"token": "added"}, label=str(self.config["label"]))
        return str(self._by_label().get_content())

    def _set_twice(self) -> None:
        secret = self._by_id()
        secret.set_content({"password": "first"})
        secret.set_content({"password": "second"})

    def _steps(self) -> dict[str, Callable[[], Any]]:
        first_unit = lambda rel: sorted(rel.units, key=lambda u: u.name)[0]  # noqa: E731
        last_unit = lambda rel: sorted(rel.units, key=lambda u: u.name)[-1]  # noqa: E731
        return {
            "get-id": lambda: self._by_id().get_content(),
            "get-label": lambda: self._by_label().get_content(),
            "peek": lambda: self._by_id().peek_content(),
            "refresh": lambda: self._by_id().get_content(refresh=True),
            "label-by-id": lambda: self.model.get_secret(
                id=str(self.config["secret-id"]), label="relabelled"
            ).get_content(),
            "info-id": lambda: self._info(self._by_id()),
            "info-label": lambda: self._info(self._by_label()),
            "set-content": lambda: self._by_id().set_content({"password": "set"}),
            "set-twice": self._set_twice,
            "set-info": lambda: self._by_id().set_info(
                description="described", rotate=ops.SecretRotate.DAILY
            ),
            "grant-app": lambda: self._by_id().grant(self._relation()),
            "grant-unit": lambda: self._by_id().grant(
                self._relation(), unit=first_unit(self._relation())
            ),
            "grant-last-unit": lambda: self._by_id().grant(
                self._relation(), unit=last_unit(self._relation())
            ),
            "revoke-app": lambda: self._by_id().revoke(self._relation()),
            "revoke-unit": lambda: self._by_id().revoke(
                self._relation(), unit=first_unit(self._relation())
            ),
            "grant-peer": lambda: self._by_id().grant(
                self.model.get_relation("cluster"),  # type: ignore[arg-type]
                unit=first_unit(self.model.get_relation("cluster")),
            ),
            "remove-1": lambda: self._by_id().remove_revision(1),
            "remove-2": lambda: self._by_id().remove_revision(2),
            "remove-all": lambda: self._by_id().remove_all_revisions(),
            "add-app": lambda: self._add(self.app),
            "add-unit": lambda: self._add(self.unit),
            "get-unknown": lambda: self.model.get_secret(
                id="secret:aaaaaaaaaaaaaaaaaaaa"
            ).get_content(),
            "get-unknown-label": lambda: self.model.get_secret(label="nope").get_content(),
        }

    def _on_update_status(self, _: ops.UpdateStatusEvent) -> None:
        steps = self._steps()
        for step in filter(None, str(self.config["steps"]).split(",")):
            try:
                result = steps[step.strip()]()
            except (ops.ModelError, ValueError, RuntimeError, TypeError) as e:
                logger.info("%s: %s", step, type(e).__name__)
            else:
                logger.info("%s: %s", step, result)

    # ---- secret events -------------------------------------------------------------------

    def _report(self, event: ops.SecretEvent) -> None:
        revision = getattr(event, "revision", None)
        logger.info(
            "%s: id=%s label=%s revision=%s",
            event.handle.kind,
            event.secret.id,
            event.secret.label,
            revision,
        )

    def _on_changed(self, event: ops.SecretChangedEvent) -> None:
        self._report(event)
        tracked = event.secret.get_content()
        latest = event.secret.peek_content()
        refreshed = event.secret.get_content(refresh=True)
        logger.info("tracked=%s latest=%s refreshed=%s", tracked, latest, refreshed)

    def _on_rotate(self, event: ops.SecretRotateEvent) -> None:
        self._report(event)
        event.secret.set_content({"password": "rotated"})

    def _on_expired(self, event: ops.SecretExpiredEvent) -> None:
        self._report(event)
        event.secret.remove_revision(event.revision)

    def _on_remove(self, event: ops.SecretRemoveEvent) -> None:
        self._report(event)
        event.secret.remove_revision(event.revision)


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfSecretsCharm)
