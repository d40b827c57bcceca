"""Drives one ops dispatch in-process, in ops' own order, over the Rust backend and store.

`LoadedCharm` is built once per Context (import the charm, build CharmMeta); a `Dispatch` once
per event: fresh backend, Model, Framework and charm; then re-emit deferred events, emit the
event, collect-status, commit. Rust reads the results from its own objects afterwards.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import logging
import os
import sys
from pathlib import Path
from typing import Any

import ops
import ops.charm
import ops.framework
import ops.log

try:
    from ops import _main  # ops 2.17 and later
except ImportError:  # ops 2.16: the dispatch internals live in the (callable) ops.main module
    _main = importlib.import_module('ops.main')

import _scenario_backend
import _scenario_capture
from _scenario_capture import CapturingDeferredFramework, CapturingFramework

logger = logging.getLogger('ops._main')
_root_logger = logging.getLogger()

OPS_VERSION: str = ops.__version__
try:
    from ops.jujucontext import JujuContext as _JujuContext  # ops 3.3 and later

    _context_from_dict = _JujuContext._from_dict
except ImportError:  # ops 2.x and 3.0-3.2: a private class with a public from_dict
    from ops.jujucontext import _JujuContext

    _context_from_dict = _JujuContext.from_dict

# What ops' constructors take differs between releases; each is detected once.
# CharmMeta reads the config options from ops 2.20 (for `load_config`).
_META_TAKES_CONFIG: bool = 'config_raw' in inspect.signature(ops.CharmMeta).parameters
# From ops 2.23 and 3.0 the Model takes the hook's remote unit (ops' dispatch passes it in
# relation-departed and -broken) to keep a departing unit's databag readable; before, it cannot.
_MODEL_TAKES_REMOTE_UNIT: bool = 'remote_unit_name' in inspect.signature(ops.Model).parameters

# Per-interpreter security-event cache (ops 3.x): it must follow the current run's backend.
_clear_security_log_cache = getattr(
    getattr(ops.log, '_get_juju_log_and_app_id', None), 'cache_clear', lambda: None
)


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


ops.framework.inspect = _MemoisedInspect()  # type: ignore[assignment]


class _NoSpan:
    """The context of a span that records nothing (opentelemetry's INVALID_SPAN)."""

    def __init__(self, span: Any) -> None:
        self._span = span

    def __enter__(self) -> Any:
        return self._span

    def __exit__(self, *exc: object) -> bool:
        return False


class _Tracing:
    """ops' tracer (ops 3.x), made cheap while nothing records spans.

    ops opens a span around every observer it calls (and every hook command). With no tracer
    provider set, as in every run here, opentelemetry's no-op tracer builds three context
    managers and attaches a context per span, all to record nothing: about 5 µs each. While no
    provider is set, ops' modules get a tracer whose spans are opentelemetry's own
    non-recording INVALID_SPAN at no cost; once one is set, they get ops' tracer back.
    """

    def __init__(self) -> None:
        self._modules: list[Any] = []
        self._proxy: Any = None
        try:
            import opentelemetry.trace as otel_trace

            from ops._private import tracer  # type: ignore[attr-defined]
        except ImportError:  # ops without tracing
            return
        self._otel = otel_trace
        self._proxy = tracer
        self._no_span = _NoSpan(otel_trace.INVALID_SPAN)
        self._modules = [
            m for name, m in list(sys.modules.items())
            if name.startswith('ops') and getattr(m, 'tracer', None) is tracer
        ]
        self._cheap = False

    def start_as_current_span(self, *args: Any, **kwargs: Any) -> _NoSpan:
        return self._no_span

    def start_span(self, *args: Any, **kwargs: Any) -> Any:
        return self._otel.INVALID_SPAN

    def before_run(self) -> None:
        if self._proxy is None:
            return
        cheap = self._otel._TRACER_PROVIDER is None and not self._proxy._real_tracer
        if cheap != self._cheap:
            for module in self._modules:
                module.tracer = self if cheap else self._proxy
            self._cheap = cheap


_tracing = _Tracing()


def _secret_ids() -> list[str]:
    """`ops.hookcmds.secret_ids()` (`secret-ids`, which ops' backend never calls), answered by
    the running hook's Rust backend instead of a subprocess."""
    backend = _scenario_capture.handler.model_backend
    if backend is None:
        raise RuntimeError('secret-ids can only be run during a hook')
    return backend._rs.secret_ids()


if hasattr(ops, 'hookcmds'):  # ops 3.x
    import ops.hookcmds._secret

    ops.hookcmds.secret_ids = _secret_ids
    ops.hookcmds._secret.secret_ids = _secret_ids


class UnknownEventError(Exception):
    """The event is not defined on the charm (or on the object named by the event)."""

    def __init__(self, name: str, hint: str) -> None:
        super().__init__(name, hint)
        self.name = name
        self.hint = hint


class CharmLoadError(Exception):
    """The charm module could not be loaded, or its CharmBase subclass not found."""


class LoadedCharm:
    """One charm, loaded once per Context: its class, its metadata and where it lives."""

    def __init__(
        self,
        source_dir: str,
        charm_dir: str,
        module_name: str,
        class_name: str | None,
        raw_meta: dict[str, Any],
        raw_actions: dict[str, Any] | None,
        raw_config: dict[str, Any] | None,
        juju_version: str,
        extra_paths: list[str],
    ) -> None:
        # The charm's code comes from its own directory; it sees `charm_dir` as its charm dir
        # (the same unless the Context gives a charm root).
        source = Path(source_dir)
        self.charm_dir = Path(charm_dir)
        for path in [*extra_paths, str(source / 'lib'), str(source / 'src')]:
            if path not in sys.path:
                sys.path.insert(0, path)
        # ActionMeta reads JUJU_VERSION from the environment while it is built.
        saved = _environment.set({'JUJU_VERSION': juju_version})
        try:
            if _META_TAKES_CONFIG:
                self.meta = ops.CharmMeta(raw_meta, raw_actions, raw_config)
            else:
                self.meta = ops.CharmMeta(raw_meta, raw_actions)
        finally:
            _environment.restore(saved)
        self.peers = frozenset(self.meta.peers)
        # JujuContext is frozen; building one resolves the charm dir (several syscalls), so
        # each distinct environment's context is built once.
        self._contexts: dict[tuple[str, ...], Any] = {}
        source_path = source / 'src' / 'charm.py'
        self.charm_class = _find_charm_class(_import_module(module_name, source_path), class_name)
        # CharmBase.__init__ (and some charm code) defines events on the class of `charm.on`;
        # defining one twice raises, so the charm runs as a subclass with its own `on` class,
        # made once, on which a run defines what an earlier run defined alike at no cost.
        self.charm_class_for_runs, self.events = _wrap(self.charm_class)

    def juju_context(self, env: dict[str, str]) -> Any:
        """The JujuContext for this environment (built once per distinct environment)."""
        key = tuple(env.items())
        context = self._contexts.get(key)
        if context is None:
            if len(self._contexts) > 256:
                self._contexts.clear()
            context = self._contexts[key] = _context_from_dict(env)
        return context


def _import_module(module_name: str, path: Path) -> Any:
    if not path.is_file():
        raise CharmLoadError(f'no charm source at {path}')
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise CharmLoadError(f'cannot import {path}')
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def _find_charm_class(module: Any, class_name: str | None) -> type[ops.CharmBase]:
    candidates = {
        name: obj
        for name, obj in vars(module).items()
        if isinstance(obj, type)
        and issubclass(obj, ops.CharmBase)
        and obj.__module__ == module.__name__
    }
    if class_name is not None:
        found = getattr(module, class_name, None)
        if not (isinstance(found, type) and issubclass(found, ops.CharmBase)):
            raise CharmLoadError(
                f'{class_name!r} is not a CharmBase subclass in {module.__file__}; '
                f'found: {", ".join(sorted(candidates)) or "none"}'
            )
        return found
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if not candidates:
        raise CharmLoadError(f'no CharmBase subclass is defined in {module.__file__}')
    main_class = _class_passed_to_main(module.__file__)
    if main_class in candidates:
        return candidates[main_class]
    raise CharmLoadError(
        f'{module.__file__} defines several CharmBase subclasses '
        f'({", ".join(sorted(candidates))}) and none is passed to ops.main(); '
        'name the one to run (charm_class)'
    )


def _class_passed_to_main(path: str) -> str | None:
    """The class name in the module's `ops.main(SomeCharm)` call, as Juju would run it."""
    tree = ast.parse(Path(path).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Name):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, 'id', None)
            if name == 'main':
                return node.args[0].id
    return None


# The code of CharmBase.__init__, which defines the events of the charm's metadata.
_CHARM_BASE_INIT = ops.CharmBase.__init__.__code__


class _RunEvents:
    """The events runs define on a charm's own `on` class, so that each run sees exactly the
    events it defines, as in a fresh process, without building classes per run.

    The events `CharmBase.__init__` defines from the metadata are the same in every run: they
    are defined by the first run and kept. Events the charm's own code defines (a charm library
    may) are removed when the run ends, so the next run defines them afresh, or not at all.
    """

    def __init__(self, on_class: type[ops.ObjectEvents]) -> None:
        self.on_class = on_class
        self.from_metadata: dict[str, type[ops.EventBase]] = {}
        self.this_run: list[str] = []

    def end_run(self) -> None:
        for kind in self.this_run:
            if kind in self.on_class.__dict__:
                delattr(self.on_class, kind)
        self.this_run.clear()


def _wrap(charm_class: type[ops.CharmBase]) -> tuple[type[ops.CharmBase], _RunEvents]:
    """A subclass of the charm with its own `on` class, keeping the names (handle paths use
    them), and the record of the events runs define on it."""
    on_class = type(charm_class.on)
    events: _RunEvents

    def define_event(
        cls: type[ops.ObjectEvents], event_kind: str, event_type: type[ops.EventBase]
    ) -> None:
        from_metadata = cls is events.on_class and sys._getframe(1).f_code is _CHARM_BASE_INIT
        if from_metadata and events.from_metadata.get(event_kind) is event_type:
            return
        on_class.define_event.__func__(cls, event_kind, event_type)  # type: ignore[attr-defined]
        if from_metadata:
            events.from_metadata[event_kind] = event_type
        elif cls is events.on_class:
            events.this_run.append(event_kind)

    new_on = type(on_class.__name__, (on_class,), {'define_event': classmethod(define_event)})
    new_on.__qualname__ = on_class.__qualname__
    events = _RunEvents(new_on)
    wrapped = type(charm_class.__name__, (charm_class,), {'on': new_on()})
    wrapped.__qualname__ = charm_class.__qualname__
    wrapped.__module__ = charm_class.__module__
    return wrapped, events


class _Environment:
    """`os.environ` as the charm sees it during a run, put back whole afterwards.

    Only Python's mapping behind `os.environ` is changed, never the C environment: Rust code
    in other threads may read the C environment at any moment (`std::env`, `tempfile`), and a
    `setenv` racing a `getenv` crashes the process. So during a run `os.putenv` and
    `os.unsetenv` do nothing (a charm's own `os.environ` changes stay in the mapping), and
    after it the mapping, and `os.environ` itself, are restored as they were. Subprocesses a
    charm starts therefore inherit the process environment without the run's JUJU_* values.
    """

    def __init__(self) -> None:
        self._environ = os.environ
        self._data: dict[Any, Any] = os.environ._data  # type: ignore[attr-defined]
        self._encodekey = os.environ.encodekey  # type: ignore[attr-defined]
        self._encodevalue = os.environ.encodevalue  # type: ignore[attr-defined]
        self._putenv = os.putenv
        self._unsetenv = os.unsetenv
        self._keys: dict[str, Any] = {}

    def _key(self, key: str) -> Any:
        encoded = self._keys.get(key)
        if encoded is None:
            encoded = self._keys[key] = self._encodekey(key)
        return encoded

    def set(self, env: dict[str, str]) -> dict[Any, Any]:
        """Set the run's environment; return what to put back."""
        saved = self._data.copy()
        for key, value in env.items():
            self._data[self._key(key)] = self._encodevalue(value)
        self._data.pop(self._key('OPERATOR_DISPATCH'), None)
        os.putenv = _no_putenv
        os.unsetenv = _no_unsetenv
        return saved

    def restore(self, saved: dict[Any, Any]) -> None:
        os.putenv = self._putenv
        os.unsetenv = self._unsetenv
        os.environ = self._environ
        self._data.clear()
        self._data.update(saved)


class _ProcessState:
    """`sys.path` and the working directory, put back after a run that changed them.

    sys.path is compared (a few strings) and refilled in place if the charm changed or rebound
    it. The working directory is only looked up if the charm calls `os.chdir` or `os.fchdir`
    during the run (they are wrapped while it runs), so an ordinary run pays nothing for it.
    """

    def __init__(self) -> None:
        self._chdir = os.chdir
        self._fchdir = os.fchdir
        self._cwd: str | None = None
        self._path: list[str] = []
        self._path_list: list[str] = sys.path

    def _before_chdir(self) -> None:
        if self._cwd is None:
            self._cwd = os.getcwd()

    def _wrapped_chdir(self, path: Any) -> None:
        self._before_chdir()
        self._chdir(path)

    def _wrapped_fchdir(self, fd: Any) -> None:
        self._before_chdir()
        self._fchdir(fd)

    def save(self) -> None:
        self._path_list = sys.path
        self._path = sys.path[:]
        self._cwd = None
        os.chdir = self._wrapped_chdir  # type: ignore[assignment]
        os.fchdir = self._wrapped_fchdir  # type: ignore[assignment]

    def restore(self) -> None:
        os.chdir = self._chdir
        os.fchdir = self._fchdir
        if self._cwd is not None:
            self._chdir(self._cwd)
            self._cwd = None
        if sys.path is not self._path_list or sys.path != self._path:
            sys.path = self._path_list
            sys.path[:] = self._path


_process_state = _ProcessState()


def _no_putenv(name: Any, value: Any) -> None:
    """`os.putenv` during a run (see `_Environment`)."""


def _no_unsetenv(name: Any) -> None:
    """`os.unsetenv` during a run (see `_Environment`)."""


_environment = _Environment()


def _resolve_event(charm: ops.CharmBase, owner: list[str], name: str) -> Any:
    emitter: Any = charm
    for attr in owner:
        emitter = getattr(emitter, attr, None)
        if emitter is None:
            raise UnknownEventError(
                '.'.join([*owner, 'on', name]),
                f'the charm has no attribute path {".".join(owner)!r}',
            )
    events = getattr(emitter, 'on', None)
    bound = getattr(events, name, None) if events is not None else None
    if not isinstance(bound, ops.BoundEvent):
        defined = sorted(events.events()) if isinstance(events, ops.ObjectEvents) else []
        where = f'{type(emitter).__name__}.on'
        raise UnknownEventError(
            '.'.join([*owner, 'on', name]) if owner else name,
            f'{where} defines: {", ".join(defined) or "no events"}',
        )
    return bound


def _is_clean_exit(e: BaseException) -> bool:
    """Whether `_Abort`/`SystemExit` ends the hook with exit code 0 (a success for Juju)."""
    if isinstance(e, _main._Abort):
        return e.exit_code == 0
    return isinstance(e, SystemExit) and e.code in (0, None)


class Dispatch:
    """One event's dispatch. Construction builds the backend, Model, Framework and charm (the
    caller may then look at `charm`); `run()` re-emits, emits, collects status and commits;
    `close()` always follows and puts the process back as it was."""

    def __init__(
        self,
        loaded: LoadedCharm,
        rs: Any,
        store: Any,
        env: dict[str, str],
        event_name: str,
        capture_deferred: bool,
        capture_framework: bool,
        broken_relation_id: int | None,
        remote_unit_name: str | None,
        restricted: bool,
    ) -> None:
        self._restricted = restricted
        self.framework: CapturingFramework | None = None
        self.charm: ops.CharmBase | None = None
        self._events: _RunEvents | None = None
        self._saved_env = _environment.set(env)
        _process_state.save()
        _tracing.before_run()
        self.juju_context = loaded.juju_context(env)
        backend = _scenario_backend.Backend(rs, self.juju_context)
        if hasattr(backend, '_peer_endpoints'):
            backend._peer_endpoints = loaded.peers
        self._backend = backend
        _scenario_capture.handler.model_backend = backend
        # A previous run's charm may have changed the root logger: put back what ops sets up.
        if _root_logger.level != logging.DEBUG:
            _root_logger.setLevel(logging.DEBUG)
        if _scenario_capture.handler not in _root_logger.handlers:
            _root_logger.addHandler(_scenario_capture.handler)
        _clear_security_log_cache()
        try:
            self._log_debug(f'ops {OPS_VERSION} up and running.')
            # As ops' own dispatch does (Rust decides which): relation-broken leaves the dying
            # relation out of `model.relations`, and departed/broken keep the remote unit's
            # databag readable.
            model_args: dict[str, Any] = {'broken_relation_id': broken_relation_id}
            if _MODEL_TAKES_REMOTE_UNIT:
                model_args['remote_unit_name'] = remote_unit_name
            model = ops.Model(loaded.meta, backend, **model_args)
            framework_class = (
                CapturingDeferredFramework if capture_deferred else CapturingFramework
            )
            framework = framework_class(
                store, loaded.charm_dir, loaded.meta, model, event_name=event_name
            )
            self.framework = framework
            framework._scenario_rs = rs
            framework._scenario_capture_framework = capture_framework
            self._events = loaded.events
            with framework._event_context('__init__'):
                self.charm = loaded.charm_class_for_runs(framework)
        except (_main._Abort, SystemExit) as e:
            # The charm ended the hook in its __init__; exit code 0 is a hook that succeeded
            # without a commit, as under ops.main.
            if not _is_clean_exit(e):
                self.close()
                raise
            self.charm = None
        except BaseException:
            self.close()
            raise

    def run(
        self, event_name: str, owner: list[str], args: list[Any], kwargs: dict[str, Any],
        builtin: bool,
    ) -> bool:
        """Returns True if ops committed, False if the charm ended the hook early without a
        commit (`_Abort(0)`, `sys.exit(0)`); any other exception propagates."""
        framework = self.framework
        assert framework is not None
        if self.charm is None:  # ended cleanly in __init__
            return False
        restricted = self._restricted
        try:
            if not restricted:
                framework.reemit()
            bound = _resolve_event(self.charm, owner, event_name)
            if builtin:
                args, kwargs = _main._get_event_args(self.charm, bound, self.juju_context)
                self._log_debug(f'Emitting Juju event {event_name}.')
            bound.emit(*args, **kwargs)
            if not restricted:
                ops.charm._evaluate_status(self.charm)
            framework.commit()
        except (_main._Abort, SystemExit) as e:
            if not _is_clean_exit(e):
                raise
            return False
        return True

    def _log_debug(self, message: str) -> None:
        """A debug line of ops' own, as `logger.debug` would send it to juju-log (but without
        building a LogRecord: the charm's own handlers never see ops' lines anyway)."""
        if logger.isEnabledFor(logging.DEBUG):
            self._backend.juju_log('DEBUG', message)

    def close(self) -> None:
        if self.framework is not None:
            self.framework.close()
            ops.Framework.on._cache.pop(self.framework, None)
            # ops' Framework and its own StoredStateData refer to each other; with that cycle
            # broken, the run's Framework, Model and backend are freed here by reference
            # counting instead of being left for Python's cyclic garbage collector.
            self.framework.__dict__.pop('_stored', None)
            self.framework = None
        _scenario_capture.handler.model_backend = None
        if self._events is not None:
            self._events.end_run()
            self._events = None
        _environment.restore(self._saved_env)
        _process_state.restore()


def evaluate(charm: Any, expression: str) -> Any:
    """Evaluate a Python expression about the live charm (`charm` and `self` name it)."""
    return eval(expression, {'ops': ops, 'charm': charm, 'self': charm})


def execute(charm: Any, statements: str) -> None:
    """Run Python statements against the live charm (`charm` and `self` name it)."""
    exec(statements, {'ops': ops, 'charm': charm, 'self': charm})
