//! What a run returns: the output State and everything the run produced on the way.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::Violation;
use crate::state::{State, Status};

/// The result of one run.
///
/// JSON form: the `Output` object of `docs/STATE_JSON.md`. When `error` is set (the CLI reports a
/// charm exception this way) `state` is written as `null`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Output {
    /// The State after the event.
    #[serde(deserialize_with = "null_or_state")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<State>"))]
    pub state: State,
    /// The unit's previous statuses, oldest first: one entry (the status it replaced) for every
    /// `status-set` on the unit, as ops.testing records them. The current status is not in it.
    pub unit_status_history: Vec<Status>,
    /// The application's previous statuses, like `unit_status_history`.
    pub app_status_history: Vec<Status>,
    /// Previous non-empty workload versions, oldest first.
    pub workload_version_history: Vec<String>,
    /// Every record that reached juju-log (the charm's and ops' own), in order.
    pub juju_log: Vec<JujuLogLine>,
    /// The events ops emitted, in order: the Juju event and custom events always; deferred
    /// re-emissions and framework events when the Context captures them.
    pub emitted_events: Vec<EmittedEvent>,
    /// Results an action set with `event.set_results`, merged; `None` outside actions.
    pub action_results: Option<serde_json::Map<String, serde_json::Value>>,
    /// Messages an action logged with `event.log`.
    pub action_logs: Vec<String>,
    /// The message an action failed with (`event.fail`), if it did.
    pub action_failure: Option<String>,
    /// Commands the charm ran in each container, by container name, in order.
    pub exec_history: BTreeMap<String, Vec<ExecArgs>>,
    /// Secret revisions the charm removed.
    pub removed_secret_revisions: Vec<u64>,
    /// Storage the charm requested with `storage-add`: name to count.
    pub requested_storages: BTreeMap<String, u32>,
    /// A reboot the charm asked for with `juju-reboot`. `None` if it asked for none.
    pub reboot_requested: Option<Reboot>,
    /// Metrics the charm added with `add-metric` (in `collect-metrics`), in order, with the
    /// values as ops formats them.
    pub added_metrics: Vec<AddedMetrics>,
    /// The pod spec a podspec charm set with `pod-spec-set` (the last one), as
    /// `{"spec": ..., "k8s_resources": ...}`.
    pub pod_spec: Option<serde_json::Value>,
    /// The tracing spans ops and the charm made during the run (ops' `ops.main` around the
    /// dispatch, one per observer call, and the charm's own), as ops.testing's `ctx.trace_data`
    /// holds them, in the order they ended. Only when `ops[tracing]` (the `ops-tracing` package)
    /// is installed with ops 3.x; otherwise empty, and the run pays nothing for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace_data: Vec<Span>,
    /// Consistency-checker warnings about the input (a custom event, say).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Violation>,
    /// What the charm asked the model during the run (hook tools called, relation and config
    /// keys looked up), when the Context records it
    /// ([`Context::record_reads`](crate::Context::record_reads)); `None` otherwise, and then
    /// left out of the JSON form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reads: Option<Reads>,
    /// The charm's uncaught exception, when the run is reported rather than returned as an
    /// [`Error`](crate::Error) ([`Context::run_reporting_errors`](crate::Context::run_reporting_errors);
    /// the CLI does this).
    pub error: Option<CharmError>,
}

fn null_or_state<'de, D: Deserializer<'de>>(d: D) -> Result<State, D::Error> {
    Ok(Option::<State>::deserialize(d)?.unwrap_or_default())
}

impl Output {
    /// The emitted events of the ops class `type_name` or a subclass of it, in order (the
    /// seed's `capture_events` filter): `out.emitted_of_type("RelationEvent")`. What the run
    /// captured depends on the Context: deferred re-emissions only with
    /// [`Context::capture_deferred_events`], ops' framework events (pre-commit, commit,
    /// collect-status) only with [`Context::capture_framework_events`].
    ///
    /// ```
    /// # use ops_scenario::{Charm, Context, Event, State};
    /// let charm = Charm::from_source(
    ///     "import ops\n\
    ///      class C(ops.CharmBase):\n\
    ///      \x20   def __init__(self, framework):\n\
    ///      \x20       super().__init__(framework)\n\
    ///      \x20       framework.observe(self.on.start, self._on_start)\n\
    ///      \x20   def _on_start(self, event):\n\
    ///      \x20       pass\n",
    ///     "name: c\n",
    /// )?;
    /// let ctx = Context::new(charm)?.capture_framework_events(true);
    /// let out = ctx.run(Event::start(), &State::default())?;
    /// assert_eq!(out.emitted_names(), ["start", "collect_unit_status", "pre_commit", "commit"]);
    /// let hooks: Vec<&str> = out.emitted_of_type("HookEvent").iter().map(|e| e.name.as_str()).collect();
    /// assert_eq!(hooks, ["start"]);
    /// assert!(out.emitted_of_type("LifecycleEvent").iter().all(|e| !e.is_a("HookEvent")));
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    ///
    /// [`Context::capture_deferred_events`]: crate::Context::capture_deferred_events
    /// [`Context::capture_framework_events`]: crate::Context::capture_framework_events
    pub fn emitted_of_type(&self, type_name: &str) -> Vec<&EmittedEvent> {
        self.emitted_events
            .iter()
            .filter(|e| e.is_a(type_name))
            .collect()
    }

    /// The names of the emitted events, in order.
    pub fn emitted_names(&self) -> Vec<&str> {
        self.emitted_events
            .iter()
            .map(|e| e.name.as_str())
            .collect()
    }

    /// The deferred events re-emitted from the queue, in order (captured only with
    /// [`Context::capture_deferred_events`](crate::Context::capture_deferred_events)).
    pub fn reemitted(&self) -> Vec<&EmittedEvent> {
        self.emitted_events.iter().filter(|e| e.deferred).collect()
    }

    /// The first span named `name` in [`Output::trace_data`] (spans are unique by name in most
    /// runs: `ops.main`, `start: MyCharm`, the charm's own).
    pub fn span(&self, name: &str) -> Option<&Span> {
        self.trace_data.iter().find(|s| s.name == name)
    }

    /// The parent of `span`, a span of [`Output::trace_data`]: `None` for a root span.
    pub fn parent_of(&self, span: &Span) -> Option<&Span> {
        self.trace_data.get(span.parent?)
    }

    /// The JSON form, with `state: null` when `error` is set.
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("Output serialises to JSON");
        if self.error.is_some() {
            value["state"] = serde_json::Value::Null;
        }
        value
    }
}

/// What a charm asked the model during one run: recorded only when the Context asks for it
/// ([`Context::record_reads`](crate::Context::record_reads)), so that a tool that generates
/// States (the explorer) can learn which relation and config keys a charm reads, which it
/// cannot see from the output State alone, and report which hook tools the charm used.
///
/// Lookups are recorded as ops' model makes them: `relation.data[app]["key"]`,
/// `.get("key")` and `"key" in ...` on a databag or on `self.config` each note `key`, found or
/// not; copying a databag's items (`dict(bag)` on a `RelationDataContent`, iteration then
/// indexing) notes every key present. Listing keys alone (`list(bag)`, `len(bag)`) notes none.
///
/// JSON form: `{"hook_tools": {"relation-get": 3}, "relation_keys": {"db": ["host"]},
/// "config_keys": ["port"]}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Reads {
    /// Each hook tool ops called through the model backend, by Juju's name (`relation-get`,
    /// `config-get`, `status-set`, `secret-get`, ...), with how many times: whether the charm
    /// reached the tool itself or ops did on its behalf (ops caches some answers, so a charm's
    /// repeated reads may show as one call). ops' question for a relation's remote
    /// application is `relation-list` (Juju's `relation-list --app`), its planned units
    /// `goal-state`. Pebble's API is not a hook tool and is not counted.
    pub hook_tools: BTreeMap<String, u32>,
    /// Per relation endpoint, every key the charm looked up in a remote databag (the remote
    /// application's, a remote unit's, or a peer unit's), present or missing; an endpoint
    /// with none is left out. This unit's and this application's own databags are not
    /// recorded.
    pub relation_keys: BTreeMap<String, BTreeSet<String>>,
    /// Every key the charm looked up in `self.config`, present or missing.
    pub config_keys: BTreeSet<String>,
    /// Per container, every path the charm pulled from its Pebble, there or not; omitted
    /// from the JSON when none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub pulled_files: BTreeMap<String, BTreeSet<String>>,
}

/// One juju-log record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct JujuLogLine {
    /// The level Juju logged it at.
    pub level: LogLevel,
    /// The formatted message.
    pub message: String,
}

/// A level of Juju's log, as `juju-log --log-level` reads it (Juju's logger, loggo:
/// `ParseLevel`). JSON form: the upper-case name, `"DEBUG"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    /// `TRACE`.
    Trace,
    /// `DEBUG`.
    Debug,
    /// `INFO`.
    Info,
    /// `WARNING` (also read from `WARN`).
    Warning,
    /// `ERROR`.
    Error,
    /// `CRITICAL`.
    Critical,
}

impl LogLevel {
    /// The level a `--log-level` argument names, as loggo's `ParseLevel` reads it: any case,
    /// `WARN` for `WARNING`. `None` for anything else (`UNSPECIFIED` included).
    pub fn parse(name: &str) -> Option<LogLevel> {
        Some(match name.to_ascii_uppercase().as_str() {
            "TRACE" => LogLevel::Trace,
            "DEBUG" => LogLevel::Debug,
            "INFO" => LogLevel::Info,
            "WARN" | "WARNING" => LogLevel::Warning,
            "ERROR" => LogLevel::Error,
            "CRITICAL" => LogLevel::Critical,
            _ => return None,
        })
    }

    /// The upper-case name: `DEBUG`.
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Trace => "TRACE",
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warning => "WARNING",
            LogLevel::Error => "ERROR",
            LogLevel::Critical => "CRITICAL",
        }
    }
}

impl std::fmt::Display for LogLevel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When the charm asked Juju to reboot the machine (`juju-reboot`). JSON form: `"after_hook"`
/// or `"now"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Reboot {
    /// `juju-reboot`: once the hook has finished.
    AfterHook,
    /// `juju-reboot --now`: at once; the hook ended there.
    Now,
}

/// One event ops emitted during the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EmittedEvent {
    /// The event kind: `start`, `collect_unit_status`, `greeted`.
    pub name: String,
    /// The Python class name: `StartEvent`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// Whether this is a deferred event being re-emitted from the queue.
    pub deferred: bool,
    /// The names of the event class's ancestors, nearest first, up to ops' `EventBase`:
    /// `["RelationEvent", "HookEvent", "EventBase"]` for a `RelationChangedEvent`. Defaults to
    /// none (JSON written by another tool).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bases: Vec<String>,
}

impl EmittedEvent {
    /// Whether the event is of the ops class `type_name` or a subclass of it (as
    /// `isinstance` would say): `e.is_a("RelationEvent")`.
    pub fn is_a(&self, type_name: &str) -> bool {
        self.event_type == type_name || self.bases.iter().any(|b| b == type_name)
    }
}

/// One `add-metric` call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AddedMetrics {
    /// Metric names to their values.
    pub metrics: BTreeMap<String, String>,
    /// Labels given with them.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

/// One command the charm ran in a container (`container.exec`), with how it asked to run it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ExecArgs {
    /// The command and its arguments.
    pub command: Vec<String>,
    /// Environment variables given. Defaults to empty.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// The working directory given.
    #[serde(default)]
    pub working_dir: Option<String>,
    /// The standard input given as text (bytes are decoded as UTF-8, lossily).
    #[serde(default)]
    pub stdin: Option<String>,
    /// The timeout given, in seconds.
    #[serde(default)]
    pub timeout: Option<f64>,
    /// The user to run as, by name.
    #[serde(default)]
    pub user: Option<String>,
    /// The user to run as, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u32>,
    /// The group to run as, by name.
    #[serde(default)]
    pub group: Option<String>,
    /// The group to run as, by id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<u32>,
    /// The encoding the charm reads output in (`None`: bytes). Defaults to `utf-8`.
    #[serde(default = "utf8")]
    pub encoding: Option<String>,
    /// Whether stderr was sent to stdout.
    #[serde(default)]
    pub combine_stderr: bool,
    /// The service whose context (environment, user, working dir) the command ran in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_context: Option<String>,
}

fn utf8() -> Option<String> {
    Some("utf-8".to_owned())
}

/// A Python exception the charm did not catch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CharmError {
    /// The exception type: `KeyError`, `ops.model.ModelError`.
    #[serde(rename = "type")]
    pub exc_type: String,
    /// `str()` of the exception.
    pub message: String,
    /// The full traceback.
    pub traceback: String,
}

/// One tracing span of a run: OpenTelemetry's `ReadableSpan`, without what would make the same
/// run's Output differ from one time to the next (its random trace and span ids, its clock
/// times): the parent is named by its index instead.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Span {
    /// The span's name: `ops.main`, `start: MyCharm` (ops' span around an observer call: the
    /// event kind and the observer's class), or what the charm named its own.
    pub name: String,
    /// The index in [`Output::trace_data`] of the span this one was started in; `None` for the
    /// root (`ops.main`) and for a span whose parent is not of this run.
    #[serde(default)]
    pub parent: Option<usize>,
    /// The name of the tracer that made the span (its instrumentation scope): `ops` for ops'
    /// spans, the name the charm gave `trace.get_tracer` for its own.
    #[serde(default)]
    pub scope: String,
    /// The span's kind. Defaults to `INTERNAL`.
    #[serde(default)]
    pub kind: SpanKind,
    /// The span's attributes, by name. A Python object's address in a string value (` at
    /// 0x7f…` in a default repr, as in the `event` attribute ops gives a pebble-ready span) is
    /// left out: it differs from one run to the next.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
    /// The span's status. Defaults to unset.
    #[serde(default)]
    pub status: SpanStatus,
    /// The events added to the span, in order (ops adds one to `ops.main` per event it emits;
    /// an exception that escaped the span is an `exception` event).
    #[serde(default)]
    pub events: Vec<SpanEvent>,
}

/// An OpenTelemetry span kind. JSON form: the upper-case name, `"INTERNAL"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum SpanKind {
    /// An operation inside the unit (every span ops makes).
    #[default]
    Internal,
    /// Handling a request from elsewhere.
    Server,
    /// A request to elsewhere.
    Client,
    /// Sending a message.
    Producer,
    /// Receiving a message.
    Consumer,
}

/// A span's status: OpenTelemetry's status code and its description.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SpanStatus {
    /// The status code.
    pub code: SpanStatusCode,
    /// Why, for an error: an exception that escaped the span gives `ValueError: boom`.
    #[serde(default)]
    pub description: Option<String>,
}

/// An OpenTelemetry status code. JSON form: the upper-case name, `"ERROR"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum SpanStatusCode {
    /// Not set (the default).
    #[default]
    Unset,
    /// Set as successful.
    Ok,
    /// Set as failed (an exception escaped the span, or the charm said so).
    Error,
}

/// An event added to a span (`span.add_event`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SpanEvent {
    /// The event's name: ops names the emitted event's class, `ConfigChangedEvent`.
    pub name: String,
    /// Its attributes, by name.
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
}

/// The value of a span or span-event attribute, as OpenTelemetry allows them: a string, a
/// boolean, an integer, a float, or a sequence of one of these. JSON form: the plain value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum AttributeValue {
    /// `true` or `false`.
    Bool(bool),
    /// An integer (OpenTelemetry's are 64-bit).
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    String(String),
    /// A sequence of values of one of the kinds above.
    Array(Vec<AttributeValue>),
}

impl From<&str> for AttributeValue {
    fn from(value: &str) -> Self {
        AttributeValue::String(value.to_owned())
    }
}

impl From<bool> for AttributeValue {
    fn from(value: bool) -> Self {
        AttributeValue::Bool(value)
    }
}

impl From<i64> for AttributeValue {
    fn from(value: i64) -> Self {
        AttributeValue::Int(value)
    }
}

impl From<f64> for AttributeValue {
    fn from(value: f64) -> Self {
        AttributeValue::Float(value)
    }
}
