"""`ctx.trace_data` with ops[tracing] installed: the spans ops and the charm made during the
Context's runs, as opentelemetry `ReadableSpan`s. Skipped where ops_tracing is not installed
(the suite's ops3-tracing line has it)."""

from __future__ import annotations

import pytest

pytest.importorskip("ops_tracing")

import ops  # noqa: E402
from ops import testing  # noqa: E402
from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace import ReadableSpan  # noqa: E402

tracer = trace.get_tracer("traced-charm")

META = {"name": "traced"}


class TracedCharm(ops.CharmBase):
    """Makes spans of its own around its work, with attributes, an event, kinds and statuses."""

    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.start, self._on_start)

    def _on_config_changed(self, event: ops.ConfigChangedEvent):
        with tracer.start_as_current_span("reconcile", attributes={"unit": self.unit.name}) as span:
            span.set_attribute("replicas", 3)
            span.set_attribute("ports", [80, 443])
            span.add_event("configured", {"keys": 2})
            with tracer.start_as_current_span("fetch", kind=trace.SpanKind.CLIENT) as fetch:
                fetch.set_status(trace.Status(trace.StatusCode.ERROR, "upstream down"))
        self.unit.status = ops.ActiveStatus("reconciled")

    def _on_start(self, event: ops.StartEvent):
        with tracer.start_as_current_span("install"):
            raise ValueError("boom")


def by_name(spans: list[ReadableSpan]) -> dict[str, ReadableSpan]:
    return {span.name: span for span in spans}


def parent_name(span: ReadableSpan, spans: list[ReadableSpan]) -> str | None:
    if span.parent is None:
        return None
    names = {s.context.span_id: s.name for s in spans}
    return names[span.parent.span_id]


def test_the_charms_spans_and_ops_spans_with_their_parents():
    ctx = testing.Context(TracedCharm, meta=META)
    state = ctx.run(ctx.on.config_changed(), testing.State())
    assert state.unit_status == testing.ActiveStatus("reconciled")
    assert all(isinstance(span, ReadableSpan) for span in ctx.trace_data)
    parents = {span.name: parent_name(span, ctx.trace_data) for span in ctx.trace_data}
    assert parents == {
        "ops.main": None,
        "config_changed: TracedCharm": "ops.main",
        "reconcile": "config_changed: TracedCharm",
        "fetch": "reconcile",
    }
    # One trace, and each child inside its parent in time.
    spans = by_name(ctx.trace_data)
    assert len({span.context.trace_id for span in ctx.trace_data}) == 1
    for span in ctx.trace_data:
        if span.parent is not None:
            parent = spans[parent_name(span, ctx.trace_data)]
            assert parent.start_time <= span.start_time <= span.end_time <= parent.end_time


def test_attributes_events_kinds_and_status():
    ctx = testing.Context(TracedCharm, meta=META)
    ctx.run(ctx.on.config_changed(), testing.State())
    spans = by_name(ctx.trace_data)
    main = spans["ops.main"]
    assert main.instrumentation_scope.name == "ops"
    assert [(e.name, e.attributes["kind"]) for e in main.events] == [
        ("ConfigChangedEvent", "config_changed"),
        ("CollectStatusEvent", "collect_unit_status"),
        ("PreCommitEvent", "pre_commit"),
        ("CommitEvent", "commit"),
    ]
    observer = spans["config_changed: TracedCharm"]
    assert observer.attributes["handler"] == "TracedCharm._on_config_changed"
    assert observer.attributes["event_type"] == "hook"
    assert observer.attributes["deferred"] is False
    reconcile = spans["reconcile"]
    assert reconcile.instrumentation_scope.name == "traced-charm"
    assert dict(reconcile.attributes) == {"unit": "traced/0", "replicas": 3, "ports": (80, 443)}
    assert [(e.name, dict(e.attributes)) for e in reconcile.events] == [("configured", {"keys": 2})]
    assert reconcile.status.status_code == trace.StatusCode.UNSET
    fetch = spans["fetch"]
    assert fetch.kind == trace.SpanKind.CLIENT
    assert fetch.status.status_code == trace.StatusCode.ERROR
    assert fetch.status.description == "upstream down"


def test_trace_data_accumulates_over_a_contexts_runs():
    ctx = testing.Context(TracedCharm, meta=META)
    ctx.run(ctx.on.config_changed(), testing.State())
    assert len(ctx.trace_data) == 4
    ctx.run(ctx.on.update_status(), testing.State())
    names = [span.name for span in ctx.trace_data]
    assert len(names) == 5
    assert names.count("ops.main") == 2
    # Each run is a trace of its own.
    assert len({span.context.trace_id for span in ctx.trace_data}) == 2


def test_a_charm_exception_ends_its_spans_with_an_error():
    ctx = testing.Context(TracedCharm, meta=META)
    with pytest.raises(testing.errors.UncaughtCharmError):
        ctx.run(ctx.on.start(), testing.State())
    spans = by_name(ctx.trace_data)
    assert set(spans) == {"ops.main", "start: TracedCharm", "install"}
    for name in ("install", "start: TracedCharm"):
        assert spans[name].status.status_code == trace.StatusCode.ERROR
        assert spans[name].status.description == "ValueError: boom"
        assert [e.name for e in spans[name].events] == ["exception"]
        assert spans[name].events[0].attributes["exception.type"] == "ValueError"
    # (ops.main ends with an error too: ops.testing records its own UncaughtCharmError there,
    # the engine the charm's ValueError, as ops.main under Juju does.)
    assert spans["ops.main"].status.status_code == trace.StatusCode.ERROR


def test_the_manager_form_captures_the_run_too():
    ctx = testing.Context(TracedCharm, meta=META)
    with ctx(ctx.on.config_changed(), testing.State()) as manager:
        assert ctx.trace_data == []
        manager.run()
    assert "reconcile" in by_name(ctx.trace_data)
