"""What a run records on the Python side: emitted events and juju-log lines.

Both forward to the current run's Rust object; nothing is kept here between runs.
"""

from __future__ import annotations

import logging
from typing import Any

import ops
import ops.log

_FRAMEWORK_EVENT_TYPES = (ops.PreCommitEvent, ops.CommitEvent, ops.CollectStatusEvent)


class CapturingFramework(ops.Framework):
    """A Framework that reports every event it emits (and re-emits) to the run's Rust object."""

    _scenario_rs: Any = None
    _scenario_capture_deferred = False
    _scenario_capture_framework = False

    def _emit(self, event: ops.EventBase) -> None:
        if self._scenario_capture_framework or not isinstance(event, _FRAMEWORK_EVENT_TYPES):
            self._scenario_rs.record_event(event.handle.kind, type(event).__name__, False)
        super()._emit(event)

    def _reemit(self, single_event_path: str | None = None) -> None:
        if single_event_path is None and self._scenario_capture_deferred:
            seen: set[str] = set()
            for event_path, _observer, _method in self._storage.notices(None):
                if event_path in seen:
                    continue
                seen.add(event_path)
                handle = ops.Handle.from_path(event_path)
                parent = handle.parent.path if handle.parent else None
                event_type = self._type_registry.get((parent, handle.kind))
                name = event_type.__name__ if event_type else 'EventBase'
                self._scenario_rs.record_event(handle.kind, name, True)
        super()._reemit(single_event_path)


class RunLogHandler(ops.log.JujuLogHandler):
    """The one root handler, installed once: it sends records to the current run's backend.

    Being a JujuLogHandler, ops' security-event logging finds it too.
    """

    def __init__(self) -> None:
        logging.Handler.__init__(self, logging.DEBUG)
        self.model_backend: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.model_backend is not None:
            super().emit(record)


handler = RunLogHandler()


def install_logging() -> None:
    """Route the root logger to the current run (once per process)."""
    root = logging.getLogger()
    if handler not in root.handlers:
        root.addHandler(handler)
    root.setLevel(logging.DEBUG)
