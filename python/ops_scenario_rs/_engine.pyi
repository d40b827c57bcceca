"""Types of the Rust module `ops_scenario_rs._engine` (python/src/lib.rs)."""

from typing import Any

class RunFailed(Exception):
    kind: str
    cause: BaseException | None
    violations: str | None
    output: str | None

class Run:
    @property
    def charm(self) -> Any: ...
    @property
    def can_emit(self) -> bool: ...
    def state_now(self) -> str | None: ...
    def emit(
        self,
        bound: Any = None,
        args: list[Any] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None: ...
    def finish(self, keep_backend: bool = False) -> str: ...

class Engine:
    def __init__(
        self,
        charm_class: type[Any],
        meta: str,
        config: str | None,
        actions: str | None,
        context: str,
        charm_root: str | None = None,
        storage_root: str | None = None,
        skip_consistency_checks: bool = False,
    ) -> None: ...
    def run(
        self, event: str, state: str, emitted: list[Any], trace_data: list[Any] | None = None
    ) -> str: ...
    def begin(
        self, event: str, state: str, emitted: list[Any], trace_data: list[Any] | None = None
    ) -> Run: ...
