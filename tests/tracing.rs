//! ops' tracing spans. With ops[tracing] installed (the `ops-tracing` package, ops 3.x: run
//! with `VIRTUAL_ENV=.venv-tracing`, as scripts/test.sh does) a run captures the spans ops and
//! the charm make, as ops.testing does, and returns them in `Output::trace_data`; between runs
//! opentelemetry is as the host left it, so ops.testing in the same process still captures its
//! own. Without it (every other venv) the Output has no spans, and handlers see a span that
//! records nothing until a tracer provider is set, as under ops with opentelemetry's no-op
//! tracer. Its own test binary: a tracer provider is set once per process.

mod common;

use common::{ctx_from_source, ops_version};
use ops_scenario::{
    AttributeValue, Event, Inspect, Output, Span, SpanKind, SpanStatus, SpanStatusCode, State,
    Status,
};

/// A charm that makes spans of its own, through opentelemetry's API (ops 2.16 has none).
const CHARM: &str = r#"
import ops

try:
    from opentelemetry import trace
except ImportError:  # ops without tracing
    trace = None

tracer = trace.get_tracer('traced-charm') if trace else None

class Traced(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_config_changed(self, event):
        if trace is None:
            self.unit.status = ops.ActiveStatus("no tracing")
            return
        attributes = {'unit': self.unit.name}
        with tracer.start_as_current_span('reconcile', attributes=attributes) as span:
            span.set_attribute('replicas', 3)
            span.set_attribute('ratio', 0.5)
            span.set_attribute('ready', True)
            span.set_attribute('ports', [80, 443])
            span.add_event('configured', {'keys': 2})
            with tracer.start_as_current_span('fetch', kind=trace.SpanKind.CLIENT) as fetch:
                fetch.set_status(trace.Status(trace.StatusCode.ERROR, 'upstream down'))
            with tracer.start_as_current_span('render') as render:
                render.set_status(trace.StatusCode.OK)
        self.unit.status = ops.ActiveStatus('reconciled')

    def _on_start(self, event):
        with tracer.start_as_current_span('install'):
            raise ValueError('boom')

    def _on_update_status(self, event):
        if trace is None:
            self.unit.status = ops.ActiveStatus("no tracing")
            return
        span = trace.get_current_span()
        self.unit.status = ops.ActiveStatus(
            f"recording={span.is_recording()} valid={span.get_span_context().is_valid}"
        )
"#;

const META: &str = "name: traced\n";

/// A tracer provider that keeps the names of the spans started through it.
const PROVIDER: &str = r#"
import contextlib
from opentelemetry import trace

class Keeping(trace.TracerProvider):
    names = []
    def get_tracer(self, *args, **kwargs):
        return KeepingTracer()

class KeepingTracer(trace.NoOpTracer):
    @contextlib.contextmanager
    def start_as_current_span(self, name, *args, **kwargs):
        Keeping.names.append(name)
        yield trace.INVALID_SPAN

trace.set_tracer_provider(Keeping())
"#;

fn between_runs(statements: &str) -> String {
    ops_scenario::python::__run_python_between_runs(statements)
        .unwrap_or_else(|e| panic!("Python between runs failed: {e}"))
}

/// Whether this venv has ops[tracing] with ops 3.x: runs capture spans.
fn captures_spans() -> bool {
    ops_version().0 >= 3
        && between_runs("import ops\nresult = getattr(ops, 'tracing', None) is not None") == "True"
}

/// Each span as `name <- parent name`, in the Output's order.
fn tree(out: &Output) -> Vec<String> {
    out.trace_data
        .iter()
        .map(|span| match out.parent_of(span) {
            Some(parent) => format!("{} <- {}", span.name, parent.name),
            None => span.name.clone(),
        })
        .collect()
}

fn span<'a>(out: &'a Output, name: &str) -> &'a Span {
    out.span(name)
        .unwrap_or_else(|| panic!("no span {name:?} in {:?}", tree(out)))
}

fn attr(span: &Span, name: &str) -> AttributeValue {
    span.attributes
        .get(name)
        .unwrap_or_else(|| panic!("span {:?} has no attribute {name:?}", span.name))
        .clone()
}

#[test]
fn without_ops_tracing_a_run_has_no_spans() {
    if captures_spans() {
        return;
    }
    let ctx = ctx_from_source(CHARM, META);
    let out = ctx.run(Event::config_changed(), &State::default()).unwrap();
    assert!(out.trace_data.is_empty(), "{:?}", tree(&out));
    // Nothing in the JSON form either: the Output is as it was before spans were captured.
    assert!(out.to_json().get("trace_data").is_none());
}

#[test]
fn the_charms_spans_and_ops_spans_come_back_with_their_links_attributes_and_status() {
    if !captures_spans() {
        return;
    }
    let ctx = ctx_from_source(CHARM, META);
    let out = ctx.run(Event::config_changed(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("reconciled"));
    // In the order the spans ended; each named with its parent.
    assert_eq!(
        tree(&out),
        [
            "fetch <- reconcile",
            "render <- reconcile",
            "reconcile <- config_changed: Traced",
            "config_changed: Traced <- ops.main",
            "ops.main",
        ]
    );

    // ops' root span, with an event for each event ops emitted (no app status: not the leader).
    let main = span(&out, "ops.main");
    assert_eq!(main.scope, "ops");
    assert_eq!(main.status, SpanStatus::default());
    let emitted: Vec<(&str, &AttributeValue)> = main
        .events
        .iter()
        .map(|e| (e.name.as_str(), &e.attributes["kind"]))
        .collect();
    assert_eq!(
        emitted,
        [
            ("ConfigChangedEvent", &"config_changed".into()),
            ("CollectStatusEvent", &"collect_unit_status".into()),
            ("PreCommitEvent", &"pre_commit".into()),
            ("CommitEvent", &"commit".into()),
        ]
    );

    // ops' span around the observer call.
    let observer = span(&out, "config_changed: Traced");
    assert_eq!(observer.scope, "ops");
    assert_eq!(
        attr(observer, "handler"),
        "Traced._on_config_changed".into()
    );
    assert_eq!(attr(observer, "event_type"), "hook".into());
    assert_eq!(attr(observer, "event_name"), "config_changed".into());
    assert_eq!(attr(observer, "deferred"), false.into());

    // The charm's own spans: attributes of each kind, an event, kinds and statuses.
    let reconcile = span(&out, "reconcile");
    assert_eq!(reconcile.scope, "traced-charm");
    assert_eq!(reconcile.kind, SpanKind::Internal);
    assert_eq!(attr(reconcile, "unit"), "traced/0".into());
    assert_eq!(attr(reconcile, "replicas"), 3.into());
    assert_eq!(attr(reconcile, "ratio"), 0.5.into());
    assert_eq!(attr(reconcile, "ready"), true.into());
    assert_eq!(
        attr(reconcile, "ports"),
        AttributeValue::Array(vec![80.into(), 443.into()])
    );
    assert_eq!(reconcile.events.len(), 1);
    assert_eq!(reconcile.events[0].name, "configured");
    assert_eq!(reconcile.events[0].attributes["keys"], 2.into());
    let fetch = span(&out, "fetch");
    assert_eq!(fetch.kind, SpanKind::Client);
    assert_eq!(fetch.status.code, SpanStatusCode::Error);
    assert_eq!(fetch.status.description.as_deref(), Some("upstream down"));
    assert_eq!(span(&out, "render").status.code, SpanStatusCode::Ok);

    // The JSON form carries them, and reads back to the same spans.
    let json = out.to_json();
    assert_eq!(json["trace_data"][3]["name"], "config_changed: Traced");
    assert_eq!(json["trace_data"][3]["parent"], 4);
    assert_eq!(json["trace_data"][0]["kind"], "CLIENT");
    assert_eq!(json["trace_data"][0]["status"]["code"], "ERROR");
    let back: Output = serde_json::from_value(json).unwrap();
    assert_eq!(back.trace_data, out.trace_data);
}

#[test]
fn a_charm_exception_ends_its_spans_with_an_error() {
    if !captures_spans() {
        return;
    }
    let ctx = ctx_from_source(CHARM, META);
    let out = ctx
        .run_reporting_errors(Event::start(), &State::default())
        .unwrap();
    // The charm's traceback is its own: closing spans with the exception adds no frames.
    let traceback = &out.error.as_ref().unwrap().traceback;
    assert!(traceback.ends_with("ValueError: boom\n"), "{traceback}");
    assert!(!traceback.contains("opentelemetry"), "{traceback}");
    assert_eq!(
        tree(&out),
        [
            "install <- start: Traced",
            "start: Traced <- ops.main",
            "ops.main"
        ]
    );
    // Every span the exception left records it, as opentelemetry does; ops.main too, with the
    // charm's own exception (as ops.main under Juju records it).
    for span in &out.trace_data {
        assert_eq!(span.status.code, SpanStatusCode::Error, "{}", span.name);
        assert_eq!(
            span.status.description.as_deref(),
            Some("ValueError: boom"),
            "{}",
            span.name
        );
        let exception = span.events.iter().find(|e| e.name == "exception").unwrap();
        assert_eq!(
            exception.attributes["exception.type"],
            "ValueError".into(),
            "{}",
            span.name
        );
    }
}

/// ops.testing's trace_data for the same charm and event (run in this process), each span as
/// `name <- parent name` with its attributes and status.
const OPS_TESTING_SPANS: &str = r#"
import json, ops
from ops import testing
from opentelemetry import trace
namespace = {}
exec(CHARM, namespace)
ctx = testing.Context(namespace['Traced'], meta={'name': 'traced'})
ctx.run(ctx.on.config_changed(), testing.State())
names = {s.context.span_id: s.name for s in ctx.trace_data}
result = json.dumps([
    [s.name, names.get(s.parent.span_id) if s.parent else None, s.instrumentation_scope.name,
     s.kind.name, dict(s.attributes), s.status.status_code.name, s.status.description,
     [[e.name, dict(e.attributes)] for e in s.events]]
    for s in ctx.trace_data
], sort_keys=True)
"#;

/// The engine's spans in the form of [`OPS_TESTING_SPANS`].
fn as_ops_testing_lists(out: &Output) -> serde_json::Value {
    serde_json::Value::Array(
        out.trace_data
            .iter()
            .map(|s| {
                serde_json::json!([
                    s.name,
                    out.parent_of(s).map(|p| &p.name),
                    s.scope,
                    s.kind,
                    s.attributes,
                    s.status.code,
                    s.status.description,
                    s.events
                        .iter()
                        .map(|e| serde_json::json!([e.name, e.attributes]))
                        .collect::<Vec<_>>(),
                ])
            })
            .collect(),
    )
}

#[test]
fn spans_match_ops_testing_and_both_keep_capturing_in_one_process() {
    if !captures_spans() {
        return;
    }
    let ops_testing = || -> serde_json::Value {
        let code = format!("CHARM = {CHARM:?}\n{OPS_TESTING_SPANS}");
        serde_json::from_str(&between_runs(&code)).unwrap()
    };
    let ctx = ctx_from_source(CHARM, META);
    let engine =
        || as_ops_testing_lists(&ctx.run(Event::config_changed(), &State::default()).unwrap());
    // Alternately: each captures its own run's spans, whichever ran first.
    let first = ops_testing();
    assert_eq!(first.as_array().unwrap().len(), 5, "{first}");
    assert_eq!(engine(), first);
    assert_eq!(ops_testing(), first);
    assert_eq!(engine(), first);
    // Between runs opentelemetry is as ops.testing leaves it: no global provider, and ops'
    // tracer not held by any run's.
    assert_eq!(
        between_runs(
            "import opentelemetry.trace as t\n\
             result = (t._TRACER_PROVIDER, t._TRACER_PROVIDER_SET_ONCE._done)"
        ),
        "(None, False)"
    );
}

#[test]
fn spans_record_nothing_until_a_tracer_provider_is_set() {
    let ctx = ctx_from_source(CHARM, META);
    let out = ctx.run(Event::update_status(), &State::default()).unwrap();
    if ops_version() < (2, 21) {
        // ops before 2.21 has no tracing, and does not bring opentelemetry with it.
        assert_eq!(out.state.unit_status, Status::active("no tracing"));
        return;
    }
    if captures_spans() {
        // With ops[tracing], every run records.
        assert_eq!(
            out.state.unit_status,
            Status::active("recording=True valid=True")
        );
        return;
    }
    assert_eq!(
        out.state.unit_status,
        Status::active("recording=False valid=False")
    );
    // A provider set (here by the test, in a run): ops' spans go to it from the next run.
    ctx.run_inspected(
        Event::update_status(),
        &State::default(),
        Inspect::new().before(|charm| charm.exec(PROVIDER)),
    )
    .unwrap();
    let mut names = None;
    let out = ctx
        .run_inspected(
            Event::config_changed(),
            &State::default(),
            Inspect::new().after(|charm| {
                names = Some(charm.eval_repr(
                    "__import__('opentelemetry.trace').trace.get_tracer_provider().names",
                )?);
                Ok(())
            }),
        )
        .unwrap();
    let names = names.unwrap();
    assert!(names.contains("config_changed: Traced"), "{names}");
    // Still nothing captured: that takes ops[tracing].
    assert!(out.trace_data.is_empty());
}
