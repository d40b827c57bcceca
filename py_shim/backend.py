"""ops' model backend, answered by Rust: every hook tool forwards to the run's Rust object.

No rules live here: each method keeps ops' exact signature (ops passes some arguments by
keyword) and forwards its arguments unchanged. Rust applies Juju's rules and raises the ops
exception types itself.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import ops

import _scenario_ops_private as ops_private
import _scenario_pebble

if TYPE_CHECKING:
    from _scenario_rs import RunBackend

# SecretInfo takes the model's uuid (for `unique_identifier`) from ops 2.17.
_SECRET_INFO_TAKES_MODEL_UUID: bool = (
    'model_uuid' in inspect.signature(ops.SecretInfo).parameters
)
_Validator = ops_private.ModelBackendValidator


class Backend(ops_private.ModelBackend):
    """The `_ModelBackend` of one run; `rs` is the run's Rust `RunBackend`."""

    def __init__(self, rs: RunBackend, juju_context: ops_private.JujuContext) -> None:
        super().__init__(juju_context=juju_context)
        self.rs = rs

    def relation_ids(self, relation_name: str) -> list[int]:
        return self.rs.relation_ids(relation_name)

    def relation_list(self, relation_id: int, *, relation_name: str | None = None) -> list[str]:
        return self.rs.relation_list(relation_id, relation_name)

    def relation_remote_app_name(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> str | None:
        return self.rs.relation_remote_app_name(relation_id, relation_name)

    def relation_get(
        self, relation_id: int, member_name: str, is_app: bool, *, relation_name: str | None = None
    ) -> dict[str, str]:
        return self.rs.relation_get(relation_id, member_name, is_app, relation_name)

    def relation_set(  # type: ignore[override, unused-ignore]
        self,
        relation_id: int,
        data: Mapping[str, str],
        is_app: bool,
        *,
        relation_name: str | None = None,
    ) -> None:
        self.rs.relation_set(relation_id, data, is_app, relation_name)

    def relation_model_get(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> dict[str, Any]:
        return self.rs.relation_model_get(relation_id, relation_name)

    def config_get(self) -> dict[str, bool | int | float | str]:
        return self.rs.config_get()

    def is_leader(self) -> bool:
        return self.rs.is_leader()

    def resource_get(self, resource_name: str) -> str:
        return self.rs.resource_get(resource_name)

    def pod_spec_set(
        self, spec: Mapping[str, Any], k8s_resources: Mapping[str, Any] | None = None
    ) -> None:
        self.rs.pod_spec_set(spec, k8s_resources)

    def status_get(self, *, is_app: bool = False) -> ops_private.StatusDict:
        return self.rs.status_get(is_app)

    def status_set(self, status: str, message: str = '', *, is_app: bool = False) -> None:
        self.rs.status_set(status, message, is_app)

    def storage_list(self, name: str) -> list[int]:
        return self.rs.storage_list(name)

    def storage_get(self, storage_name_id: str, attribute: str) -> str:
        return self.rs.storage_get(storage_name_id, attribute)

    def storage_add(self, name: str, count: int = 1) -> None:
        self.rs.storage_add(name, count)

    def action_get(self) -> dict[str, Any]:
        return self.rs.action_get()

    def action_set(self, results: dict[str, Any]) -> None:
        self.rs.action_set(results)

    def action_log(self, message: str) -> None:
        self.rs.action_log(message)

    def action_fail(self, message: str = '') -> None:
        self.rs.action_fail(message)

    def application_version_set(self, version: str) -> None:
        self.rs.application_version_set(version)

    def juju_log(self, level: str, message: str) -> None:
        self.rs.juju_log(level, message)

    def network_get(
        self, binding_name: str, relation_id: int | None = None
    ) -> ops_private.NetworkDict:
        return self.rs.network_get(binding_name, relation_id)

    def add_metrics(
        self, metrics: Mapping[str, int | float], labels: Mapping[str, str] | None = None
    ) -> None:
        # ops' own validation and formatting, which the base class does before add-metric.
        for label, text in (labels or {}).items():
            _Validator.validate_metric_label(label)
            _Validator.validate_label_value(label, text)
        formatted = []
        for key, value in metrics.items():
            _Validator.validate_metric_key(key)
            formatted.append((key, _Validator.format_metric_value(value)))
        self.rs.add_metrics(formatted, dict(labels or {}))

    def get_pebble(self, socket_path: str) -> Any:
        # A stand-in for `pebble.Client` (not a subclass: nothing of the real client is used).
        return _scenario_pebble.Client(self.rs, socket_path)

    def planned_units(self) -> int:
        return self.rs.planned_units()

    def secret_get(
        self,
        *,
        id: str | None = None,
        label: str | None = None,
        refresh: bool = False,
        peek: bool = False,
    ) -> dict[str, str]:
        return self.rs.secret_get(id, label, refresh, peek)

    def secret_info_get(self, *, id: str | None = None, label: str | None = None) -> ops.SecretInfo:
        info = self.rs.secret_info_get(id, label)
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
        rotate: ops.SecretRotate | None = None,
    ) -> None:
        self.rs.secret_set(
            id, content, label, description, expire, rotate,
            ops_private.OPS_READS_BEFORE_SECRET_SET,
        )

    def secret_add(
        self,
        content: dict[str, str],
        *,
        label: str | None = None,
        description: str | None = None,
        expire: datetime.datetime | None = None,
        rotate: ops.SecretRotate | None = None,
        owner: str | None = None,
    ) -> str:
        return self.rs.secret_add(content, label, description, expire, rotate, owner)

    def secret_grant(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        self.rs.secret_grant(id, relation_id, unit)

    def secret_revoke(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        self.rs.secret_revoke(id, relation_id, unit)

    def secret_remove(self, id: str, *, revision: int | None = None) -> None:
        self.rs.secret_remove(id, revision)

    def open_port(self, protocol: str, port: int | None = None) -> None:
        self.rs.open_port(protocol, port)

    def close_port(self, protocol: str, port: int | None = None) -> None:
        self.rs.close_port(protocol, port)

    def opened_ports(self) -> set[ops.Port]:
        return {ops.Port(protocol, port) for protocol, port in self.rs.opened_ports()}

    def reboot(self, now: bool = False) -> None:
        # With `now`, Rust ends the hook (SystemExit), as ops does.
        self.rs.reboot(now)

    def credential_get(self) -> ops.CloudSpec:
        return ops.CloudSpec.from_dict(self.rs.credential_get())

    def _storage_event_details(self) -> tuple[int, str]:
        # ops 2.x reads storage events' details through this (see `ops_private.OVERRIDDEN`).
        return self.rs.storage_event_details()


def _relation_set_one_key(
    self: Backend, relation_id: int, key: str, value: str, is_app: bool
) -> None:
    """`relation_set` as ops before 2.20 call it: one key at a time (an empty value deletes it)."""
    self.rs.relation_set(relation_id, {key: value}, is_app, None)


if ops_private.RELATION_SET_TAKES_ONE_KEY:
    Backend.relation_set = _relation_set_one_key  # type: ignore[assignment,method-assign]
