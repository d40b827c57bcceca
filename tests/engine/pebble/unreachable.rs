//! A container whose Pebble cannot be reached (`can_connect(false)`, or a container of the
//! metadata that the State does not have) refuses every Pebble client call with
//! `pebble.ConnectionError`, as Juju's unreachable Pebble does and ops.testing documents. The
//! calls are every public method of the installed ops' `pebble.Client`, so a method a new ops
//! adds is not missed.

use ops_scenario::{Charm, Container, Context, Event, Inspect, State, StoredValue};

/// Calls every public method of ops' `pebble.Client` on `client` with plausible arguments;
/// returns `{method: outcome}`, the outcome the exception's type name (or "returned").
const CALL_EVERY_METHOD: &str = r#"
import datetime
from ops import pebble

ARGUMENTS = {
    'abort_change': (pebble.ChangeID('1'),),
    'ack_warnings': (datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),),
    'add_layer': ('base', {'services': {'s': {'override': 'replace', 'command': 'run'}}}),
    'autostart_services': (),
    'exec': (['ls'],),
    'get_change': (pebble.ChangeID('1'),),
    'get_changes': (),
    'get_checks': (),
    'get_identities': (),
    'get_notice': ('1',),
    'get_notices': (),
    'get_plan': (),
    'get_services': (),
    'get_system_info': (),
    'get_warnings': (),
    'list_files': ('/',),
    'make_dir': ('/srv/new',),
    'notify': (pebble.NoticeType.CUSTOM, 'example.com/thing'),
    'pull': ('/etc/hostname',),
    'push': ('/srv/file', 'content'),
    'remove_identities': (['alice'],),
    'remove_path': ('/srv/file',),
    'replace_identities': ({'alice': None},),
    'replan_services': (),
    'restart_services': (['s'],),
    'send_signal': ('SIGHUP', ['s']),
    'start_checks': (['c'],),
    'start_services': (['s'],),
    'stop_checks': (['c'],),
    'stop_services': (['s'],),
    'wait_change': (pebble.ChangeID('1'),),
}


def call_every_method(client):
    outcomes = {}
    methods = [n for n, f in vars(pebble.Client).items() if not n.startswith('_') and callable(f)]
    for name in methods:
        if name not in ARGUMENTS:
            outcomes[name] = 'no arguments known for this method: add it to ARGUMENTS'
            continue
        try:
            getattr(client, name)(*ARGUMENTS[name])
            outcomes[name] = 'returned'
        except Exception as e:
            outcomes[name] = type(e).__name__
    return outcomes
"#;

fn outcomes(state: &State) -> (Vec<(String, String)>, usize) {
    let charm = Charm::from_source(
        "import ops\n\nclass Workload(ops.CharmBase):\n    pass\n",
        "name: workload\ncontainers:\n  web: {}\n",
    )
    .unwrap();
    let mut found = None;
    Context::new(charm)
        .unwrap()
        .run_inspected(
            Event::update_status(),
            state,
            Inspect::new().before(|charm| {
                charm.exec(&format!(
                    "{CALL_EVERY_METHOD}\n\
                     self._outcomes = call_every_method(self.unit.get_container('web').pebble)"
                ))?;
                found = Some(charm.eval("sorted(self._outcomes.items())")?);
                Ok(())
            }),
        )
        .unwrap();
    let Some(StoredValue::List(items)) = found else {
        panic!("{found:?}")
    };
    let pairs: Vec<(String, String)> = items
        .into_iter()
        .map(|item| match item {
            StoredValue::Tuple(pair) => match &pair[..] {
                [StoredValue::Str(name), StoredValue::Str(outcome)] => {
                    (name.clone(), outcome.clone())
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        })
        .collect();
    let count = pairs.len();
    (
        pairs
            .into_iter()
            .filter(|(_, outcome)| outcome != "ConnectionError")
            .collect(),
        count,
    )
}

#[test]
fn every_client_call_on_a_container_that_cannot_connect_raises_connection_error() {
    let state = State::default().containers([Container::new("web").can_connect(false)]);
    let (not_refused, called) = outcomes(&state);
    assert_eq!(not_refused, Vec::<(String, String)>::new());
    // ops 2.16's Client has 26 public methods; identities came with 2.17 (31 in 2.23 and 3.9).
    assert!(called >= 26, "{called} methods called");
}

#[test]
fn every_client_call_on_a_container_missing_from_the_state_raises_connection_error() {
    let (not_refused, _) = outcomes(&State::default());
    assert_eq!(not_refused, Vec::<(String, String)>::new());
}

#[test]
fn the_same_calls_reach_a_container_that_can_connect() {
    // The arguments are good ones: where the container can connect, no call is refused for
    // being unreachable (some fail for what they ask: no such change, file or notice).
    let state = State::default().containers([Container::new("web").can_connect(true)]);
    let (not_connection_errors, called) = outcomes(&state);
    assert_eq!(not_connection_errors.len(), called);
}
