"""What a run records on the Python side: emitted events and juju-log lines.

Both forward to the current run's Rust object; nothing is kept here between runs. The driver
installs the log handler and the debug loggers for the duration of a run (`_scenario_patches`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import ops
import ops.log

import _scenario_ops_private as ops_private

if TYPE_CHECKING:
    from _scenario_backend import Backend
    from _scenario_rs import RunBackend

_FRAMEWORK_EVENT_TYPES = (ops.PreCommitEvent, ops.CommitEvent, ops.CollectStatusEvent)

# An event class's ancestors' names, nearest first, up to EventBase (for filters by type).
_bases_of: dict[type, list[str]] = {}


def _bases(event_type: type) -> list[str]:
    bases = _bases_of.get(event_type)
    if bases is None:
        mro = event_type.__mro__[1:]
        bases = _bases_of[event_type] = [
            c.__name__ for c in mro if issubclass(c, ops.EventBase)
        ]
    return bases


class CapturingFramework(ops.Framework):
    """A Framework that reports every event it emits to the run's Rust object (it overrides
    `Framework._emit`: see `ops_private.OVERRIDDEN`)."""

    scenario_rs: RunBackend
    scenario_capture_framework = False
    #: Where a Python host wants the emitted event objects themselves (ops.testing's
    #: `ctx.emitted_events`), if it does.
    scenario_event_sink: list[ops.EventBase] | None = None

    def _emit(self, event: ops.EventBase) -> None:
        if self.scenario_capture_framework or not isinstance(event, _FRAMEWORK_EVENT_TYPES):
            kind = type(event)
            self.scenario_rs.record_event(event.handle.kind, kind.__name__, False, _bases(kind))
            if self.scenario_event_sink is not None:
                self.scenario_event_sink.append(event)
        super()._emit(event)


class CapturingDeferredFramework(CapturingFramework):
    """A CapturingFramework that also reports the deferred events it re-emits (for a Context
    that captures them; the others are spared the extra frame on every re-emission). It
    overrides `Framework._reemit` (see `ops_private.OVERRIDDEN`)."""

    def _reemit(self, single_event_path: str | None = None) -> None:
        if single_event_path is None:
            seen: set[str] = set()
            for event_path, _observer, _method in ops_private.deferred_notices(self):
                if event_path in seen:
                    continue
                seen.add(event_path)
                handle = ops.Handle.from_path(event_path)
                parent = handle.parent.path if handle.parent else None
                event_type = ops_private.registered_event_type(self, parent, handle.kind)
                name = event_type.__name__ if event_type else 'EventBase'
                bases = _bases(event_type) if event_type else []
                self.scenario_rs.record_event(handle.kind, name, True, bases)
                if self.scenario_event_sink is not None:
                    self._sink_deferred(handle)
        super()._reemit(single_event_path)

    def _sink_deferred(self, handle: ops.Handle) -> None:
        """Hand the host the deferred event as an object, restored from its snapshot as ops
        will restore it, without ops tracking it twice."""
        assert self.scenario_event_sink is not None
        try:
            event = self.load_snapshot(handle)
        except ops.NoTypeError:
            return
        assert isinstance(event, ops.EventBase)
        event.deferred = False
        ops_private.forget(self, event)
        event.restore(event.snapshot())
        self.scenario_event_sink.append(event)


class RunLogHandler(ops.log.JujuLogHandler):
    """The root handler during a run: it sends records to the run's backend.

    Being a JujuLogHandler, ops' security-event logging finds it too. Made once; ops'
    `JujuLogHandler.__init__` (which needs a backend) is not called: `emit` only reads
    `model_backend`.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)
        self.model_backend: Backend | None = None  # type: ignore[assignment]

    def emit(self, record: logging.LogRecord) -> None:
        if self.model_backend is not None:
            super().emit(record)


handler = RunLogHandler()


class DirectDebugLogger:
    """An ops module's `logger`, whose `debug` lines go straight to the run's juju-log when
    nothing else would see them, without building a LogRecord (ops logs one for every deferral,
    re-emission and collect-status status); in every other case it is the real logger.

    "Nothing else" means exactly what logging itself would decide: the line is enabled, no
    logger on its way to the root has a handler or a filter of its own, and the root's only
    handler is the run's, with no filter and no formatter of its own.
    """

    def __init__(self, real: logging.Logger) -> None:
        self._real = real
        self._chain: list[logging.Logger] = []
        node: logging.Logger | None = real
        while node is not None and node is not logging.root:
            self._chain.append(node)
            node = node.parent if node.propagate else None

    def _direct(self) -> bool:
        if handler.filters or handler.formatter is not None:
            return False
        root = logging.root
        if root.handlers != [handler] or root.filters or not self._real.isEnabledFor(logging.DEBUG):
            return False
        return all(
            not node.handlers and not node.filters and node.propagate for node in self._chain
        )

    def debug(self, msg: object, *args: object, **kwargs: Any) -> None:
        backend = handler.model_backend
        plain = not kwargs.keys() - {'stacklevel'}
        mapping = len(args) == 1 and isinstance(args[0], dict)
        if backend is not None and plain and not mapping and self._direct():
            text = str(msg)
            backend.juju_log('DEBUG', text % args if args else text)
        else:
            self._real.debug(msg, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)
