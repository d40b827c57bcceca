//! A test binary of 1,000 independent tests, each building its own Context for a small inline
//! charm and running one event: how a large charm test suite uses the crate. It must finish
//! in a few seconds under `cargo test` (the tests share one interpreter and take turns at the
//! run lock). The tests are generated as nested modules d0..d9 three deep, and each test's
//! number comes from its module path.

use ops_scenario::{Charm, Context, Event, Relation, State, Status};

/// The charms the tests cycle through: each sets a status from what it is given.
const CHARMS: [(&str, &str); 4] = [
    (
        "import ops\nclass Start(ops.CharmBase):\n    def __init__(self, f):\n        super().__init__(f)\n        f.observe(self.on.start, self._go)\n    def _go(self, e):\n        self.unit.status = ops.ActiveStatus(f'started {self.model.name}')\n",
        "name: start\n",
    ),
    (
        "import ops\nclass Conf(ops.CharmBase):\n    def __init__(self, f):\n        super().__init__(f)\n        f.observe(self.on.config_changed, self._go)\n    def _go(self, e):\n        self.unit.status = ops.ActiveStatus(str(self.config['n']))\n",
        "name: conf\nconfig:\n  options:\n    n:\n      type: int\n      default: 0\n",
    ),
    (
        "import ops\nclass Lead(ops.CharmBase):\n    def __init__(self, f):\n        super().__init__(f)\n        f.observe(self.on.leader_elected, self._go)\n    def _go(self, e):\n        self.app.status = ops.ActiveStatus('leading')\n        self.unit.status = ops.ActiveStatus('leader')\n",
        "name: lead\n",
    ),
    (
        "import ops\nclass Rel(ops.CharmBase):\n    def __init__(self, f):\n        super().__init__(f)\n        f.observe(self.on.db_relation_changed, self._go)\n    def _go(self, e):\n        self.unit.status = ops.ActiveStatus(e.relation.data[e.app]['n'])\n",
        "name: rel\nrequires:\n  db:\n    interface: pg\n",
    ),
];

/// One test: its number picks the charm and the input; the output must follow from both.
fn check(module_path: &str) {
    let n: usize = module_path
        .split("::")
        .filter_map(|part| part.strip_prefix('d'))
        .fold(0, |n, digit| n * 10 + digit.parse::<usize>().unwrap());
    let (source, meta) = CHARMS[n % CHARMS.len()];
    let ctx = Context::new(Charm::from_source(source, meta).unwrap()).unwrap();
    let (event, state, expected) = match n % CHARMS.len() {
        0 => (
            Event::start(),
            State::default(),
            "started test-model".to_owned(),
        ),
        1 => (
            Event::config_changed(),
            State::default().config([("n", (n as i64).into())]),
            n.to_string(),
        ),
        2 => (
            Event::leader_elected(),
            State::default().leader(true),
            "leader".into(),
        ),
        _ => {
            let db = Relation::new("db").remote_app_data([("n", n.to_string())]);
            (
                db.changed_event(),
                State::default().relations([db]),
                n.to_string(),
            )
        }
    };
    let out = ctx.run(event, &state).unwrap();
    assert_eq!(out.state.unit_status, Status::active(expected), "test {n}");
}

macro_rules! ten {
    ($($inner:tt)*) => {
        mod d0 { $($inner)* } mod d1 { $($inner)* } mod d2 { $($inner)* }
        mod d3 { $($inner)* } mod d4 { $($inner)* } mod d5 { $($inner)* }
        mod d6 { $($inner)* } mod d7 { $($inner)* } mod d8 { $($inner)* }
        mod d9 { $($inner)* }
    };
}

macro_rules! one_test {
    () => {
        #[test]
        fn runs() {
            crate::check(module_path!());
        }
    };
}

/// Ten tests, in modules d0..d9.
macro_rules! ten_tests {
    () => {
        ten!(one_test!(););
    };
}

/// A hundred tests, two modules deep.
macro_rules! hundred_tests {
    () => {
        ten!(ten_tests!(););
    };
}

// A thousand tests, three modules deep: tests::d4::d2::d7::runs is test 427.
mod tests {
    ten!(hundred_tests!(););
}
