"""Drives one ops dispatch in-process, in ops' own order, over the Rust backend and store.

`LoadedCharm` is built once per Context (import the charm, build CharmMeta); a `Dispatch` once
per event: install the run's patches, then a fresh backend, Model, Framework and charm; then
re-emit deferred events, emit the event, collect-status, commit; `close()` removes the patches
(`_scenario_patches`).
Rust reads the results from its own objects afterwards. Every decision about the event (which
relation is broken, which remote unit departs, whether the hook is restricted) comes from Rust.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ops

import _scenario_backend
import _scenario_capture
import _scenario_ops_private as ops_private
from _scenario_capture import CapturingDeferredFramework, CapturingFramework
from _scenario_patches import TRACING as _TRACING
from _scenario_patches import environment as _environment
from _scenario_patches import patches as _patches

if TYPE_CHECKING:
    from _scenario_rs import RunBackend, RunStore

logger = logging.getLogger('ops._main')

OPS_VERSION: str = ops.__version__

# What ops' constructors take differs between releases; each is detected once.
# CharmMeta reads the config options from ops 2.20 (for `load_config`).
_META_TAKES_CONFIG: bool = 'config_raw' in inspect.signature(ops.CharmMeta).parameters
# From ops 2.23 and 3.0 the Model takes the hook's remote unit (ops' dispatch passes it in
# relation-departed and -broken) to keep a departing unit's databag readable; before, it cannot.
_MODEL_TAKES_REMOTE_UNIT: bool = 'remote_unit_name' in inspect.signature(ops.Model).parameters


#: Whether runs capture spans (ops[tracing] is installed; the runtime reads it once, at start-up).
CAPTURES_SPANS: bool = _TRACING is not None


class _RunTrace:
    """The spans of one run, with ops[tracing] installed, captured as ops.testing does: for the
    run, ops_tracing's in-memory provider is opentelemetry's global one, and ops' `ops.main`
    span is open around the dispatch, as ops' `_Manager` opens it. `end()` puts back the
    global provider and ops' tracer as the run found them, and returns the finished spans
    (opentelemetry's `ReadableSpan`s, in the order they ended)."""

    def __init__(self, capture: ops_private.TracingCapture, juju_context: Any, charm_name: str) -> None:
        self._capture = capture
        self._bound = _patches.tracer.bound()
        self._patch = capture.patch_tracing()
        self._exporter = self._patch.__enter__()
        try:
            capture.setup(juju_context, charm_name)
            self._main = _patches.tracer.proxy.start_as_current_span('ops.main')
            self._main.__enter__()
        except BaseException:
            self._restore()
            raise

    def end(self, error: BaseException | None) -> tuple[Any, ...]:
        """Close `ops.main` (with the charm's exception, if it raised) and shut the provider
        down, as ops does after a dispatch; return the run's spans."""
        try:
            if error is None:
                self._main.__exit__(None, None, None)
            else:
                self._main.__exit__(type(error), error, error.__traceback__)
            self._capture.shutdown()
            return tuple(self._exporter.get_finished_spans())
        finally:
            self._restore()

    def _restore(self) -> None:
        try:
            self._patch.__exit__(None, None, None)
        finally:
            _patches.tracer.rebind(self._bound)


class UnknownEventError(Exception):
    """The event is not defined on the charm (or on the object named by the event): what Rust
    needs to say so. `missing` is the attribute path the charm lacks, if that is why;
    otherwise `emitter` (`MyCharm.on`) defines `defined`."""

    def __init__(
        self, name: str, missing: str | None, emitter: str, defined: list[str]
    ) -> None:
        super().__init__(name, missing, emitter, defined)
        self.name = name
        self.missing = missing
        self.emitter = emitter
        self.defined = defined


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
        # The charm's src/ and lib/ (and the extra paths) come first on sys.path while the
        # charm is imported and while it runs, as Juju's dispatch puts them, and only then,
        # with whatever the charm's module added to sys.path as it was imported.
        host_path = sys.path[:]
        try:
            sys.path[:0] = [str(source / 'src'), str(source / 'lib'), *reversed(extra_paths)]
            module = _import_module(module_name, source / 'src' / 'charm.py')
            sys_path: list[str] = [p for p in sys.path if p not in host_path]
        finally:
            sys.path[:] = host_path
        self._setup(
            _find_charm_class(module, class_name), charm_dir, raw_meta, raw_actions, raw_config,
            juju_version, sys_path,
        )

    @classmethod
    def from_class(
        cls,
        charm_class: type[ops.CharmBase],
        charm_dir: str,
        raw_meta: dict[str, Any],
        raw_actions: dict[str, Any] | None,
        raw_config: dict[str, Any] | None,
        juju_version: str,
    ) -> LoadedCharm:
        """A charm class a Python host has imported already (a test passes it to its Context):
        it runs with the host's `sys.path` as it is."""
        if not (isinstance(charm_class, type) and issubclass(charm_class, ops.CharmBase)):
            raise CharmLoadError(f'{charm_class!r} is not a subclass of ops.CharmBase')
        loaded = cls.__new__(cls)
        loaded._setup(
            charm_class, charm_dir, raw_meta, raw_actions, raw_config, juju_version, []
        )
        return loaded

    def _setup(
        self,
        charm_class: type[ops.CharmBase],
        charm_dir: str,
        raw_meta: dict[str, Any],
        raw_actions: dict[str, Any] | None,
        raw_config: dict[str, Any] | None,
        juju_version: str,
        sys_path: list[str],
    ) -> None:
        self.charm_dir = Path(charm_dir)
        # ActionMeta reads JUJU_VERSION from the environment while it is built.
        saved = _environment.set(_environment.encode({'JUJU_VERSION': juju_version}))
        try:
            if _META_TAKES_CONFIG:
                self.meta = ops.CharmMeta(  # type: ignore[call-arg, unused-ignore]
                    raw_meta, raw_actions, raw_config
                )
            else:
                self.meta = ops.CharmMeta(raw_meta, raw_actions)
        finally:
            _environment.restore(saved)
        self.peers = frozenset(self.meta.peers)
        self.sys_path = sys_path
        self.charm_class = charm_class
        # CharmBase.__init__ (and some charm code) defines events on the class of `charm.on`;
        # defining one twice raises, so the charm runs as a subclass with its own `on` class,
        # made once, on which a run defines what an earlier run defined alike at no cost.
        self.charm_class_for_runs, self.events = _wrap(self.charm_class)

    def environment(self, env: dict[str, str]) -> tuple[dict[bytes, bytes], ops_private.JujuContext]:
        """A run's environment as `Dispatch` takes it: encoded as `os.environ` holds it, and as
        ops' JujuContext (the runtime keeps both, made once per distinct environment)."""
        return _environment.encode(env), ops_private.juju_context_from_dict(env)


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
    on_class = type(charm_class.on)  # type: ignore[arg-type, unused-ignore]
    events: _RunEvents

    def define_event(
        cls: type[ops.ObjectEvents], event_kind: str, event_type: type[ops.EventBase]
    ) -> None:
        from_metadata = (
            cls is events.on_class
            and ops_private.caller_code(1) is ops_private.CHARM_BASE_INIT
        )
        if from_metadata and events.from_metadata.get(event_kind) is event_type:
            return
        on_class.define_event.__func__(cls, event_kind, event_type)  # type: ignore[attr-defined, unused-ignore]
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


def _resolve_event(charm: ops.CharmBase, owner: list[str], name: str) -> Any:
    emitter: Any = charm
    for attr in owner:
        emitter = getattr(emitter, attr, None)
        if emitter is None:
            raise UnknownEventError('.'.join([*owner, 'on', name]), '.'.join(owner), '', [])
    events = getattr(emitter, 'on', None)
    bound = getattr(events, name, None) if events is not None else None
    if not isinstance(bound, ops.BoundEvent):
        defined = sorted(events.events()) if isinstance(events, ops.ObjectEvents) else []
        raise UnknownEventError(
            '.'.join([*owner, 'on', name]) if owner else name,
            None,
            f'{type(emitter).__name__}.on',
            defined,
        )
    return bound


def _is_clean_exit(e: BaseException) -> bool:
    """Whether `_Abort`/`SystemExit` ends the hook with exit code 0 (a success for Juju)."""
    if isinstance(e, ops_private.Abort):
        return bool(e.exit_code == 0)
    return isinstance(e, SystemExit) and e.code in (0, None)


class Dispatch:
    """One event's dispatch. Construction installs the run's patches and builds the backend,
    Model, Framework and charm (the caller may then look at `charm`); `run()` re-emits, emits,
    collects status and commits; `close()` always follows and puts the process back as it was.

    Rust decides what ops' dispatch would read from the hook's name: `broken_relation_id` (the
    relation a relation-broken hook leaves out of `model.relations`), `remote_unit_name` (the
    unit whose databag stays readable in relation-departed and -broken) and `restricted`
    (collect-metrics and meter-status-changed, which neither re-emit deferred events nor
    collect status).
    """

    # With ops[tracing]: the run's spans once it is closed (also appended to `_span_sink`, a
    # Python host's `ctx.trace_data`), and the charm's exception, which ends `ops.main`. Class
    # defaults, so that a run without ops[tracing] sets none of them.
    spans: tuple[Any, ...] = ()
    _span_sink: list[Any] | None = None
    _trace: _RunTrace | None = None
    _error: BaseException | None = None

    def __init__(
        self,
        loaded: LoadedCharm,
        rs: RunBackend,
        store: RunStore,
        env: dict[bytes, bytes],
        juju_context: ops_private.JujuContext,
        event_name: str,
        capture_deferred: bool,
        capture_framework: bool,
        broken_relation_id: int | None,
        remote_unit_name: str | None,
        restricted: bool,
        event_sink: list[ops.EventBase] | None = None,
        span_sink: list[Any] | None = None,
    ) -> None:
        self.framework: CapturingFramework | None = None
        self.charm: ops.CharmBase | None = None
        self.juju_context: ops_private.JujuContext | None = None
        self._backend: _scenario_backend.Backend | None = None
        self._events: _RunEvents | None = None
        self._restricted = restricted
        try:
            _patches.install(env, loaded.sys_path)
            self.juju_context = juju_context
            if _TRACING is not None:
                self._span_sink = span_sink
                self._trace = _RunTrace(_TRACING, juju_context, loaded.charm_class.__name__)
            backend = _scenario_backend.Backend(rs, self.juju_context)
            ops_private.set_peer_endpoints(backend, loaded.peers)
            self._backend = backend
            _scenario_capture.handler.model_backend = backend
            self._log_debug(f'ops {OPS_VERSION} up and running.')
            model_args: dict[str, Any] = {'broken_relation_id': broken_relation_id}
            if _MODEL_TAKES_REMOTE_UNIT:
                model_args['remote_unit_name'] = remote_unit_name
            model = ops.Model(loaded.meta, backend, **model_args)
            framework_class = (
                CapturingDeferredFramework if capture_deferred else CapturingFramework
            )
            framework = framework_class(
                # ops' Framework duck-types its store (nine methods): the Rust RunStore.
                store,  # type: ignore[arg-type]
                loaded.charm_dir,
                loaded.meta,
                model,
                event_name=event_name,
            )
            self.framework = framework
            framework.scenario_rs = rs
            framework.scenario_capture_framework = capture_framework
            framework.scenario_event_sink = event_sink
            self._events = loaded.events
            with ops_private.event_context(framework, '__init__'):
                self.charm = loaded.charm_class_for_runs(framework)
        except (ops_private.Abort, SystemExit) as e:
            # The charm ended the hook in its __init__; exit code 0 is a hook that succeeded
            # without a commit, as under ops.main.
            if not _is_clean_exit(e):
                self._note_error(e)
                self.close()
                raise
            self.charm = None
        except BaseException as e:
            self._note_error(e)
            self.close()
            raise

    def run(
        self, event_name: str, owner: list[str], args: list[Any], kwargs: dict[str, Any],
        builtin: bool, bound: ops.BoundEvent | None = None,
    ) -> bool:
        """Returns True if ops committed, False if the charm ended the hook early without a
        commit (`_Abort(0)`, `sys.exit(0)`); any other exception propagates. A Python host may
        give the custom event to emit itself (`bound`, found on the live charm), with its
        arguments as Python objects."""
        framework, context = self.framework, self.juju_context
        assert framework is not None and context is not None
        if self.charm is None:  # ended cleanly in __init__
            return False
        try:
            if not self._restricted:
                framework.reemit()
            if bound is None:
                bound = _resolve_event(self.charm, owner, event_name)
            if builtin:
                args, kwargs = ops_private.get_event_args(self.charm, bound, context)
                self._log_debug(f'Emitting Juju event {event_name}.')
            bound.emit(*args, **kwargs)
            if not self._restricted:
                ops_private.evaluate_status(self.charm)
            framework.commit()
        except (ops_private.Abort, SystemExit) as e:
            if not _is_clean_exit(e):
                self._note_error(e)
                raise
            return False
        except BaseException as e:
            self._note_error(e)
            raise
        return True

    def _note_error(self, error: BaseException) -> None:
        """Keep the exception that ends the hook for `ops.main`, while spans are captured (only
        then: its traceback refers back to this Dispatch, and `close()` drops it)."""
        if _TRACING is not None:
            self._error = error

    def _log_debug(self, message: str) -> None:
        """A debug line of ops' own, as `logger.debug` would send it to juju-log (but without
        building a LogRecord: the charm's own handlers never see ops' lines anyway)."""
        if self._backend is not None and logger.isEnabledFor(logging.DEBUG):
            self._backend.juju_log('DEBUG', message)

    def close(self) -> None:
        """End the run: close the framework, and put back everything the run changed."""
        try:
            if self.framework is not None:
                framework, self.framework = self.framework, None
                framework.close()
                # ops' Framework and its own StoredStateData refer to each other; with that
                # cycle broken, the run's Framework, Model and backend are freed here by
                # reference counting instead of being left for Python's cyclic collector.
                ops_private.release_framework(framework)
        finally:
            try:
                # (The module's constant first: a run without ops[tracing] only reads that.)
                if _TRACING is not None and self._trace is not None:
                    trace, self._trace = self._trace, None
                    error, self._error = self._error, None
                    self.spans = trace.end(error)
                    if self._span_sink is not None:
                        self._span_sink.extend(self.spans)
            finally:
                _scenario_capture.handler.model_backend = None
                if self._events is not None:
                    self._events.end_run()
                    self._events = None
                _patches.uninstall()


def evaluate(charm: ops.CharmBase, expression: str) -> Any:
    """Evaluate a Python expression about the live charm (`charm` and `self` name it)."""
    return eval(expression, {'ops': ops, 'charm': charm, 'self': charm})


def execute(charm: ops.CharmBase, statements: str) -> None:
    """Run Python statements against the live charm (`charm` and `self` name it)."""
    exec(statements, {'ops': ops, 'charm': charm, 'self': charm})
