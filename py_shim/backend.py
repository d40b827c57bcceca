"""ops' model backend, answered by Rust: every hook tool forwards to the run's Rust object.

No rules live here: each method keeps ops' exact signature (ops passes some arguments by
keyword) and forwards its arguments unchanged. Rust applies Juju's rules and raises the ops
exception types itself; a `ModelError` gets what ops 3.9 does with a failed hook tool's error
(a security event for an authorisation failure; a note naming the tool, the arguments ops'
own call site records, and the event), from ops' own code.
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


class RecordingDict(dict[str, Any]):
    """A dict that notes each `str` key looked up in it (`d[key]`, `d.get(key)`, `key in d`),
    found or not, in `looked_up`: what relation-get (a remote bag) and config-get answer when
    the Context records reads (src/runtime/reads.rs makes them). ops keeps the answer as its
    `LazyMapping`'s data and reads it with exactly these three, so the charm's lookups land
    here; everything else (copies, iteration, equality, `json.dumps`, writes) is dict's own.
    """

    __slots__ = ('looked_up',)
    looked_up: set[str]

    def __getitem__(self, key: str) -> Any:
        if isinstance(key, str):
            self.looked_up.add(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        if isinstance(key, str):
            self.looked_up.add(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            self.looked_up.add(key)
        return dict.__contains__(self, key)


class Backend(ops_private.ModelBackend):
    """The `_ModelBackend` of one run; `rs` is the run's Rust `RunBackend`."""

    def __init__(self, rs: RunBackend, juju_context: ops_private.JujuContext) -> None:
        super().__init__(juju_context=juju_context)
        self.rs = rs

    def _failed(self, error: ops.ModelError, tool: str, **trace: Any) -> None:
        """ops' handling of a failed hook tool's error (a security event for an authorisation
        failure, a note on the error); `trace` as ops' call site passes it."""
        ops_private.hook_command_failed(self, error, tool, trace)

    def relation_ids(self, relation_name: str) -> list[int]:
        try:
            return self.rs.relation_ids(relation_name)
        except ops.ModelError as e:
            self._failed(e, 'relation-ids', relation_name=relation_name)
            raise

    def relation_list(self, relation_id: int, *, relation_name: str | None = None) -> list[str]:
        try:
            return self.rs.relation_list(relation_id, relation_name)
        except ops.ModelError as e:
            self._failed(e, 'relation-list', relation_id=relation_id, endpoint=relation_name)
            raise

    def relation_remote_app_name(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> str | None:
        try:
            return self.rs.relation_remote_app_name(relation_id, relation_name)
        except ops.ModelError as e:
            self._failed(
                e, 'relation-list',
                relation_id=relation_id,
                endpoint=relation_name,
                app=True,
            )
            raise

    def relation_get(
        self, relation_id: int, member_name: str, is_app: bool, *, relation_name: str | None = None
    ) -> dict[str, str]:
        try:
            return self.rs.relation_get(relation_id, member_name, is_app, relation_name)
        except ops.ModelError as e:
            self._failed(
                e, 'relation-get',
                relation_id=relation_id,
                endpoint=relation_name,
                unit=member_name,
                app=is_app,
            )
            raise

    def relation_set(  # type: ignore[override, unused-ignore]
        self,
        relation_id: int,
        data: Mapping[str, str],
        is_app: bool,
        *,
        relation_name: str | None = None,
    ) -> None:
        try:
            self.rs.relation_set(relation_id, data, is_app, relation_name)
        except ops.ModelError as e:
            self._failed(
                e, 'relation-set',
                relation_id=relation_id,
                endpoint=relation_name,
                app=is_app,
            )
            raise

    def relation_model_get(
        self, relation_id: int, *, relation_name: str | None = None
    ) -> dict[str, Any]:
        try:
            return self.rs.relation_model_get(relation_id, relation_name)
        except ops.ModelError as e:
            self._failed(e, 'relation-model-get', relation_id=relation_id, endpoint=relation_name)
            raise

    def config_get(self) -> dict[str, bool | int | float | str]:
        try:
            return self.rs.config_get()
        except ops.ModelError as e:
            self._failed(e, 'config-get')
            raise

    def is_leader(self) -> bool:
        try:
            leader = self.rs.is_leader()
        except ops.ModelError as e:
            self._failed(e, 'is-leader')
            raise
        ops_private.cache_leadership(self, leader)
        return leader

    def resource_get(self, resource_name: str) -> str:
        try:
            return self.rs.resource_get(resource_name)
        except ops.ModelError as e:
            self._failed(e, 'resource-get', resource_name=resource_name)
            raise

    def pod_spec_set(
        self, spec: Mapping[str, Any], k8s_resources: Mapping[str, Any] | None = None
    ) -> None:
        try:
            self.rs.pod_spec_set(spec, k8s_resources)
        except ops.ModelError as e:
            self._failed(e, 'pod-spec-set')
            raise

    def status_get(self, *, is_app: bool = False) -> ops_private.StatusDict:
        try:
            return self.rs.status_get(is_app)
        except ops.ModelError as e:
            self._failed(e, 'status-get', app=is_app)
            raise

    def status_set(self, status: str, message: str = '', *, is_app: bool = False) -> None:
        try:
            self.rs.status_set(status, message, is_app)
        except ops.ModelError as e:
            self._failed(e, 'status-set', status=status, message=message, app=is_app)
            raise

    def storage_list(self, name: str) -> list[int]:
        try:
            return self.rs.storage_list(name)
        except ops.ModelError as e:
            self._failed(e, 'storage-list', name=name)
            raise

    def storage_get(self, storage_name_id: str, attribute: str) -> str:
        try:
            return self.rs.storage_get(storage_name_id, attribute)
        except ops.ModelError as e:
            self._failed(e, 'storage-get', name=storage_name_id, attribute=attribute)
            raise

    def storage_add(self, name: str, count: int = 1) -> None:
        try:
            self.rs.storage_add(name, count)
        except ops.ModelError as e:
            self._failed(e, 'storage-add', name=name, count=count)
            raise

    def action_get(self) -> dict[str, Any]:
        try:
            return self.rs.action_get()
        except ops.ModelError as e:
            self._failed(e, 'action-get')
            raise

    def action_set(self, results: dict[str, Any]) -> None:
        try:
            self.rs.action_set(results)
        except ops.ModelError as e:
            self._failed(e, 'action-set')
            raise

    def action_log(self, message: str) -> None:
        try:
            self.rs.action_log(message)
        except ops.ModelError as e:
            self._failed(e, 'action-log')
            raise

    def action_fail(self, message: str = '') -> None:
        try:
            self.rs.action_fail(message)
        except ops.ModelError as e:
            self._failed(e, 'action-fail', message=message)
            raise

    def application_version_set(self, version: str) -> None:
        try:
            self.rs.application_version_set(version)
        except ops.ModelError as e:
            self._failed(e, 'app-version-set', version=version)
            raise

    def juju_log(self, level: str, message: str) -> None:
        self.rs.juju_log(level, message)

    def network_get(
        self, binding_name: str, relation_id: int | None = None
    ) -> ops_private.NetworkDict:
        try:
            return self.rs.network_get(binding_name, relation_id)
        except ops.ModelError as e:
            self._failed(e, 'network-get', binding_name=binding_name, relation_id=relation_id)
            raise

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
        try:
            self.rs.add_metrics(formatted, dict(labels or {}))
        except ops.ModelError as e:
            args = [f'{k}={v}' for k, v in formatted]
            if labels:
                args[:0] = ['--labels', ','.join(f'{k}={v}' for k, v in labels.items())]
            self._failed(e, 'add-metric', args=args)
            raise

    def get_pebble(self, socket_path: str) -> Any:
        # A stand-in for `pebble.Client` (not a subclass: nothing of the real client is used).
        return _scenario_pebble.Client(self.rs, socket_path)

    def planned_units(self) -> int:
        try:
            return self.rs.planned_units()
        except ops.ModelError as e:
            self._failed(e, 'goal-state')
            raise

    def secret_get(
        self,
        *,
        id: str | None = None,
        label: str | None = None,
        refresh: bool = False,
        peek: bool = False,
    ) -> dict[str, str]:
        try:
            return self.rs.secret_get(id, label, refresh, peek)
        except ops.ModelError as e:
            self._failed(e, 'secret-get', id=id, label=label, refresh=refresh, peek=peek)
            raise

    def secret_info_get(self, *, id: str | None = None, label: str | None = None) -> ops.SecretInfo:
        try:
            info = self.rs.secret_info_get(id, label)
        except ops.ModelError as e:
            # ops runs secret-info-get with the id, or else with the label.
            if id is not None:
                self._failed(e, 'secret-info-get', id=id)
            else:
                self._failed(e, 'secret-info-get', label=label)
            raise
        expires = info['expires']
        extra = {'model_uuid': self.model_uuid} if _SECRET_INFO_TAKES_MODEL_UUID else {}
        return ops.SecretInfo(
            info['id'],
            label=info['label'],
            revision=info['revision'],
            expires=ops_private.parse_rfc3339(expires) if expires else None,
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
        try:
            self.rs.secret_set(
                id, content, label, description, expire, rotate,
                ops_private.OPS_READS_BEFORE_SECRET_SET,
            )
        except ops.ModelError as e:
            self._failed(
                e, 'secret-set',
                id=id,
                label=label,
                description=description,
                expire=expire,
                rotate=rotate,
            )
            raise

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
        try:
            return self.rs.secret_add(content, label, description, expire, rotate, owner)
        except ops.ModelError as e:
            self._failed(
                e, 'secret-add',
                label=label,
                description=description,
                expire=expire,
                rotate=rotate,
                owner=owner,
            )
            raise

    def secret_grant(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        try:
            self.rs.secret_grant(id, relation_id, unit)
        except ops.ModelError as e:
            self._failed(e, 'secret-grant', id=id, relation_id=relation_id, unit=unit)
            raise

    def secret_revoke(self, id: str, relation_id: int, *, unit: str | None = None) -> None:
        try:
            self.rs.secret_revoke(id, relation_id, unit)
        except ops.ModelError as e:
            self._failed(e, 'secret-revoke', id=id, relation_id=relation_id, unit=unit)
            raise

    def secret_remove(self, id: str, *, revision: int | None = None) -> None:
        try:
            self.rs.secret_remove(id, revision)
        except ops.ModelError as e:
            self._failed(e, 'secret-remove', id=id, revision=revision)
            raise

    def open_port(self, protocol: str, port: int | None = None) -> None:
        try:
            self.rs.open_port(protocol, port)
        except ops.ModelError as e:
            self._failed(e, 'open-port', protocol=protocol, port=port)
            raise

    def close_port(self, protocol: str, port: int | None = None) -> None:
        try:
            self.rs.close_port(protocol, port)
        except ops.ModelError as e:
            self._failed(e, 'close-port', protocol=protocol, port=port)
            raise

    def opened_ports(self) -> set[ops.Port]:
        try:
            return {ops.Port(protocol, port) for protocol, port in self.rs.opened_ports()}
        except ops.ModelError as e:
            self._failed(e, 'opened-ports')
            raise

    def reboot(self, now: bool = False) -> None:
        # With `now`, Rust ends the hook (SystemExit), as ops does.
        self.rs.reboot(now)

    def credential_get(self) -> ops.CloudSpec:
        try:
            spec = self.rs.credential_get()
        except ops.ModelError as e:
            self._failed(e, 'credential-get')
            raise
        return ops.CloudSpec.from_dict(spec)

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
