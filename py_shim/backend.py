"""ops' model backend, answered by Rust: every hook tool forwards to the run's Rust object.

No rules live here: each method keeps ops' exact signature (ops passes some arguments by
keyword) and forwards its arguments unchanged. Rust applies Juju's rules and raises the ops
exception types itself.
"""

from __future__ import annotations

import datetime
import inspect
import sys
from collections.abc import Mapping
from typing import Any

import ops
from ops.model import _ModelBackend, _ModelBackendValidator

import _scenario_pebble

# ops 3.4 and later read a secret before `secret-set` on Juju < 3.6 (Juju bug 2081034): their
# base `secret_set` calls `secret_info_get`.
_OPS_READS_BEFORE_SECRET_SET: bool = (
    'secret_info_get' in inspect.unwrap(_ModelBackend.secret_set).__code__.co_names
)
# SecretInfo takes the model's uuid (for `unique_identifier`) from ops 2.17.
_SECRET_INFO_TAKES_MODEL_UUID: bool = (
    'model_uuid' in inspect.signature(ops.SecretInfo).parameters
)


class Backend(_ModelBackend):
    """The `_ModelBackend` of one run; `rs` is the run's Rust `RunBackend`."""

    def __init__(self, rs: Any, juju_context: Any) -> None:
        super().__init__(juju_context=juju_context)
        self._rs = rs

    def relation_ids(self, relation_name: str) -> list[int]:
        return self._rs.relation_ids(relation_name)

    def relation_list(self, relation_id: int, *, relation_name: str | None = None) -> list[str]:
        return self._rs.relation_list(relation_id, relation_name)

    def relation_remote_app_name(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> str | None:
        return self._rs.relation_remote_app_name(relation_id, relation_name)

    def relation_get(
        self, relation_id: int, member_name: str, is_app: bool, *, relation_name: str | None = None
    ) -> dict[str, str]:
        return self._rs.relation_get(relation_id, member_name, is_app, relation_name)

    def relation_set(
        self,
        relation_id: int,
        data: Mapping[str, str],
        is_app: bool,
        *,
        relation_name: str | None = None,
    ) -> None:
        self._rs.relation_set(relation_id, data, is_app, relation_name)

    def relation_model_get(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> dict[str, Any]:
        return self._rs.relation_model_get(relation_id, relation_name)

    def config_get(self) -> dict[str, bool | int | float | str]:
        return self._rs.config_get()

    def is_leader(self) -> bool:
        return self._rs.is_leader()

    def resource_get(self, resource_name: str) -> str:
        return self._rs.resource_get(resource_name)

    def pod_spec_set(
        self, spec: Mapping[str, Any], k8s_resources: Mapping[str, Any] | None = None
    ) -> None:
        self._rs.pod_spec_set(spec, k8s_resources)

    def status_get(self, *, is_app: bool = False) -> dict[str, str]:
        return self._rs.status_get(is_app)

    def status_set(self, status: str, message: str = '', *, is_app: bool = False) -> None:
        self._rs.status_set(status, message, is_app)

    def storage_list(self, name: str) -> list[int]:
        return self._rs.storage_list(name)

    def storage_get(self, storage_name_id: str, attribute: str) -> str:
        return self._rs.storage_get(storage_name_id, attribute)

    def storage_add(self, name: str, count: int = 1) -> None:
        self._rs.storage_add(name, count)

    def action_get(self) -> dict[str, Any]:
        return self._rs.action_get()

    def action_set(self, results: dict[str, Any]) -> None:
        self._rs.action_set(results)

    def action_log(self, message: str) -> None:
        self._rs.action_log(message)

    def action_fail(self, message: str = '') -> None:
        self._rs.action_fail(message)

    def application_version_set(self, version: str) -> None:
        self._rs.application_version_set(version)

    def juju_log(self, level: str, message: str) -> None:
        self._rs.juju_log(level, message)

    def network_get(self, binding_name: str, relation_id: int | None = None) -> dict[str, Any]:
        return self._rs.network_get(binding_name, relation_id)

    def add_metrics(
        self, metrics: Mapping[str, int | float], labels: Mapping[str, str] | None = None
    ) -> None:
        # ops' own validation and formatting, which the base class does before add-metric.
        for key, value in (labels or {}).items():
            _ModelBackendValidator.validate_metric_label(key)
            _ModelBackendValidator.validate_label_value(key, value)
        formatted = []
        for key, value in metrics.items():
            _ModelBackendValidator.validate_metric_key(key)
            formatted.append((key, _ModelBackendValidator.format_metric_value(value)))
        self._rs.add_metrics(formatted, dict(labels or {}))

    def get_pebble(self, socket_path: str) -> Any:
        return _scenario_pebble.Client(self._rs, socket_path)

    def planned_units(self) -> int:
        return self._rs.planned_units()

    def secret_get(
        self,
        *,
        id: str | None = None,
        label: str | None = None,
        refresh: bool = False,
        peek: bool = False,
    ) -> dict[str, str]:
        return self._rs.secret_get(id, label, refresh, peek)

    def secret_info_get(self, *, id: str | None = None, label: str | None = None) -> ops.SecretInfo:
        info = self._rs.secret_info_get(id, label)
        expires = info['expires']
        extra = {'model_uuid': self.model_uuid} if _SECRET_INFO_TAKES_MODEL_UUID else {}
        return ops.SecretInfo(
            info['id'],
            label=info['label'],
            revision=info['revision'],
            expires=datetime.datetime.fromisoformat(expires) if expires else None,
            rotation=ops.SecretRotate(info['rotation']) if info['rotation'] else None,
            rotates=None,
            description=info['description'],
            **extra,
        )

    def secret_set(
        self,
        id: str,
        *,
        content: dict[str, str] | None = None,
        label: str | None = None,
        description: str | None = None,
        expire: datetime.datetime | None = None,
        rotate: Any = None,
    ) -> None:
        self._rs.secret_set(
            id, content, label, description, expire, rotate, _OPS_READS_BEFORE_SECRET_SET
        )

    def secret_add(
        self,
        content: dict[str, str],
        *,
        label: str | None = None,
        description: str | None = None,
        expire: datetime.datetime | None = None,
        rotate: Any = None,
        owner: str | None = None,
    ) -> str:
        return self._rs.secret_add(content, label, description, expire, rotate, owner)

    def secret_grant(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        self._rs.secret_grant(id, relation_id, unit)

    def secret_revoke(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        self._rs.secret_revoke(id, relation_id, unit)

    def secret_remove(self, id: str, *, revision: int | None = None) -> None:
        self._rs.secret_remove(id, revision)

    def open_port(self, protocol: str, port: int | None = None) -> None:
        self._rs.open_port(protocol, port)

    def close_port(self, protocol: str, port: int | None = None) -> None:
        self._rs.close_port(protocol, port)

    def opened_ports(self) -> set[ops.Port]:
        return {ops.Port(protocol, port) for protocol, port in self._rs.opened_ports()}

    def reboot(self, now: bool = False) -> None:
        self._rs.reboot(now)
        if now:
            # As ops does: Juju kills the hook process, so no code after this runs.
            sys.exit()

    def credential_get(self) -> ops.CloudSpec:
        return ops.CloudSpec.from_dict(self._rs.credential_get())

    def _storage_event_details(self) -> tuple[int, str]:
        # ops 2.x reads storage events' details through this (running `storage-get --help`).
        return self._rs.storage_event_details()


def _relation_set_one_key(
    self: Backend, relation_id: int, key: str, value: str, is_app: bool
) -> None:
    """`relation_set` as ops before 2.20 call it: one key at a time (an empty value deletes it)."""
    self._rs.relation_set(relation_id, {key: value}, is_app, None)


if 'key' in inspect.signature(_ModelBackend.relation_set).parameters:
    Backend.relation_set = _relation_set_one_key  # type: ignore[assignment,method-assign]
