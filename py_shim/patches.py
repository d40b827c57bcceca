"""Everything a run changes in ops and in the process (`_Patches`), installed when a run starts
and removed when it ends, and the objects installed: memoised observer signatures, a tracer
that records nothing, `secret-ids` answered by the run's backend, `os.environ` as the charm
sees it, and `sys.path` and the working directory put back. The attribute and root-logger
swaps are done in Rust (the runtime's `RunPatches`, given `process_patches()` at start-up).
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

import ops

import _scenario_capture
import _scenario_ops_private as ops_private
import _scenario_watchdog

if TYPE_CHECKING:
    from _scenario_rs import RunPatches


class _ObserverSignature:
    """A bound method's signature, memoised, whose check that the method takes an event
    (`sig.bind(EventBase(None))` in `Framework.observe`) is done once: its outcome depends
    only on the function. Any other use is the real signature's."""

    def __init__(self, signature: inspect.Signature) -> None:
        self._signature = signature
        self._takes_an_event: inspect.BoundArguments | None = None

    def bind(self, *args: Any, **kwargs: Any) -> inspect.BoundArguments:
        one_event = len(args) == 1 and not kwargs and isinstance(args[0], ops.EventBase)
        if not one_event:
            return self._signature.bind(*args, **kwargs)
        if self._takes_an_event is None:
            self._takes_an_event = self._signature.bind(*args)
        return self._takes_an_event

    def __getattr__(self, name: str) -> Any:
        return getattr(self._signature, name)


class _MemoisedInspect:
    """`inspect` as ops.framework sees it, with `signature` of bound methods memoised.

    `Framework.observe` checks every observer's signature on every run (about 8 µs each, and
    the check that it takes an event a few more); the signature of a bound method depends only
    on its function, so both are done once. Everything else is the real `inspect`.
    """

    def __init__(self) -> None:
        self._signatures: dict[tuple[Any, bool], _ObserverSignature] = {}

    def signature(self, obj: Any, *, follow_wrapped: bool = True) -> Any:
        func = getattr(obj, '__func__', None)
        if func is None or getattr(obj, '__self__', None) is None:
            return inspect.signature(obj, follow_wrapped=follow_wrapped)
        key = (func, follow_wrapped)
        sig = self._signatures.get(key)
        if sig is None:
            sig = self._signatures[key] = _ObserverSignature(
                inspect.signature(obj, follow_wrapped=follow_wrapped)
            )
        return sig

    def __getattr__(self, name: str) -> Any:
        return getattr(inspect, name)


class _NoSpan:
    """The context of a span that records nothing (opentelemetry's INVALID_SPAN)."""

    def __init__(self, span: Any) -> None:
        self._span = span

    def __enter__(self) -> Any:
        return self._span

    def __exit__(self, *exc: object) -> None:
        return None


class _NoRecordingTracer:
    """ops' tracer (ops 2.21 and later) for a run in which nothing records spans.

    ops opens a span around every observer it calls (and every hook command). With no tracer
    provider set, as in every ordinary run, opentelemetry's no-op tracer builds three context
    managers and attaches a context per span, all to record nothing: about 5 µs each. During
    such a run ops' modules get this tracer instead, whose spans are opentelemetry's own
    non-recording INVALID_SPAN at no cost; once a provider is set, runs keep ops' own tracer.
    """

    def __init__(self, invalid_span: Any) -> None:
        self._invalid_span = invalid_span
        self._no_span = _NoSpan(invalid_span)

    def start_as_current_span(self, *args: Any, **kwargs: Any) -> _NoSpan:
        return self._no_span

    def start_span(self, *args: Any, **kwargs: Any) -> Any:
        return self._invalid_span


#: ops[tracing]'s capture, when it is installed (ops 3.x): every run then records its spans.
TRACING = ops_private.TracingCapture.capture()


def _secret_ids() -> list[str]:
    """`ops.hookcmds.secret_ids()` during a run (`secret-ids`, which ops' backend never
    calls), answered by the running hook's Rust backend instead of a subprocess."""
    backend = _scenario_capture.handler.model_backend
    if backend is None:
        raise RuntimeError('secret-ids can only be run during a hook')
    return backend.rs.secret_ids()


class _Environment:
    """`os.environ` as the charm sees it during a run, put back whole afterwards.

    Only Python's mapping behind `os.environ` is changed, never the C environment: Rust code
    in other threads may read the C environment at any moment (`std::env`, `tempfile`), and a
    `setenv` racing a `getenv` crashes the process. So during a run `os.putenv` and
    `os.unsetenv` do nothing (`_Patches`; a charm's own `os.environ` changes stay in the
    mapping), and after it the mapping, and `os.environ` itself, are restored as they were.
    Subprocesses a charm starts therefore inherit the process environment without the run's
    JUJU_* values.
    """

    def __init__(self) -> None:
        self._environ = os.environ
        self._data = ops_private.ENVIRON_DATA
        self._encodekey = ops_private.ENVIRON_ENCODE_KEY
        self._encodevalue = ops_private.ENVIRON_ENCODE_VALUE
        self._keys: dict[str, bytes] = {}

    def _key(self, key: str) -> bytes:
        encoded = self._keys.get(key)
        if encoded is None:
            encoded = self._keys[key] = self._encodekey(key)
        return encoded

    def set(self, env: dict[bytes, bytes]) -> dict[bytes, bytes]:
        """Set the run's environment (its variables encoded as `os.environ` holds them);
        return what to put back."""
        saved = self._data.copy()
        self._data.update(env)
        self._data.pop(self._key('OPERATOR_DISPATCH'), None)
        return saved

    def encode(self, env: dict[str, str]) -> dict[bytes, bytes]:
        """Variables as the mapping behind `os.environ` holds them."""
        return {self._key(k): self._encodevalue(v) for k, v in env.items()}

    def restore(self, saved: dict[bytes, bytes]) -> None:
        os.environ = self._environ
        self._data.clear()
        self._data.update(saved)


class _ProcessState:
    """`sys.path` and the working directory, put back after a run that changed them.

    sys.path is compared (a few strings) and refilled in place if the run changed or rebound
    it. The working directory is only looked up if the charm calls `os.chdir` or `os.fchdir`
    during the run (`_Patches` wraps them while it runs), so an ordinary run pays nothing for it.
    """

    def __init__(self) -> None:
        self._chdir = os.chdir
        self._fchdir = os.fchdir
        self._cwd: str | None = None
        # sys.path (the list and its content) before the run; None outside a run.
        self._path: tuple[list[str], list[str]] | None = None

    def _before_chdir(self) -> None:
        if self._cwd is None:
            self._cwd = os.getcwd()

    def chdir(self, path: Any) -> None:
        """`os.chdir` during a run."""
        self._before_chdir()
        self._chdir(path)

    def fchdir(self, fd: Any) -> None:
        """`os.fchdir` during a run."""
        self._before_chdir()
        self._fchdir(fd)

    def save(self, charm_paths: list[str]) -> None:
        """Remember sys.path, and put the charm's paths first for the run."""
        self._path = (sys.path, sys.path[:])
        self._cwd = None
        if charm_paths:
            sys.path[:0] = charm_paths

    def restore(self) -> None:
        if self._path is not None:
            path, content = self._path
            self._path = None
            if sys.path is not path or sys.path != content:
                sys.path = path
                path[:] = content
        if self._cwd is not None:
            cwd, self._cwd = self._cwd, None
            self._chdir(cwd)


def _no_putenv(name: Any, value: Any) -> None:
    """`os.putenv` during a run (see `_Environment`)."""


def _no_unsetenv(name: Any) -> None:
    """`os.unsetenv` during a run (see `_Environment`)."""


#: The environment of runs (`LoadedCharm` sets its own Juju version with it, too).
environment = _Environment()
_process_state = _ProcessState()


#: An entry of a dict (a module's or an object's attributes) that a run replaces.
_Entry = tuple[dict[str, Any], str, object]


class _Patches:
    """Everything a run changes in ops and in the process, installed when the run starts and
    removed when it ends, so that between runs the interpreter is exactly as the host left it
    (an ops.testing or Harness test in the same process sees plain ops).

    During a run: `ops.framework.inspect` memoises observers' signatures; ops.framework's and
    ops.charm's loggers send plain debug lines straight to juju-log; `ops.hookcmds.secret_ids`
    asks the run's backend; ops' tracer opens spans that record nothing, unless a tracer
    provider is set or ops[tracing] is installed (then the run's spans are captured, see
    `_RunTrace`); `os.putenv`/`os.unsetenv` do nothing and `os.chdir`/`os.fchdir` note the
    working directory first; `sys.breakpointhook` stops the run's time limit before pdb starts
    (`_scenario_watchdog`); the root logger has the run's handler and level DEBUG, as ops'
    own logging set-up gives it; the environment holds the run's JUJU_* values; the charm's
    paths are first on sys.path. Each is put back to what it was when the run started,
    whatever the charm did meanwhile. The objects installed (and their caches) are made once
    and kept here between runs. The attribute and root-logger swaps are the runtime's
    `RunPatches` (Rust, given `process_patches()` at start-up), the rest is here.
    """

    def __init__(self) -> None:
        self.rs: RunPatches | None = None
        self.tracer = ops_private.OpsTracer()
        self._active = False
        self._env: dict[bytes, bytes] | None = None

    def entries(self) -> tuple[list[_Entry], list[_Entry]]:
        """The attributes every run replaces, and those replaced while nothing records spans."""
        framework_module, inspect_name = ops_private.FRAMEWORK_INSPECT
        always: list[_Entry] = [
            (vars(framework_module), inspect_name, _MemoisedInspect()),
            *(
                (vars(module), name, _scenario_capture.DirectDebugLogger(getattr(module, name)))
                for module, name in ops_private.OPS_DEBUG_LOGGERS
            ),
            *((vars(owner), name, _secret_ids) for owner, name in ops_private.secret_ids_functions()),
            (vars(os), 'putenv', _no_putenv),
            (vars(os), 'unsetenv', _no_unsetenv),
            (vars(os), 'chdir', _process_state.chdir),
            (vars(os), 'fchdir', _process_state.fchdir),
            (vars(sys), 'breakpointhook', _scenario_watchdog.debugging.hook()),
        ]
        no_recording: list[_Entry] = []
        if self.tracer.proxy is not None:
            # The tracer's own methods, shadowed on the instance every ops module shares.
            cheap = _NoRecordingTracer(self.tracer.invalid_span)
            no_recording = [
                (vars(self.tracer.proxy), 'start_as_current_span', cheap.start_as_current_span),
                (vars(self.tracer.proxy), 'start_span', cheap.start_span),
            ]
        return always, no_recording

    def install(self, env: dict[bytes, bytes], charm_paths: list[str]) -> None:
        if self._active:  # a run that never ended (it cannot happen; but if it did)
            self.uninstall()
        assert self.rs is not None, 'the runtime gives the shim its RunPatches at start-up'
        self._active = True
        _scenario_watchdog.debugging.previous = sys.breakpointhook
        # Runs that capture spans record them; otherwise ops' spans cost nothing unless a
        # tracer provider is set.
        self.rs.install(
            self.tracer.proxy is not None and TRACING is None and not self.tracer.records()
        )
        self._env = environment.set(env)
        _process_state.save(charm_paths)
        ops_private.clear_security_log_cache()

    def uninstall(self) -> None:
        """Put everything back; each part that was installed, whatever the run did since."""
        self._active = False
        try:
            # ops' security-event log target follows the root handler: it must not outlive
            # the run.
            ops_private.clear_security_log_cache()
            if self._env is not None:
                env, self._env = self._env, None
                environment.restore(env)
            _process_state.restore()
            _scenario_watchdog.debugging.restore_sigint()
        finally:
            if self.rs is not None:
                self.rs.uninstall()


patches = _Patches()


def process_patches() -> tuple[
    list[_Entry],
    list[_Entry],
    logging.Logger,
    logging.Handler,
    dict[str, Any],
    type[logging.Logger],
    str,
]:
    """What runs replace, for the runtime's RunPatches: the attributes (always, and while
    nothing records spans), the root logger and the run's handler for it, and the loggers, their
    class and the attribute that caches their levels (which a change of the root's level
    clears)."""
    always, no_recording = patches.entries()
    return (
        always,
        no_recording,
        logging.root,
        _scenario_capture.handler,
        ops_private.LOGGERS,
        logging.Logger,
        ops_private.LOGGER_LEVEL_CACHE,
    )


def use_run_patches(rs: RunPatches) -> None:
    """Take the runtime's RunPatches (once, at start-up)."""
    patches.rs = rs
