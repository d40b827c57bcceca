"""pytest plugin (-p realcharm_cputime, with this folder importable), used by scripts/real-charm.sh:
the CPU time of the test's thread inside `Context.run` and the manager form (`time.thread_time`, from
the manager's enter to its exit), and the wall time the garbage collector took inside them, written to
$REALCHARM_CPU_OUT (JSON). Wall time inside runs (runtimer.py) grows with whatever else the machine
runs; the run's own CPU time much less, so the two engines can be compared on a busy machine. It wraps
whichever Context class is in place once every other plugin is configured (after the engine's switch,
as runtimer.py does), and keeps its own `open` (some suites patch `builtins.open` for good)."""
import builtins
import gc
import json
import os
import time

import pytest

_open = builtins.open
_inside = [0]  # runs open now (a run inside a run counts once)
_total = {'cpu_seconds_in_run': 0.0, 'gc_seconds_in_run': 0.0, 'runs': 0}
_gc_start = [0.0]


def _gc_callback(phase, info):
    if not _inside[0]:
        return
    if phase == 'start':
        _gc_start[0] = time.perf_counter()
    elif _gc_start[0]:
        _total['gc_seconds_in_run'] += time.perf_counter() - _gc_start[0]
        _gc_start[0] = 0.0


def _enter():
    _inside[0] += 1
    return time.thread_time() if _inside[0] == 1 else None


def _exit(started):
    _inside[0] -= 1
    if started is not None:
        _total['cpu_seconds_in_run'] += time.thread_time() - started
        _total['runs'] += 1


def _wrap(cls):
    run = cls.run
    if not getattr(run, '_realcharm_cputime', False):
        def timed_run(self, *a, **k):
            started = _enter()
            try:
                return run(self, *a, **k)
            finally:
                _exit(started)
        timed_run._realcharm_cputime = True
        cls.run = timed_run
    call = getattr(cls, '__call__', None)
    if call is None or getattr(call, '_realcharm_cputime', False):
        return

    def timed_call(self, *a, **k):
        mgr = call(self, *a, **k)
        kind = type(mgr)
        enter, exit_ = kind.__enter__, kind.__exit__
        if not getattr(enter, '_realcharm_cputime', False):
            def __enter__(m):
                m._realcharm_cputime_started = _enter()
                return enter(m)

            def __exit__(m, *x):
                try:
                    return exit_(m, *x)
                finally:
                    if hasattr(m, '_realcharm_cputime_started'):
                        _exit(m.__dict__.pop('_realcharm_cputime_started'))
            __enter__._realcharm_cputime = True
            kind.__enter__, kind.__exit__ = __enter__, __exit__
        return mgr
    timed_call._realcharm_cputime = True
    cls.__call__ = timed_call


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    classes = []
    for module in ('ops.testing', 'scenario'):
        try:
            classes.append(__import__(module, fromlist=['Context']).Context)
        except Exception:  # noqa: BLE001 - a suite without one of them
            pass
    for cls in {id(c): c for c in classes}.values():
        _wrap(cls)
    gc.callbacks.append(_gc_callback)


def pytest_unconfigure(config):
    out = os.environ.get('REALCHARM_CPU_OUT')
    if out:
        with _open(out, 'w') as f:
            json.dump(_total, f)
