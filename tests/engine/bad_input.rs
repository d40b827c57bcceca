//! Bad input of the kinds not covered elsewhere (cli/tests/cli.rs and `loading` cover wrong
//! types, unknown fields, malformed JSON and YAML, missing files and charms that fail to
//! import): huge values, deep nesting, non-UTF-8 files, duplicate ids, a charm with a syntax
//! error in its directory, and `scenario bench` arguments. Each is an error that says what
//! and where, never a panic.

use ops_scenario::case::{self, Case};
use ops_scenario::{Charm, Context, Error, Event, Relation, State};

use crate::common::{ctx_from_source, redact_dir, rule_ids};

/// The report of a State's JSON that must be refused as invalid input.
#[track_caller]
fn invalid(json: &str) -> String {
    match case::from_json::<State>(json).unwrap_err() {
        err @ Error::InvalidInput { .. } => err.to_string(),
        other => panic!("expected invalid input, got {other}"),
    }
}

#[test]
fn numbers_out_of_range_name_their_field() {
    let reports = [
        invalid(r#"{"planned_units": 99999999999999999999}"#),
        invalid(r#"{"relations": [{"endpoint": "db", "id": -1}]}"#),
        invalid(r#"{"opened_ports": [{"protocol": "tcp", "port": 70000}]}"#),
    ];
    insta::assert_snapshot!("numbers_out_of_range", reports.join("\n"));
}

#[test]
fn huge_values_are_carried_whole() {
    let big = "x".repeat(4 << 20);
    let json = format!(r#"{{"config": {{"blob": "{big}"}}}}"#);
    let state: State = case::from_json(&json).unwrap();
    let back: State = case::from_json(&serde_json::to_string(&state).unwrap()).unwrap();
    assert_eq!(back, state);
}

#[test]
fn deep_nesting_is_refused_with_where_not_a_stack_overflow() {
    let depth = 100_000;
    let json = format!(
        r#"{{"stored_states": [{{"owner_path": "C", "name": "_s", "content": {{"deep": {}1{}}}}}]}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    insta::assert_snapshot!("deep_nesting", invalid(&json));
}

#[test]
fn a_case_file_that_is_not_utf8_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, b"{\"charm\": \"\xff\xfe\"}").unwrap();
    let err = Case::load(&file).unwrap_err();
    insta::assert_snapshot!(
        "case_file_not_utf8",
        redact_dir(&err.to_string(), dir.path())
    );
}

#[test]
fn metadata_that_is_not_utf8_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/charm.py"), "import ops\n").unwrap();
    std::fs::write(dir.path().join("charmcraft.yaml"), b"name: \xff\xfe\n").unwrap();
    let text = Charm::from_dir(dir.path()).unwrap_err().to_string();
    insta::assert_snapshot!("metadata_not_utf8", redact_dir(&text, dir.path()));
}

#[test]
fn a_charm_source_that_is_not_utf8_or_not_python_is_a_load_error_naming_it() {
    for (source, expect) in [
        (&b"import ops\nx = '\xff'\n"[..], "charm.py"),
        (
            &b"import ops\nclass C(ops.CharmBase)\n    pass\n"[..],
            "SyntaxError",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/charm.py"), source).unwrap();
        std::fs::write(dir.path().join("charmcraft.yaml"), "name: broken\n").unwrap();
        let ctx = Context::new(Charm::from_dir(dir.path()).unwrap()).unwrap();
        match ctx.run(Event::start(), &State::default()).unwrap_err() {
            Error::CharmLoad { message, .. } => {
                eprintln!("DEBUG {expect}: {message}");
                assert!(message.contains(expect), "{expect}: {message}")
            }
            other => panic!("{expect}: {other}"),
        }
    }
}

#[test]
fn duplicate_relation_ids_are_named_by_the_checker() {
    let ctx = ctx_from_source(
        "import ops\nclass C(ops.CharmBase):\n    pass\n",
        "name: c\nrequires:\n  db:\n    interface: pg\n",
    );
    let state = State::default().relations([Relation::new("db").id(3), Relation::new("db").id(3)]);
    let err = ctx.run(Event::start(), &state).unwrap_err();
    let Error::Inconsistent { violations } = &err else {
        panic!("{err}")
    };
    assert_eq!(rule_ids(violations), ["relation.duplicate_id"]);
    insta::assert_snapshot!("duplicate_relation_ids", err);
}

#[test]
fn metadata_names_juju_refuses_are_each_a_violation() {
    let refused = crate::common::ctx("conf-names").run(Event::start(), &State::default());
    assert_eq!(
        crate::common::rules(refused),
        [
            "relation.endpoint_name",
            "storage.name",
            "action.name",
            "container.name"
        ]
    );
}
