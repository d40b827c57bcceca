"""`Context`: ops.testing's Context, whose runs go to the engine.

Everything but running is ops.testing's own (the constructor and its metadata handling,
`ctx.on`, the Manager, the output attributes): only `_run`, the step ops.testing's `run()` and
manager form share, is replaced. The State and the event are turned into the engine's JSON,
the engine runs the charm class the test passed, and the Output comes back as ops.testing's
objects.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import os
import pathlib
from collections.abc import Iterator
from typing import Any, NoReturn, cast

from ops import testing

from . import _convert, _engine

from scenario.errors import InconsistentScenarioError, UncaughtCharmError

_OpsTestingContext: Any = testing.Context

# The checker's warnings go where ops.testing's go (its consistency checker's logger), in its
# words, so a test that looks for them finds them.
_checker_logger = logging.getLogger('ops-scenario.runtime.consistency_checker')


class EngineError(RuntimeError):
    """The engine could not run the test: input it cannot read, a charm it cannot load, or
    a feature of ops.testing it does not have yet (the message names it)."""


class _Ops:
    """What ops.testing's Manager holds while a run is open (`mgr.ops`): the charm, `run()`,
    and the attributes ops.testing's own gives (`state`, `event`, `context`, `charm_spec`)."""

    def __init__(
        self, ctx: Context, run: Any, event: Any, state_in: testing.State, keep_backend: bool
    ) -> None:
        self._ctx = ctx
        self._run = run
        self._state_in = state_in
        self._keep_backend = keep_backend
        self.finished = False
        self.event = event
        self.context = ctx
        self.charm_spec = ctx._spec()
        # Kept past the run's end: tests look at the charm after `mgr.run()`.
        self.charm = run.charm
        # The charm's __init__ ended the hook early (as `load_config(errors='blocked')` may).
        self._aborted_in_init = self.charm is None

    @property
    def state(self) -> testing.State:
        """The output State once the run has finished; until then the State as the charm has
        changed it so far (ops.testing's backend changes `ops.state` in place, and tests read
        what the charm wrote before `mgr.run()` there)."""
        if self.finished:
            output = self._ctx._output_state
            return output if output is not None else self._state_in
        now = self._run.state_now()
        if now is None:
            return self._state_in
        return _convert.state_from_json(json.loads(now), self._state_in, self._ctx)

    def destroy(self) -> None:
        """What ops-scenario 8.0 to 8.3 and 7.23.0 to 7.23.2 call as the manager form ends:
        the run is over by then (ended by `run()`, or by leaving the block)."""
        self.finish()

    def run(self) -> None:
        if self.charm is not None and _convert.needs_host(self.event):
            # A custom event the JSON cannot name: found on the live charm, as ops.testing does.
            try:
                bound, args, kwargs = _convert.host_custom_event(self.event, self.charm)
            except BaseException:
                self.finish()
                raise
            self._run.emit(bound, args, kwargs)
        else:
            self._run.emit()
        self.finish()

    def finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        try:
            output = json.loads(self._run.finish(self._keep_backend))
        except _engine.RunFailed as failure:
            self._ctx._failed(failure)
        self._ctx._succeeded(output, self._state_in)
        if self._keep_backend and self.charm is not None and self._ctx._output_state is not None:
            _mirror_relation_writes(self.charm, self._ctx._output_state)


def _mirror_relation_writes(charm: Any, state_out: testing.State) -> None:
    """Relation data the charm writes after the run (the manager form: the test uses the charm
    after `mgr.run()`) also goes into the output State's databags, in place: under ops.testing
    the output State shares its databag dicts with the backend the charm goes on writing into,
    and tests read it so. (Under Juju there is no "after the hook".)"""
    backend = getattr(charm.model, '_backend', None)
    if backend is None:
        return
    relation_set = backend.relation_set
    signature = inspect.signature(relation_set)
    relations = {r.id: r for r in state_out.relations}

    def mirrored(*args: Any, **kwargs: Any) -> Any:
        result = relation_set(*args, **kwargs)
        bound = signature.bind(*args, **kwargs).arguments
        relation = relations.get(bound['relation_id'])
        if relation is not None:
            data = bound['data'] if 'data' in bound else {bound['key']: bound['value']}
            databag: dict[str, str] = cast(
                'dict[str, str]',
                relation.local_app_data if bound['is_app'] else relation.local_unit_data,
            )
            for key, value in data.items():
                if value == '':
                    databag.pop(key, None)
                else:
                    databag[key] = value
        return result

    backend.relation_set = mirrored


class Context(_OpsTestingContext):  # type: ignore[misc]
    """ops.testing's `Context`, run by the ops-scenario engine."""

    _engine_instance: Any = None
    _one_shot = False

    def run(self, event: Any, state: testing.State) -> testing.State:
        self._one_shot = True
        try:
            return super().run(event, state)  # type: ignore[no-any-return]
        finally:
            self._one_shot = False

    def _engine(self) -> Any:
        if self._engine_instance is None:
            spec = self._spec()
            self._engine_instance = _engine.Engine(
                spec.charm_type,
                json.dumps(spec.meta),
                json.dumps(spec.config) if spec.config is not None else None,
                json.dumps(spec.actions) if spec.actions is not None else None,
                json.dumps(_convert.context_json(self)),
                str(self.charm_root) if self.charm_root is not None else None,
                str(self._storages_root()),
            )
        return self._engine_instance

    def _spec(self) -> Any:
        """ops.testing's `_CharmSpec`: `_charm_spec` since ops-scenario 8 (where `charm_spec`
        is deprecated), `charm_spec` before."""
        return self.__dict__.get('_charm_spec') or self.__dict__['charm_spec']

    def close(self) -> None:
        """ops.testing's `close()`, and the engine's own directories with it."""
        self._engine_instance = None
        close = getattr(super(), 'close', None)  # ops-scenario 7.0 has none
        if close is not None:
            close()

    def _storages_root(self) -> pathlib.Path:
        """Where ops.testing keeps storage instances' directories (`_get_storage_root`): beside
        the containers' roots in the Context's temporary directory, in every ops-scenario."""
        return pathlib.Path(self._get_container_root('-')).parent.parent / 'storages'

    @contextlib.contextmanager
    def _run(self, event: Any, state: testing.State) -> Iterator[_Ops]:
        _convert.begin_run(self, event, state)
        try:
            engine = self._engine()
            run = engine.begin(
                json.dumps(_convert.event_json(event, state, host=True)),
                json.dumps(_convert.state_json(state, self)),
                self.emitted_events,
                # With ops[tracing] installed, the run's spans go here, as ops.testing's do
                # (ops-scenario 7.0 has no `trace_data`).
                getattr(self, 'trace_data', None),
            )
        except _engine.RunFailed as failure:
            self._failed(failure)
        ops = _Ops(self, run, event, state, keep_backend=not self._one_shot)
        try:
            yield ops
        finally:
            # The test left the block without running the event (it raised): end the run.
            if not ops.finished:
                ops.finished = True
                with contextlib.suppress(_engine.RunFailed):
                    run.finish(False)
        if event.action and self._action_failure_message is not None:
            raise testing.ActionFailed(self._action_failure_message, state=self._output_state)

    def _succeeded(self, output: dict[str, Any], state_in: testing.State) -> None:
        """Record a finished run's Output on the Context, and its output State."""
        warnings = output.get('warnings')
        if warnings:
            found = '\n'.join(f"{w['message']} [{w['rule']}]" for w in warnings)
            _checker_logger.warning(
                "This scenario is probably inconsistent. Double check, and ignore this warning "
                f"if you're sure. The following warnings were found: {found}"
            )
        _convert.apply_output(output, self)
        self._set_output_state(_convert.state_from_json(output['state'], state_in, self))

    def _failed(self, failure: Any) -> NoReturn:
        """Raise what ops.testing raises for `failure`."""
        if failure.output is not None:
            _convert.apply_output(json.loads(failure.output), self)
        if failure.kind == 'inconsistent':
            error = InconsistentScenarioError(str(failure))
            error.violations = json.loads(failure.violations)  # type: ignore[attr-defined]
            raise error from None
        if failure.kind == 'charm':
            cause = failure.cause
            bare = os.getenv('SCENARIO_BARE_CHARM_ERRORS', 'false')
            if bare.lower() == 'true' or (bare.isdigit() and int(bare)):
                raise cause
            raise UncaughtCharmError(
                f'Uncaught {type(cause).__name__} in charm, try "exceptions [n]" if using pdb '
                f'on Python 3.13+. Details: {cause!r}'
            ) from cause
        if failure.kind == 'commit_refused':
            raise UncaughtCharmError(str(failure)) from None
        raise EngineError(str(failure)) from None
