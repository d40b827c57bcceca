//! Every hook tool ops can call is answered in Rust: the shim's backend overrides every method
//! of ops' `_ModelBackend` that would run a Juju command, none answers "not supported", and
//! none reaches a subprocess. Also: a container whose Pebble is unreachable, and repeated runs
//! of a charm whose metadata defines events.

use ops_scenario::{
    Context, Event, Inspect, Relation, Resource, Secret, SecretOwner, State, Status, Storage,
    StoredValue,
};

use crate::common::ctx_from_source;

const CHARM: &str = r#"
import ops


class WorkloadCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event):
        container = self.unit.get_container("web")
        if not container.can_connect():
            self.unit.status = ops.WaitingStatus("waiting for pebble")
            return
        self.unit.status = ops.ActiveStatus()
"#;

const META: &str = "name: workload\ncontainers:\n  web:\n    resource: web-image\nrequires:\n  db:\n    interface: pgsql\nstorage:\n  data:\n    type: filesystem\n    multiple:\n      range: 1-3\nresources:\n  bin:\n    type: file\n    filename: bin\n";

fn ctx() -> Context {
    ctx_from_source(CHARM, META)
}

#[test]
fn a_container_s_pebble_is_unreachable() {
    let out = ctx().run(Event::start(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::waiting("waiting for pebble"));
}

/// Calls every method of ops' `_ModelBackend` (and ops 2's `_storage_event_details`) with
/// subprocesses forbidden, and records what each gave: `"ok"`, or the exception's type and
/// message. Methods that run no Juju command are named in `NO_COMMAND`.
const CALL_EVERY_METHOD: &str = r#"
import inspect, shutil, subprocess
from ops.model import _ModelBackend

NO_COMMAND = {'log_split', 'update_relation_data'}
b = self.model._backend
calls = {
    'relation_ids': lambda: b.relation_ids('db'),
    'relation_list': lambda: b.relation_list(1),
    'relation_remote_app_name': lambda: b.relation_remote_app_name(1),
    'relation_get': lambda: b.relation_get(1, 'remote/0', False),
    # ops before 2.20 set one key per call.
    'relation_set': (lambda: b.relation_set(1, 'k', 'v', False))
    if 'key' in inspect.signature(_ModelBackend.relation_set).parameters
    else (lambda: b.relation_set(1, {'k': 'v'}, False)),
    'relation_model_get': lambda: b.relation_model_get(1),
    'config_get': lambda: b.config_get(),
    'is_leader': lambda: b.is_leader(),
    'resource_get': lambda: b.resource_get('bin'),
    'pod_spec_set': lambda: b.pod_spec_set({'containers': []}),
    'status_get': lambda: b.status_get(),
    'status_set': lambda: b.status_set('active', 'covered'),
    'storage_list': lambda: b.storage_list('data'),
    'storage_get': lambda: b.storage_get('data/0', 'location'),
    'storage_add': lambda: b.storage_add('data', 1),
    'action_get': lambda: b.action_get(),
    'action_set': lambda: b.action_set({'a': 'b'}),
    'action_log': lambda: b.action_log('m'),
    'action_fail': lambda: b.action_fail('m'),
    'application_version_set': lambda: b.application_version_set('1.0'),
    'juju_log': lambda: b.juju_log('INFO', 'covered'),
    'network_get': lambda: b.network_get('db'),
    'add_metrics': lambda: b.add_metrics({'m': 1}),
    'get_pebble': lambda: b.get_pebble('/charm/containers/web/pebble.socket'),
    'planned_units': lambda: b.planned_units(),
    'secret_add': lambda: b.secret_add({'key': 'v'}, label='added', owner='unit'),
    'secret_get': lambda: b.secret_get(label='added'),
    'secret_info_get': lambda: b.secret_info_get(label='added'),
    'secret_set': lambda: b.secret_set('secret:0123456789abcdefghij', content={'key': 'w'}),
    'secret_grant': lambda: b.secret_grant('secret:0123456789abcdefghij', 1),
    'secret_revoke': lambda: b.secret_revoke('secret:0123456789abcdefghij', 1),
    'secret_remove': lambda: b.secret_remove('secret:0123456789abcdefghij', revision=1),
    'open_port': lambda: b.open_port('tcp', 8080),
    'close_port': lambda: b.close_port('tcp', 8080),
    'opened_ports': lambda: b.opened_ports(),
    'reboot': lambda: b.reboot(),
    'credential_get': lambda: b.credential_get(),
    '_storage_event_details': lambda: b._storage_event_details(),
}
methods = {
    name for name, value in vars(_ModelBackend).items()
    if not name.startswith('_') and (callable(value) or isinstance(value, classmethod))
}
if '_storage_event_details' in vars(_ModelBackend):
    methods.add('_storage_event_details')
uncovered = sorted(methods - set(calls) - NO_COMMAND)
not_overridden = sorted(m for m in methods - NO_COMMAND if m not in vars(type(b)))

def forbidden(*args, **kwargs):
    raise AssertionError(f'a subprocess was started: {args}')

saved = subprocess.run, subprocess.Popen, shutil.which
subprocess.run = subprocess.Popen = shutil.which = forbidden
results = {}
try:
    for name in sorted(methods & set(calls)):
        try:
            calls[name]()
            results[name] = 'ok'
        except AssertionError:
            raise
        except Exception as e:
            results[name] = f'{type(e).__name__}: {e}'
finally:
    subprocess.run, subprocess.Popen, shutil.which = saved
self._coverage = (uncovered, not_overridden, results)
"#;

#[test]
fn every_backend_method_is_answered_in_rust_without_a_subprocess() {
    let ctx = ctx();
    let state = State::default()
        .leader(true)
        .relations([Relation::new("db").id(1)])
        .storages([Storage::new("data").index(0)])
        .resources([Resource::new("bin", "/bin/true")])
        .secrets([Secret::new([("key", "v")])
            .id("secret:0123456789abcdefghij")
            .owner(SecretOwner::Unit)
            .latest_content([("key", "w")])
            .tracked_revision(2)]);
    let mut coverage = None;
    let out = ctx
        .run_inspected(
            Event::update_status(),
            &state,
            Inspect::new().before(|charm| {
                charm.exec(CALL_EVERY_METHOD)?;
                coverage = Some(charm.eval("self._coverage")?);
                Ok(())
            }),
        )
        .unwrap();
    let Some(StoredValue::Tuple(parts)) = coverage else {
        panic!("{coverage:?}")
    };
    let [uncovered, not_overridden, StoredValue::Dict(results)] = &parts[..] else {
        panic!("{parts:?}")
    };
    assert_eq!(
        uncovered,
        &StoredValue::List(vec![]),
        "methods this test does not call"
    );
    assert_eq!(
        not_overridden,
        &StoredValue::List(vec![]),
        "methods the shim leaves to ops"
    );
    assert!(results.len() >= 37, "{results:?}");
    for (name, result) in results {
        let StoredValue::Str(result) = result else {
            panic!("{name}: {result:?}")
        };
        assert!(!result.contains("not supported"), "{name}: {result}");
    }
    let outcome = |name: &str| match &results[name] {
        StoredValue::Str(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    // What Juju refuses outside the right hook, refuses as Juju does.
    let refusals: Vec<String> = ["action_get", "add_metrics", "credential_get"]
        .into_iter()
        .map(|name| format!("{name}: {}", outcome(name).trim_end()))
        .collect();
    insta::assert_snapshot!("refused_outside_their_hooks", refusals.join("\n"));
    assert_eq!(outcome("secret_get"), "ok");
    assert_eq!(outcome("resource_get"), "ok");
    // The calls' effects are in the output.
    assert_eq!(out.state.unit_status, Status::active("covered"));
    assert_eq!(out.requested_storages["data"], 1);
    assert_eq!(out.removed_secret_revisions, [1]);
    assert_eq!(out.reboot_requested, Some(ops_scenario::Reboot::AfterHook));
}

#[test]
fn runs_repeat_with_metadata_that_defines_events() {
    // Relations and containers make ops define events on the charm's class; every run gets a
    // fresh subclass, so the second run does not trip over the first one's definitions.
    let ctx = ctx();
    let first = ctx.run(Event::start(), &State::default()).unwrap();
    assert_eq!(
        first.state.unit_status,
        Status::waiting("waiting for pebble")
    );
    for _ in 0..2 {
        assert_eq!(ctx.run(Event::start(), &State::default()).unwrap(), first);
    }
}
