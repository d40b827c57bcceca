//! Every value type ops can store crosses between Python and the Rust State intact.

use ops_scenario::{stored_dict, Event, State, StoredValue};

use crate::common::{ctx_from_source, eval};

const CHARM: &str = r#"
import ops


class ValuesCharm(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.install, self._on_install)

    def _on_install(self, event):
        self._stored.nested = [
            (1, "a"),
            frozenset({2}),
            {1: "int key", (1, 2): "tuple key", "s": None},
            -(2 ** 80),
            1.5,
            b"\x00\xff",
            True,
        ]
        self._stored.mapping = {"a": {"b": [1, 2, {"c": set()}]}}
        self._stored.nothing = None
"#;

#[test]
fn nested_python_values_come_out_typed() {
    let ctx = ctx_from_source(CHARM, "name: values\n");
    let out = ctx.run(Event::install(), &State::default()).unwrap();
    let content = &out
        .state
        .stored_state(Some("ValuesCharm"), "_stored")
        .unwrap()
        .content;
    assert_eq!(
        content["nested"],
        StoredValue::List(vec![
            StoredValue::Tuple(vec![1.into(), "a".into()]),
            StoredValue::FrozenSet(vec![2.into()]),
            StoredValue::KeyedDict(vec![
                (1.into(), "int key".into()),
                (
                    StoredValue::Tuple(vec![1.into(), 2.into()]),
                    "tuple key".into()
                ),
                ("s".into(), StoredValue::None),
            ]),
            StoredValue::BigInt("-1208925819614629174706176".into()),
            1.5.into(),
            StoredValue::Bytes(vec![0, 255]),
            true.into(),
        ])
    );
    assert_eq!(
        content["mapping"],
        StoredValue::Dict(stored_dict([(
            "a",
            StoredValue::Dict(stored_dict([(
                "b",
                StoredValue::List(vec![
                    1.into(),
                    2.into(),
                    StoredValue::Dict(stored_dict([("c", StoredValue::Set(vec![]))]))
                ]),
            )])),
        )]))
    );
    assert_eq!(content["nothing"], StoredValue::None);

    // And back into Python: the charm sees the same values (compared in Python).
    let same = eval(
        &ctx,
        &out.state,
        "self._stored.nested._under == [(1, 'a'), frozenset({2}), {1: 'int key', (1, 2): 'tuple key', 's': None}, -(2 ** 80), 1.5, b'\\x00\\xff', True]",
    );
    assert_eq!(same, StoredValue::Bool(true));

    // And through JSON.
    let json = serde_json::to_string(&out.state).unwrap();
    assert_eq!(serde_json::from_str::<State>(&json).unwrap(), out.state);
}
