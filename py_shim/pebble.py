"""The Pebble client each workload container gets: a `pebble.Client` whose methods forward to
the run's Rust Pebble and wrap what comes back in ops' own types.

No rules live here: Rust decides (layers, services, checks, notices, files, exec, whether
the container can connect at all) and raises ops' exception types; this only converts
arguments (layers, paths, sources, streams) and results (`Plan`, `ServiceInfo`, `CheckInfo`,
`FileInfo`, `Notice`, `Change`, exec processes). Every method reaches Rust.
"""

from __future__ import annotations

import datetime
import io
import signal
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ops import pebble

if TYPE_CHECKING:
    from _scenario_rs import RunBackend, RunPebble

_START = '2026-01-01T00:00:00+00:00'


class Client:
    """A stand-in for `ops.pebble.Client` for the container at `socket_path`.

    Created for every container when ops builds the Model, so it is cheap: the Rust side is
    reached only when the charm calls Pebble.
    """

    def __init__(self, rs: RunBackend, socket_path: str) -> None:
        self._rs = rs
        self.socket_path = socket_path
        # /charm/containers/<name>/pebble.socket
        self.container_name = socket_path.rstrip('/').split('/')[-2]
        self._pebble: RunPebble | None = None

    @property
    def _p(self) -> RunPebble:
        if self._pebble is None:
            self._pebble = self._rs.pebble_for(self.container_name)
        return self._pebble

    def get_system_info(self) -> pebble.SystemInfo:
        return pebble.SystemInfo(version=self._p.system_info())

    def get_plan(self) -> pebble.Plan:
        return pebble.Plan(self._p.get_plan())

    def add_layer(
        self, label: str, layer: str | dict[str, Any] | pebble.Layer, *, combine: bool = False
    ) -> None:
        if not isinstance(label, str):
            raise TypeError(f'label must be a str, not {type(label).__name__}')
        if isinstance(layer, (str, dict)):
            layer = pebble.Layer(layer)  # type: ignore[arg-type]
        elif not isinstance(layer, pebble.Layer):
            raise TypeError(
                f'layer must be str, dict, or pebble.Layer, not {type(layer).__name__}'
            )
        self._p.add_layer(label, layer.to_dict(), combine)

    def get_services(self, names: Iterable[str] | None = None) -> list[pebble.ServiceInfo]:
        found = self._p.get_services(None if names is None else list(names))
        return [pebble.ServiceInfo.from_dict(d) for d in found]

    def autostart_services(self, timeout: float = 30.0, delay: float = 0.1) -> pebble.ChangeID:
        return pebble.ChangeID(self._p.autostart_services())

    def replan_services(self, timeout: float = 30.0, delay: float = 0.1) -> pebble.ChangeID:
        return pebble.ChangeID(self._p.replan_services())

    def start_services(
        self, services: Iterable[str], timeout: float = 30.0, delay: float = 0.1
    ) -> pebble.ChangeID:
        return pebble.ChangeID(self._p.start_services(_names(services, 'services')))

    def stop_services(
        self, services: Iterable[str], timeout: float = 30.0, delay: float = 0.1
    ) -> pebble.ChangeID:
        return pebble.ChangeID(self._p.stop_services(_names(services, 'services')))

    def restart_services(
        self, services: Iterable[str], timeout: float = 30.0, delay: float = 0.1
    ) -> pebble.ChangeID:
        return pebble.ChangeID(self._p.restart_services(_names(services, 'services')))

    def send_signal(self, sig: int | str, services: Iterable[str]) -> None:
        name = sig if isinstance(sig, str) else signal.Signals(sig).name
        self._p.send_signal(name, _names(services, 'services'))

    def get_changes(
        self, select: pebble.ChangeState = pebble.ChangeState.IN_PROGRESS, service: str | None = None
    ) -> list[pebble.Change]:
        return [pebble.Change.from_dict(d) for d in self._p.get_changes(select.value, service)]

    def get_change(self, change_id: pebble.ChangeID) -> pebble.Change:
        return pebble.Change.from_dict(self._p.get_change(str(change_id)))

    def wait_change(
        self, change_id: pebble.ChangeID, timeout: float | None = 30.0, delay: float = 0.1
    ) -> pebble.Change:
        return pebble.Change.from_dict(self._p.get_change(str(change_id)))

    def abort_change(self, change_id: pebble.ChangeID) -> pebble.Change:
        return pebble.Change.from_dict(self._p.abort_change(str(change_id)))

    def get_checks(
        self, level: pebble.CheckLevel | None = None, names: Iterable[str] | None = None
    ) -> list[pebble.CheckInfo]:
        level_name = level.value if isinstance(level, pebble.CheckLevel) else level
        found = self._p.get_checks(level_name, None if names is None else list(names))
        return [pebble.CheckInfo.from_dict(d) for d in found]

    def start_checks(self, checks: Iterable[str]) -> list[str]:
        return self._p.start_checks(_names(checks, 'checks'))

    def stop_checks(self, checks: Iterable[str]) -> list[str]:
        return self._p.stop_checks(_names(checks, 'checks'))

    def notify(
        self,
        type: pebble.NoticeType | str,
        key: str,
        *,
        data: dict[str, str] | None = None,
        repeat_after: datetime.timedelta | None = None,
    ) -> str:
        kind = type.value if isinstance(type, pebble.NoticeType) else str(type)
        after = repeat_after.total_seconds() if repeat_after is not None else None
        return self._p.notify(kind, key, dict(data or {}), after)

    def get_notice(self, id: str) -> pebble.Notice:
        return pebble.Notice.from_dict(self._p.get_notice(id))

    def get_notices(
        self,
        *,
        users: pebble.NoticesUsers | None = None,
        user_id: int | None = None,
        types: Iterable[pebble.NoticeType | str] | None = None,
        keys: Iterable[str] | None = None,
    ) -> list[pebble.Notice]:
        found = self._p.get_notices(
            users.value if users is not None else None,
            user_id,
            None if types is None else [t.value if isinstance(t, pebble.NoticeType) else t for t in types],
            None if keys is None else list(keys),
        )
        return [pebble.Notice.from_dict(d) for d in found]

    def pull(self, path: str | Any, *, encoding: str | None = 'utf-8') -> Any:
        data: bytes = self._p.pull(str(path))
        if encoding is None:
            return io.BytesIO(data)
        return io.StringIO(data.decode(encoding))

    def push(
        self,
        path: str | Any,
        source: Any,
        *,
        encoding: str = 'utf-8',
        make_dirs: bool = False,
        permissions: int | None = None,
        user_id: int | None = None,
        user: str | None = None,
        group_id: int | None = None,
        group: str | None = None,
    ) -> None:
        if hasattr(source, 'read'):
            source = source.read()
        data = source.encode(encoding) if isinstance(source, str) else bytes(source)
        self._p.push(
            str(path), data, make_dirs, permissions, user_id, user, group_id, group
        )

    def list_files(
        self, path: str | Any, *, pattern: str | None = None, itself: bool = False
    ) -> list[pebble.FileInfo]:
        return [pebble.FileInfo.from_dict(d) for d in self._p.list_files(str(path), pattern, itself)]

    def make_dir(
        self,
        path: str | Any,
        *,
        make_parents: bool = False,
        permissions: int | None = None,
        user_id: int | None = None,
        user: str | None = None,
        group_id: int | None = None,
        group: str | None = None,
    ) -> None:
        self._p.make_dir(str(path), make_parents, permissions, user_id, user, group_id, group)

    def remove_path(self, path: str | Any, *, recursive: bool = False) -> None:
        self._p.remove_path(str(path), recursive)

    def exec(
        self,
        command: list[str],
        *,
        service_context: str | None = None,
        environment: dict[str, str] | None = None,
        working_dir: str | Any | None = None,
        timeout: float | None = None,
        user_id: int | None = None,
        user: str | None = None,
        group_id: int | None = None,
        group: str | None = None,
        stdin: str | bytes | Any | None = None,
        stdout: Any | None = None,
        stderr: Any | None = None,
        encoding: str | None = 'utf-8',
        combine_stderr: bool = False,
    ) -> Any:
        if not isinstance(command, list) or not all(isinstance(s, str) for s in command):
            raise TypeError(f'command must be a list of str, not {type(command).__name__}')
        if len(command) < 1:
            raise ValueError('command must contain at least one item')
        if stdin is not None and hasattr(stdin, 'read'):
            stdin = stdin.read()
        code, out, err, index, hint = self._p.exec(
            list(command),
            service_context,
            dict(environment or {}),
            None if working_dir is None else str(working_dir),
            timeout,
            user_id,
            user,
            group_id,
            group,
            stdin,
            encoding,
            combine_stderr,
        )
        if hint is not None:
            raise pebble.ExecError(command, code, '', hint)
        return _ExecProcess(
            self._p, index, command, code, out, err, encoding, stdin is None, stdout, stderr,
            combine_stderr,
        )

    def get_warnings(
        self, select: pebble.WarningState = pebble.WarningState.PENDING
    ) -> list[pebble.Warning]:
        return [pebble.Warning.from_dict(d) for d in self._p.get_warnings(select.value)]

    def ack_warnings(self, timestamp: datetime.datetime) -> int:
        return self._p.ack_warnings(timestamp.isoformat())

    def get_identities(self) -> dict[str, Any]:
        # pebble.Identity (ops 2.17 and later) is built only when there is one to build.
        return {
            name: pebble.Identity.from_dict(d)  # type: ignore[attr-defined,unused-ignore]
            for name, d in self._p.get_identities().items()
        }

    def replace_identities(self, identities: Mapping[str, Any]) -> None:
        self._p.replace_identities(list(identities))

    def remove_identities(self, identities: Iterable[str]) -> None:
        self._p.remove_identities(_names(identities, 'identities'))


def _names(names: Iterable[str], what: str) -> list[str]:
    if isinstance(names, str):
        raise TypeError(f'{what} must be a collection of str, not str')
    return list(names)


class _TextStdin(io.StringIO):
    """A process's stdin that keeps what was written when the charm closes it."""

    written = ''

    def close(self) -> None:
        if not self.closed:
            self.written = self.getvalue()
        super().close()


class _BytesStdin(io.BytesIO):
    """A process's binary stdin that keeps what was written when the charm closes it."""

    written = b''

    def close(self) -> None:
        if not self.closed:
            self.written = self.getvalue()
        super().close()


def _output(data: bytes, encoding: str | None, to: Any) -> Any:
    """A command's output: written to the charm's stream `to` (then None), else a stream of
    it, text if there is an encoding."""
    content: str | bytes = data.decode(encoding) if encoding else data
    if to is not None:
        to.write(content)
        return None
    return io.StringIO(content) if isinstance(content, str) else io.BytesIO(content)


class _ExecProcess:
    """What `Client.exec` returns: the finished command's output, as streams and by `wait*`."""

    def __init__(
        self,
        rs_pebble: RunPebble,
        index: int,
        command: list[str],
        code: int,
        out: bytes,
        err: bytes,
        encoding: str | None,
        open_stdin: bool,
        stdout: Any,
        stderr: Any,
        combine_stderr: bool,
    ) -> None:
        self._rs = rs_pebble
        self._index = index
        self._command = command
        self._code = code
        self._encoding = encoding
        self._open_stdin = open_stdin
        self.stdin: Any = (_TextStdin() if encoding else _BytesStdin()) if open_stdin else None
        self.stdout: Any = _output(out, encoding, stdout)
        self.stderr: Any = None if combine_stderr else _output(err, encoding, stderr)
        self._waited = False

    def _close_stdin(self) -> None:
        # What the process read: what the charm wrote, empty if nothing.
        if self._open_stdin and self.stdin is not None and not self._waited:
            written = self.stdin.written if self.stdin.closed else self.stdin.getvalue()
            data = written.encode(self._encoding or 'utf-8') if isinstance(written, str) else written
            self._rs.exec_stdin(self._index, data)
        self._waited = True

    def wait(self) -> None:
        self._close_stdin()
        if self._code != 0:
            raise pebble.ExecError(self._command, self._code, None, None)

    def wait_output(self) -> tuple[Any, Any]:
        if self.stdout is None:
            raise TypeError(
                "can't use wait_output() when exec was called with the stdout argument; "
                'use wait() instead'
            )
        self._close_stdin()
        out = self.stdout.read()
        err = self.stderr.read() if self.stderr is not None else None
        if self._code != 0:
            raise pebble.ExecError(self._command, self._code, out, err)
        return out, err

    def send_signal(self, sig: int | str) -> None:
        """The command has already finished: there is nothing to signal."""
