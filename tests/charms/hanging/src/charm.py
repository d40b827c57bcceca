#!/usr/bin/env python3
"""Hangs in its start hook as its `mode` config option says (see charmcraft.yaml)."""

import select
import sys
import socket
import threading
import time

import ops


class HangingCharm(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        self._stored.set_default(finished=0)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent):
        mode = str(self.config['mode'])
        self.unit.status = ops.MaintenanceStatus(f'about to {mode}')
        message = getattr(self, f'_{mode}')() or mode
        self._stored.finished += 1
        self.unit.status = ops.ActiveStatus(message)

    def _ok(self):
        pass

    def _loop(self):
        # Bounded (a minute), so that a test that is not interrupted fails rather than hangs.
        deadline = time.monotonic() + 60
        n = 0
        while time.monotonic() < deadline:
            n += 1

    def _sleep(self):
        time.sleep(3600)

    def _traced_sleep(self):
        # A trace function, as `coverage` installs, left on the thread after the run.
        sys.settrace(lambda frame, event, arg: None)
        time.sleep(3600)

    def _shim_named(self):
        # A sleep in code whose file is named as the engine's own are: the engine's frames
        # are never where a charm was interrupted (an interruption can land in them).
        namespace: dict = {}
        source = 'import time\ndef wait():\n    time.sleep(3600)\n'
        exec(compile(source, 'py_shim/lookalike.py', 'exec'), namespace)
        namespace['wait']()

    def _nap(self):
        # Long enough to pass a test's limit, short enough to fail a test rather than hang it.
        time.sleep(5)

    def _recv(self):
        quiet, _other_end = socket.socketpair()
        quiet.recv(1)

    def _accept(self):
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen()
        listener.accept()

    def _select(self):
        select.select([], [], [], 3600)

    def _lock(self):
        lock = threading.Lock()
        lock.acquire()
        lock.acquire()

    def _swallow(self):
        try:
            time.sleep(3600)
        except BaseException:  # noqa: BLE001 - what a careless charm does
            pass
        time.sleep(3600)

    def _thread(self):
        stop = threading.Event()
        self._worker = threading.Thread(target=stop.wait, args=(2,), name='charm-worker')
        self._worker.start()

    def _breakpoint(self):
        answer = 6 * 7
        breakpoint()
        return f'answer {answer}'


if __name__ == '__main__':
    ops.main(HangingCharm)
