"""Every private name the shim uses, of ops and of what comes with it, in one place.

The other shim modules take ops' private names only from here (the methods the shim overrides
are listed in `OVERRIDDEN`; tests/shim.rs checks that no other module reaches for one). For each
name: what the shim uses it for, and the ops releases it is known in. `KNOWN_IN` gives, for each
name, which of the releases the test suite runs on (2.16.1, 2.23.6, 3.9.0) have it, and
tests/shim.rs checks that against the installed ops; a boundary between them ("from 2.17") is
the release ops' changelog gives, not checked here.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from types import CodeType, ModuleType
from typing import TYPE_CHECKING, Any, ContextManager, TypeAlias

import ops
import ops.charm
import ops.framework
import ops.log
import ops.model

_ALL = ('2.16.1', '2.23.6', '3.9.0')

#: Each private name below, as `module.attribute` (or `module.Class#attribute` for an instance
#: attribute that `Class.__init__` sets), and the releases of `_ALL` that have it.
KNOWN_IN: dict[str, tuple[str, ...]] = {
    'ops.main._Abort': ('2.16.1',),
    'ops._main._Abort': ('2.23.6', '3.9.0'),
    'ops.main._get_event_args': _ALL,
    'ops._main._get_event_args': ('2.23.6', '3.9.0'),
    'ops.charm._evaluate_status': _ALL,
    'ops.model._ModelBackend': _ALL,
    'ops.model._ModelBackendValidator': _ALL,
    'ops.model._ModelBackend._storage_event_details': ('2.16.1', '2.23.6'),
    'ops.model._ModelBackend#_peer_endpoints': ('3.9.0',),
    'ops.model._ModelBackend._run': ('2.16.1', '2.23.6'),
    'ops.model._ModelBackend._add_hook_command_note': ('3.9.0',),
    'ops.model._ModelBackend._check_for_security_event': ('3.9.0',),
    'ops.model._ModelBackend#_is_leader': _ALL,
    'ops.model._ModelBackend#_leader_check_time': _ALL,
    'ops.model._StatusDict': _ALL,
    'ops.model._NetworkDict': _ALL,
    'ops.jujucontext.JujuContext._from_dict': ('3.9.0',),
    'ops.jujucontext._JujuContext.from_dict': ('2.16.1', '2.23.6'),
    'ops.framework.Framework._emit': _ALL,
    'ops.framework.Framework._reemit': _ALL,
    'ops.framework.Framework._event_context': _ALL,
    'ops.framework.Framework._forget': _ALL,
    'ops.framework.Framework#_storage': _ALL,
    'ops.framework.Framework#_type_registry': _ALL,
    'ops.framework.Framework#_stored': _ALL,
    'ops.framework.Framework.on._cache': _ALL,
    'ops.framework.inspect': _ALL,
    'ops.framework.logger': _ALL,
    'ops.charm.logger': _ALL,
    'ops.hookcmds._secret.secret_ids': ('3.9.0',),
    'ops.log._get_juju_log_and_app_id': ('3.9.0',),
    'ops._private.tracer': ('2.23.6', '3.9.0'),
    'opentelemetry.trace._TRACER_PROVIDER': ('2.23.6', '3.9.0'),
    'opentelemetry.trace.ProxyTracer#_real_tracer': ('2.23.6', '3.9.0'),
    'ops.pebble._ServiceInfoDict': _ALL,
    'ops._private.timeconv.parse_rfc3339': _ALL,
}

try:
    # ops._main: from 2.17 (checked 2.23.6, 3.9.0).
    from ops import _main  # type: ignore[attr-defined, unused-ignore]
except ImportError:  # ops 2.16 (checked 2.16.1): the dispatch internals live in ops.main.
    _main = importlib.import_module('ops.main')

if TYPE_CHECKING:
    # ---- Types only (annotations of the backend, the Pebble client and the Rust stub) ----
    # ops' TypedDicts of what hook tools and Pebble's API return, which the Rust objects
    # produce and ops' `from_dict`s read. ops.model's are defined in every release (checked
    # 2.16.1, 2.23.6, 3.9.0); ops.pebble's only for type checkers (`if TYPE_CHECKING` there),
    # so they are checked by the type check (against 3.9.0) alone.
    import ops.pebble

    StatusDict = ops.model._StatusDict
    NetworkDict = ops.model._NetworkDict
    ServiceInfoDict = ops.pebble._ServiceInfoDict
    CheckInfoDict = ops.pebble._CheckInfoDict
    FileInfoDict = ops.pebble._FileInfoDict
    ChangeDict = ops.pebble._ChangeDict
    WarningDict = ops.pebble._WarningDict
    NoticeDict = ops.pebble._NoticeDict

# ---- ops' dispatch (ops.main), done by the driver in ops' own order ------------------------

#: `_main._Abort(exit_code)`: what ops.main turns into `sys.exit(exit_code)`
#: (`load_config(errors='blocked')`, `load_params(errors='fail')`): the driver ends the hook
#: on it. All releases (checked 2.16.1 in ops.main, 2.23.6 and 3.9.0 in ops._main).
Abort = _main._Abort

#: `_main._get_event_args(charm, bound_event, juju_context)`: the arguments of a Juju event,
#: from the JujuContext. All releases (checked 2.16.1, 2.23.6, 3.9.0).
get_event_args = _main._get_event_args

#: `ops.charm._evaluate_status(charm)`: the collect-status step after the event. All releases
#: (checked 2.16.1, 2.23.6, 3.9.0).
evaluate_status = ops.charm._evaluate_status

# ---- The model backend ----------------------------------------------------------------------

#: `ops.model._ModelBackend`: the hook tools; the shim's Backend subclasses it. All releases
#: (checked 2.16.1, 2.23.6, 3.9.0).
ModelBackend = ops.model._ModelBackend

#: `ops.model._ModelBackendValidator`: ops' checks and formatting of `add-metric` arguments
#: (`validate_metric_label`, `validate_label_value`, `validate_metric_key`,
#: `format_metric_value`), which the base `add_metrics` does. All releases (checked 2.16.1,
#: 2.23.6, 3.9.0).
ModelBackendValidator = ops.model._ModelBackendValidator

#: Whether `_ModelBackend.secret_set` reads the secret first (`secret_info_get`) on Juju < 3.6
#: (Juju bug 2081034): read in its code. From 3.4 (checked: 3.9.0 yes; 2.16.1, 2.23.6 no).
OPS_READS_BEFORE_SECRET_SET: bool = (
    'secret_info_get' in inspect.unwrap(ModelBackend.secret_set).__code__.co_names
)

#: Whether `_ModelBackend.relation_set` takes one `key` and `value` (before 2.20; checked
#: 2.16.1) rather than a mapping (checked 2.23.6, 3.9.0).
RELATION_SET_TAKES_ONE_KEY: bool = (
    'key' in inspect.signature(ModelBackend.relation_set).parameters
)


#: Whether ops runs hook tools through `_ModelBackend._run`, which turns a missing executable
#: (subprocess' FileNotFoundError) into `RuntimeError('command not found: <tool>')` (checked
#: 2.16.1, 2.23.6); ops 3 runs them through `ops.hookcmds`, which lets the FileNotFoundError
#: through (checked 3.9.0).
_MISSING_TOOL_IS_RUNTIME_ERROR: bool = hasattr(ModelBackend, '_run')


def missing_hook_tool(tool: str) -> Exception:
    """What ops raises when the Juju it runs under has no hook tool `tool` (Juju 4 dropped
    `add-metric` and `pod-spec-set`): the executable is not there."""
    if _MISSING_TOOL_IS_RUNTIME_ERROR:
        return RuntimeError(f'command not found: {tool}')
    return FileNotFoundError(2, 'No such file or directory', tool)


def cache_leadership(backend: ops.model._ModelBackend, leader: bool) -> None:
    """Keep the answer of `is-leader` as ops' `_ModelBackend.is_leader` does
    (`_is_leader`, `_leader_check_time`; all releases, checked 2.16.1, 2.23.6, 3.9.0), so
    that what reads ops' cache (the security event of a refused hook tool says "as leader",
    or nothing, rather than "leadership unknown") sees it."""
    backend._is_leader = leader
    # ops 2.x declares it by assigning None (an inferred `None` type).
    backend._leader_check_time = time.monotonic()  # type: ignore[assignment, unused-ignore]


def hook_command_failed(
    backend: ops.model._ModelBackend, error: ops.ModelError, tool: str, trace: Mapping[str, Any]
) -> None:
    """What ops' `_ModelBackend._wrap_hookcmd` does with a failed hook tool's error, from 3.9
    (checked 3.9.0; absent in 2.16.1, 2.23.6, which do neither): unless the relation is gone,
    `_check_for_security_event` logs an authorisation failure as a security event (Juju's
    hook tools exit with 1 on an error); then `_add_hook_command_note` notes the tool, its
    (non-sensitive) arguments and the event on the error. `trace` is what ops' own call site
    passes to `_wrap_hookcmd`."""
    check = getattr(backend, '_check_for_security_event', None)
    if check is not None and not isinstance(error, ops.RelationNotFoundError):
        check(tool, 1, str(error))
    add_note = getattr(backend, '_add_hook_command_note', None)
    if add_note is not None:
        add_note(error, tool, trace)


def set_peer_endpoints(backend: ops.model._ModelBackend, peers: frozenset[str]) -> None:
    """`backend._peer_endpoints`, the metadata's peer endpoints, which ops' `_Manager` sets
    (from 3.0; checked 3.9.0; absent in 2.16.1 and 2.23.6, where nothing is set)."""
    if hasattr(backend, '_peer_endpoints'):
        backend._peer_endpoints = peers


#: `ops._private.timeconv.parse_rfc3339(text)`: how ops reads the times hook tools print
#: (`SecretInfo.from_dict`), any number of fractional digits (Juju 4 prints nanoseconds) and a
#: `Z` or an offset, on every Python ops supports. All releases (checked 2.16.1, 2.23.6, 3.9.0).
from ops._private import timeconv as _timeconv  # noqa: E402

parse_rfc3339 = _timeconv.parse_rfc3339


# ---- JujuContext ----------------------------------------------------------------------------

#: Builds ops' JujuContext from an environment mapping, without validation, as `_Manager`
#: does: `JujuContext._from_dict` from 3.3 (checked 3.9.0); before, the private class's
#: `_JujuContext.from_dict` (checked 2.16.1, 2.23.6).
if TYPE_CHECKING:
    # The type of the context the shim hands ops: the public class from 3.3; before, the
    # private one, which the type checker then reads as Any.
    from ops.jujucontext import JujuContext as _JujuContext  # type: ignore[attr-defined, unused-ignore]

    JujuContext: TypeAlias = _JujuContext

juju_context_from_dict: Callable[[Mapping[str, str]], JujuContext]
try:
    juju_context_from_dict = importlib.import_module('ops.jujucontext').JujuContext._from_dict
except AttributeError:
    juju_context_from_dict = importlib.import_module('ops.jujucontext')._JujuContext.from_dict

# ---- The Framework ----------------------------------------------------------------------------

#: Methods of ops' classes that the shim's subclasses override, by class: `Framework._emit`
#: (every emission; all releases, checked 2.16.1, 2.23.6, 3.9.0), `Framework._reemit`
#: (re-emission of deferred events; all releases, checked likewise), and
#: `_ModelBackend._storage_event_details` (a storage event's index and location, which ops 2.x
#: reads by running `storage-get --help`; checked 2.16.1, 2.23.6; gone in 3.0, checked 3.9.0).
OVERRIDDEN: dict[type, tuple[str, ...]] = {
    ops.Framework: ('_emit', '_reemit'),
    ModelBackend: ('_storage_event_details',),
}


def event_context(framework: ops.Framework, event_name: str) -> ContextManager[None]:
    """`framework._event_context(name)`: marks the backend as running a hook while the charm is
    built, as `_Manager` does. All releases (checked 2.16.1, 2.23.6, 3.9.0)."""
    context: ContextManager[None] = framework._event_context(event_name)
    return context


def deferred_notices(framework: ops.Framework) -> Iterator[tuple[str, str, str]]:
    """`framework._storage.notices(None)`: the deferred-event notices the framework will
    re-emit. All releases (checked 2.16.1, 2.23.6, 3.9.0)."""
    return iter(framework._storage.notices(None))


def forget(framework: ops.Framework, obj: Any) -> None:
    """`framework._forget(obj)`: let ops restore an object with the same handle again (a
    deferred event handed to a host before ops re-emits it). All releases (checked 2.16.1,
    2.23.6, 3.9.0)."""
    framework._forget(obj)


def registered_event_type(
    framework: ops.Framework, parent_path: str | None, kind: str
) -> type | None:
    """`framework._type_registry[(parent_path, kind)]`: the event class of a deferred event's
    handle. All releases (checked 2.16.1, 2.23.6, 3.9.0)."""
    return framework._type_registry.get((parent_path, kind))


def release_framework(framework: ops.Framework) -> None:
    """Let a closed Framework be freed by reference counting: drop it from the class-level
    cache of `Framework.on` (`ObjectEvents._cache`, a WeakKeyDictionary whose value refers to
    its key, so it never frees it), and break the cycle between the framework and its own
    stored state (`framework._stored`). All releases (checked 2.16.1, 2.23.6, 3.9.0)."""
    ops.Framework.on._cache.pop(framework, None)  # type: ignore[arg-type, unused-ignore]
    framework.__dict__.pop('_stored', None)


#: The code of `CharmBase.__init__`, which defines the events of the charm's metadata on the
#: charm's `on` class (`define_event`): the shim tells those definitions from the charm's own by
#: their caller. All releases (checked 2.16.1, 2.23.6, 3.9.0).
CHARM_BASE_INIT: CodeType = ops.CharmBase.__init__.__code__


def caller_code(depth: int) -> CodeType:
    """The code of the function `depth` frames above the caller (`sys._getframe`)."""
    return sys._getframe(depth + 1).f_code


# ---- Module attributes of ops the shim replaces during a run --------------------------------
# (Each is installed by `_scenario_patches` when a run starts and put back when it ends.)

#: `ops.framework.inspect`, the module `Framework.observe` calls `inspect.signature` through.
#: All releases (checked 2.16.1, 2.23.6, 3.9.0).
FRAMEWORK_INSPECT: tuple[ModuleType, str] = (ops.framework, 'inspect')

#: The `logger` of ops.framework and ops.charm, which log a debug line for every deferral,
#: re-emission and collected status. All releases (checked 2.16.1, 2.23.6, 3.9.0).
OPS_DEBUG_LOGGERS: tuple[tuple[ModuleType, str], ...] = ((ops.framework, 'logger'), (ops.charm, 'logger'))


def secret_ids_functions() -> list[tuple[ModuleType, str]]:
    """Where `ops.hookcmds.secret_ids` is bound: the package and its private module
    `ops.hookcmds._secret` (from 3.4; checked 3.9.0; no ops.hookcmds in 2.16.1, 2.23.6)."""
    try:
        import ops.hookcmds  # type: ignore[import-not-found, unused-ignore]
        import ops.hookcmds._secret  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return []
    return [(ops.hookcmds, 'secret_ids'), (ops.hookcmds._secret, 'secret_ids')]


#: `ops.log._get_juju_log_and_app_id.cache_clear()`: the security-event log target is cached
#: per process (on the first root JujuLogHandler's backend); it must follow the run's. From 3.0
#: (checked 3.9.0; absent in 2.16.1, 2.23.6, where this does nothing).
clear_security_log_cache: Callable[[], None] = getattr(
    getattr(ops.log, '_get_juju_log_and_app_id', None), 'cache_clear', lambda: None
)


# ---- Tracing (ops 2.21 and later; checked 2.23.6, 3.9.0; none in 2.16.1) -------------------


class OpsTracer:
    """ops' tracer: `ops._private.tracer`, the opentelemetry ProxyTracer all ops modules share
    as `tracer`, and whether anything records its spans: opentelemetry's global provider
    (`opentelemetry.trace._TRACER_PROVIDER`, set by `set_tracer_provider`) or the proxy's
    `_real_tracer` (set once a provider was used). None of it in ops without tracing."""

    def __init__(self) -> None:
        self.proxy: Any = None
        try:
            import opentelemetry.trace as otel_trace  # type: ignore[import-not-found, unused-ignore]

            from ops._private import tracer  # type: ignore[attr-defined, unused-ignore]
        except ImportError:
            return
        self._otel: Any = otel_trace
        self.proxy = tracer
        self.invalid_span: Any = otel_trace.INVALID_SPAN

    def records(self) -> bool:
        """Whether spans may be recorded: a tracer provider is set or was used (or ops' tracer
        is not the proxy, as when a provider was set before ops was imported)."""
        return self._otel._TRACER_PROVIDER is not None or bool(
            getattr(self.proxy, '_real_tracer', True)
        )

    def bound(self) -> Any:
        """The tracer ops' proxy forwards to (`_real_tracer`, bound by the proxy on its first
        use once a provider is set), None while it has none."""
        return vars(self.proxy).get('_real_tracer')

    def rebind(self, tracer: Any) -> None:
        """Put back what `bound()` returned: a run's provider does not outlive the run in ops'
        tracer."""
        if '_real_tracer' in vars(self.proxy):
            self.proxy._real_tracer = tracer


class TracingCapture:
    """ops[tracing] (the optional `ops_tracing` package) as ops.testing uses it to capture a
    run's spans: `ops_tracing._mock.patch_tracing()` (while entered, ops_tracing's provider is
    an in-memory one, and on exit opentelemetry's global provider and its set-once flag are put
    back), and ops' own `ops.tracing._setup(juju_context, charm_class_name)` and `_shutdown()`,
    which ops' `_Manager` calls around a dispatch. Used with ops 3.x (checked ops_tracing
    3.9.0); `capture()` is None without ops[tracing], and in ops 2.x, whose ops_tracing (checked
    2.23.6) lets the first run's provider shut the shared span processor down, after which
    opentelemetry-sdk 1.45 drops every span."""

    def __init__(self, tracing: Any, mock: Any, backend: Any) -> None:
        self.patch_tracing: Callable[[], ContextManager[Any]] = mock.patch_tracing
        self.shutdown: Callable[[], None] = tracing._shutdown
        self._setup: Callable[[Any, str], None] = tracing._setup
        # `_setup` makes its Resource with `Resource.create`, as the `Resource` of
        # `ops_tracing._backend` (checked 3.9.0).
        self._backend = backend
        self._resources = _KnownResources(backend.Resource)

    def setup(self, juju_context: Any, charm_class_name: str) -> None:
        """ops' `_setup`, with each distinct Resource made once (see `_KnownResources`)."""
        self._backend.Resource = self._resources
        try:
            self._setup(juju_context, charm_class_name)
        finally:
            self._backend.Resource = self._resources.resource_class

    @classmethod
    def capture(cls) -> TracingCapture | None:
        tracing = getattr(ops, 'tracing', None)  # None when ops_tracing is not installed
        if tracing is None or not ops.__version__.startswith('3.'):
            return None
        try:
            from ops_tracing import _backend, _mock  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            return None
        return cls(tracing, _mock, _backend)


class _KnownResources:
    """opentelemetry's `Resource.create`, each distinct Resource made once: it runs the resource
    detectors in a new thread of a new thread pool every time (about 1 ms, most of what
    capturing a run's spans costs). Keyed by what it reads: the attributes, the schema URL and
    the variables of the environment its detectors read (checked opentelemetry-sdk 1.45.2).
    Resources are immutable."""

    KEPT = 256
    ENVIRONMENT = ('OTEL_RESOURCE_ATTRIBUTES', 'OTEL_SERVICE_NAME', 'OTEL_EXPERIMENTAL_RESOURCE_DETECTORS')

    def __init__(self, resource_class: Any) -> None:
        self.resource_class = resource_class
        self._made: dict[tuple[Any, ...], Any] = {}

    def create(self, attributes: Mapping[str, Any] | None = None, schema_url: str | None = None) -> Any:
        key = (
            tuple(sorted((attributes or {}).items())),
            schema_url,
            tuple(os.environ.get(name) for name in self.ENVIRONMENT),
        )
        try:
            made = self._made.get(key)
        except TypeError:  # an attribute value that cannot be a key (ops gives only strings)
            return self.resource_class.create(attributes, schema_url)
        if made is None:
            if len(self._made) >= self.KEPT:
                self._made.clear()
            made = self._made[key] = self.resource_class.create(attributes, schema_url)
        return made


# ---- Python's own private names -------------------------------------------------------------

#: Every logger but the root (`logging.Logger.manager.loggerDict`), and the attribute of a
#: logger that caches its `isEnabledFor` answers (`Logger._cache`), which `Logger.setLevel`
#: clears (`Manager._clear_cache`) and so must the runtime when it changes the root's level.
LOGGERS: dict[str, Any] = logging.Logger.manager.loggerDict
LOGGER_LEVEL_CACHE = '_cache'

#: `os.environ`'s mapping of encoded names to encoded values, and its encoders (CPython's
#: `os._Environ._data`, `encodekey`, `encodevalue`): the run's environment is set there, never
#: in the C environment (see the driver's `_Environment`).
#: (typeshed types them for str; on POSIX they are bytes.)
ENVIRON_DATA: dict[bytes, bytes] = os.environ._data  # type: ignore[attr-defined]
ENVIRON_ENCODE_KEY: Callable[[str], bytes] = os.environ.encodekey  # type: ignore[assignment]
ENVIRON_ENCODE_VALUE: Callable[[str], bytes] = os.environ.encodevalue  # type: ignore[assignment]
