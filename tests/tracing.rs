//! ops' tracing spans: with no tracer provider set (every ordinary run) a handler sees a span
//! that records nothing, as under ops with opentelemetry's no-op tracer; once a provider is
//! set, ops' spans reach it. Its own test binary: a tracer provider is set once per process.

mod common;

use common::{ctx_from_source, ops_version};
use ops_scenario::{Event, Inspect, State, Status};

const CHARM: &str = r#"
import ops

try:
    from opentelemetry import trace
except ImportError:  # ops without tracing
    trace = None

class Traced(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)

    def _on_config_changed(self, event):
        if trace is None:
            self.unit.status = ops.ActiveStatus("no tracing")
            return
        span = trace.get_current_span()
        self.unit.status = ops.ActiveStatus(
            f"recording={span.is_recording()} valid={span.get_span_context().is_valid}"
        )
"#;

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

#[test]
fn spans_record_nothing_until_a_tracer_provider_is_set() {
    let ctx = ctx_from_source(CHARM, "name: traced\n");
    let out = ctx.run(Event::config_changed(), &State::default()).unwrap();
    if ops_version() < (2, 21) {
        // ops before 2.21 has no tracing, and does not bring opentelemetry with it.
        assert_eq!(out.state.unit_status, Status::active("no tracing"));
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
    ctx.run_inspected(
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
}
