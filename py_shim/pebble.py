"""The Pebble client each workload container gets: it forwards every call to Rust.

Pebble is not simulated yet, so Rust answers every call with `pebble.ConnectionError`: the
charm sees a container whose Pebble is not reachable (`Container.can_connect()` is False).
"""

from __future__ import annotations

from typing import Any


class Client:
    """A stand-in for `ops.pebble.Client` for the container at `socket_path`."""

    def __init__(self, rs: Any, socket_path: str) -> None:
        self._rs = rs
        self.socket_path = socket_path
        # /charm/containers/<name>/pebble.socket
        self.container_name = socket_path.rstrip('/').split('/')[-2]

    def __getattr__(self, method: str) -> Any:
        if method.startswith('_'):
            raise AttributeError(method)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._rs.pebble_call(self.container_name, method, args, kwargs)

        return call
