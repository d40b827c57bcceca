"""The Python side of a run's time limit and of debugging a run (src/runtime/watchdog.rs).

`RunTimeout` is what the runtime's signal handler raises in the charm's code when the run's
time is up; `where_interrupted` names the event handler it was in. `debugging` serves
`breakpoint()` during a run: the time limit stops before pdb takes the terminal, and after the
run the SIGINT handler pdb's `continue` sets is put back. `thread_idents` and `threads_left` find the threads a charm left running.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING, Any

import ops

if TYPE_CHECKING:
    from _scenario_rs import RunWatchdog


class RunTimeout(BaseException):
    """The run exceeded its Context's timeout. A BaseException, as KeyboardInterrupt is, so
    that a charm's `except Exception` does not swallow it. Arguments: where the run was
    (`where_interrupted`), and the limit in seconds."""

    def __str__(self) -> str:
        where, limit = self.args
        return f'the run was interrupted after its timeout of {limit}s, in {where}'


_OPS_DIR = os.path.dirname(ops.__file__) + os.sep


def _is_machinery(frame: FrameType) -> bool:
    """A frame of ops, of the shim or of the import system: the code around a charm's."""
    name = frame.f_code.co_filename
    return name.startswith((_OPS_DIR, 'py_shim/', '<frozen importlib'))


def _describe(frame: FrameType) -> str:
    code = frame.f_code
    return f'{code.co_qualname} ({code.co_filename}:{frame.f_lineno})'


def where_interrupted(frame: FrameType | None) -> str:
    """The outermost charm frame that ops (or the shim) called, which is the event handler,
    the charm's `__init__` or its module's import; and the innermost frame, if another.
    The shim's own frames are not where the charm was: an interruption raised asynchronously
    can land in this very function, called from the signal's handler."""
    while frame is not None and frame.f_code.co_filename.startswith('py_shim/'):
        frame = frame.f_back
    innermost = frame
    handler: FrameType | None = None
    while frame is not None:
        if _is_machinery(frame):
            if handler is not None:
                break
        else:
            handler = frame
        frame = frame.f_back
    if handler is None:
        return _describe(innermost) if innermost is not None else 'the engine'
    if innermost is None or innermost is handler:
        return _describe(handler)
    return f'{_describe(handler)}, at {_describe(innermost)}'


class _Debugging:
    """What `breakpoint()` needs during a run. `sys.breakpointhook` is then the runtime's
    `RunWatchdog.breakpointhook` (Rust, so that it adds no Python frame: pdb stops in the frame
    that called `breakpoint()`): unless `PYTHONBREAKPOINT=0` makes `breakpoint()` a no-op, it
    stops the run's time limit (the user is at pdb's prompt), calls `note_sigint`, then the hook
    the run replaced (`previous`). pdb's `continue` installs its own SIGINT handler where it can
    (on Python's main thread); after the run `restore_sigint` puts back the one before."""

    def __init__(self) -> None:
        self.watchdog: RunWatchdog | None = None
        self.previous: Callable[..., Any] = sys.__breakpointhook__
        self.sigint: list[Any] = []

    def hook(self) -> Callable[..., Any]:
        """`sys.breakpointhook` during runs."""
        assert self.watchdog is not None, 'the runtime gives the shim its watchdog at start-up'
        return self.watchdog.breakpointhook

    def note_sigint(self) -> None:
        if not self.sigint:
            self.sigint.append(signal.getsignal(signal.SIGINT))

    def restore_sigint(self) -> None:
        """After a run that called `breakpoint()`: SIGINT's handler as it was."""
        if self.sigint:
            saved = self.sigint.pop()
            try:
                if signal.getsignal(signal.SIGINT) is not saved:
                    signal.signal(signal.SIGINT, saved)
            except (ValueError, TypeError):  # not the main thread, or not a Python handler
                pass


debugging = _Debugging()


def use_watchdog(watchdog: RunWatchdog) -> None:
    """Take the runtime's watchdog (once, at start-up, before the run's patches are listed)."""
    debugging.watchdog = watchdog


def thread_idents() -> frozenset[int]:
    """The threads alive now (taken before a run, when there are any)."""
    return frozenset(t.ident for t in threading.enumerate() if t.ident is not None)


#: What `threading` makes for a thread it did not start (a Rust thread attached to Python).
_FOREIGN: tuple[type, ...] = tuple(
    cls for cls in [getattr(threading, '_DummyThread', None)] if isinstance(cls, type)
)


def threads_left(before: frozenset[int]) -> list[str]:
    """The threads alive now that were not in `before`, started by Python code (not this one,
    not Python's main thread, not a foreign thread): what a run left running."""
    current, main = threading.get_ident(), threading.main_thread()
    return [
        f'{t.name!r}{" (daemon)" if t.daemon else ""}'
        for t in threading.enumerate()
        if t.ident is not None
        and t.ident not in before
        and t.ident != current
        and t is not main
        and not isinstance(t, _FOREIGN)
    ]
