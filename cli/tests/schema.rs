//! `scenario schema`: the JSON Schemas say what the reader takes and what `scenario run` writes.
//!
//! Every case file in the repository passes the printed case schema exactly when the reader
//! takes it (and the reader takes all but the deliberately malformed ones, named below); so do
//! mutations of them (an unknown key in each object, a value of another type at each leaf, each
//! key left out, each list made an object); every Output the CLI prints passes the output
//! schema. The types whose schema is written by hand (`ops_scenario::schema`) are checked field
//! by field against what they write, so a field added to one fails here until its schema
//! follows.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use common::{finish, fixture, manifest_dir, ok, scenario};
use jsonschema::Validator;
use ops_scenario::case::{from_json, Case};
use ops_scenario::{
    AnyRelation, CloudSpec, Container, ContainerFile, ContextOptions, Databag, DeferredEvent,
    Event, FileContent, FileKind, Output, PeerRelation, Relation, Rule, Secret, State, Status,
    StoredState, StoredValue, SubordinateRelation,
};
use serde_json::{json, Map, Value};

/// What `scenario schema ARGS` printed.
fn printed(args: &[&str]) -> Value {
    ok(&mut scenario(
        std::iter::once("schema").chain(args.iter().copied()),
    ))
    .json()
}

fn validator(schema: &Value) -> Validator {
    assert!(
        jsonschema::meta::is_valid(schema),
        "not a valid JSON Schema: {:?}",
        jsonschema::meta::validate(schema).err()
    );
    jsonschema::validator_for(schema).expect("the schema compiles")
}

static CASE_SCHEMA: LazyLock<Value> = LazyLock::new(|| printed(&[]));
static CASE: LazyLock<Validator> = LazyLock::new(|| validator(&CASE_SCHEMA));
static STATE: LazyLock<Validator> = LazyLock::new(|| validator(&printed(&["state"])));
static OUTPUT_SCHEMA: LazyLock<Value> = LazyLock::new(|| printed(&["output"]));
static OUTPUT: LazyLock<Validator> = LazyLock::new(|| validator(&OUTPUT_SCHEMA));

/// A validator for one definition of a printed schema (`"StoredValue"`).
fn definition(schema: &Value, name: &str) -> Validator {
    assert!(
        schema["$defs"].get(name).is_some(),
        "the schema defines {name}"
    );
    validator(&json!({
        "$schema": schema["$schema"],
        "$ref": format!("#/$defs/{name}"),
        "$defs": schema["$defs"],
    }))
}

/// The schema's errors for `value`, one per line.
fn errors(validator: &Validator, value: &Value) -> String {
    validator
        .iter_errors(value)
        .map(|e| format!("  at {}: {e}", e.instance_path()))
        .collect::<Vec<_>>()
        .join("\n")
}

// --- the command ---------------------------------------------------------------------------

#[test]
fn schema_prints_the_case_schema_by_default_and_each_one_by_name() {
    assert_eq!(*CASE_SCHEMA, ops_scenario::schema::case_schema());
    assert_eq!(printed(&["case"]), *CASE_SCHEMA);
    assert_eq!(printed(&["state"]), ops_scenario::schema::state_schema());
    assert_eq!(*OUTPUT_SCHEMA, ops_scenario::schema::output_schema());
    assert_eq!(CASE_SCHEMA["title"], "Case");
    assert_eq!(OUTPUT_SCHEMA["title"], "Output");
}

#[test]
fn schema_with_a_bad_argument_is_bad_input() {
    for args in [&["cases"][..], &["case", "output"][..]] {
        let done = finish(&mut scenario(
            std::iter::once("schema").chain(args.iter().copied()),
        ));
        assert_eq!(done.code, Some(2), "{args:?}: {}", done.stderr);
        assert_eq!(done.stdout, "");
        assert!(
            done.stderr.contains("(see `scenario schema --help`)"),
            "{}",
            done.stderr
        );
        assert_eq!(done.stderr.lines().count(), 1, "{}", done.stderr);
    }
    let help = ok(&mut scenario(["schema", "--help"]));
    assert!(help.stdout.contains("\"$schema\""), "{}", help.stdout);
    let top = ok(&mut scenario(["--help"]));
    assert!(
        top.stdout.lines().any(|line| line.trim_start().starts_with("schema ")
            && line.ends_with("Print the JSON Schema (draft 2020-12) of case files, of a State or of the Output")),
        "{}",
        top.stdout
    );
}

// --- every case file in the repository ------------------------------------------------------

/// Where the repository keeps JSON that `scenario` reads.
const CASE_FOLDERS: [&str; 4] = [
    "conformance/cases",
    "benches/cases",
    "tests/fixtures",
    "fuzz/corpus/case_json",
];

/// Deliberately malformed input of the CLI tests (and their copies in the fuzz corpus): the
/// reader refuses them, and so must the schema. (`bad-syntax` is not JSON at all.)
const MALFORMED: [&str; 8] = [
    "tests/fixtures/cli/bad-syntax.json",
    "tests/fixtures/cli/bad-unknown-field.json",
    "tests/fixtures/cli/bad-nested-unknown-field.json",
    "tests/fixtures/cli/bad-wrong-type.json",
    "fuzz/corpus/case_json/cli-bad-syntax.json",
    "fuzz/corpus/case_json/cli-bad-unknown-field.json",
    "fuzz/corpus/case_json/cli-bad-nested-unknown-field.json",
    "fuzz/corpus/case_json/cli-bad-wrong-type.json",
];

/// What a JSON file in those folders is.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Case,
    /// A State for `scenario run --state`.
    State,
    /// An Output `scenario run` printed (fuzz corpus seeds).
    Output,
}

fn kind_of(relative: &str) -> Kind {
    let name = relative.rsplit('/').next().unwrap();
    if name.ends_with("state-leader.json") {
        Kind::State
    } else if relative.starts_with("fuzz/") && name.starts_with("output-") {
        Kind::Output
    } else {
        Kind::Case
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// Every JSON file of [`CASE_FOLDERS`], relative to the repository, with its text.
fn repository_files() -> Vec<(String, String)> {
    let root = manifest_dir();
    let mut files = Vec::new();
    for folder in CASE_FOLDERS {
        json_files(&root.join(folder), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let relative = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            (relative, text)
        })
        .collect()
}

/// Whether the reader takes `text` as a `kind`.
fn reader_takes(kind: Kind, text: &str) -> bool {
    match kind {
        Kind::Case => from_json::<Case>(text).is_ok(),
        Kind::State => from_json::<State>(text).is_ok(),
        Kind::Output => from_json::<Output>(text).is_ok(),
    }
}

fn schema_for(kind: Kind) -> &'static Validator {
    match kind {
        Kind::Case => &CASE,
        Kind::State => &STATE,
        Kind::Output => &OUTPUT,
    }
}

#[test]
fn every_case_file_passes_the_schema_exactly_when_the_reader_takes_it() {
    let files = repository_files();
    assert!(
        files.len() > 350,
        "found only {} case files: did a folder move?",
        files.len()
    );
    let mut refused = Vec::new();
    let mut disagreements = Vec::new();
    for (file, text) in &files {
        let kind = kind_of(file);
        let read = reader_takes(kind, text);
        if !read {
            refused.push(file.as_str());
        }
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            continue; // not JSON: nothing to validate
        };
        let validator = schema_for(kind);
        if validator.is_valid(&value) != read {
            disagreements.push(format!(
                "{file} ({kind:?}): the reader {}, the schema {}\n{}",
                if read { "takes it" } else { "refuses it" },
                if read { "refuses it:" } else { "takes it" },
                errors(validator, &value)
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    let mut expected = MALFORMED.to_vec();
    expected.sort_unstable();
    assert_eq!(
        refused, expected,
        "the reader refuses exactly the deliberately malformed files"
    );
    for kind in [Kind::State, Kind::Output] {
        assert!(
            files.iter().any(|(f, _)| kind_of(f) == kind),
            "no {kind:?} file found"
        );
    }
}

/// One mutation of a document: what it did, and where (a JSON pointer).
struct Mutation {
    what: &'static str,
    at: String,
    value: Value,
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Every node of `value` with its JSON pointer.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                pointers(child, format!("{at}/{}", escape(key)), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The nodes of one document that are mutated, at most.
const MAX_NODES_PER_DOCUMENT: usize = 200;

/// A key the reader knows nowhere.
const UNKNOWN_KEY: &str = "zz_unknown";

/// The mutations of `document`: an unknown key put first in each object (first, because a
/// stored value is read by its first key), each key of each object left out (the others kept in
/// order), each list made an object, and each scalar made one of another type.
fn mutations(document: &Value) -> Vec<Mutation> {
    let mut at = Vec::new();
    pointers(document, String::new(), &mut at);
    // A large document (a bench's hundreds of relations) repeats itself: take nodes spread
    // over all of it, so that each mutation does not cost the whole document many times over.
    let step = at.len().div_ceil(MAX_NODES_PER_DOCUMENT);
    let mut out = Vec::new();
    for pointer in at.iter().step_by(step) {
        let changed = |change: &dyn Fn(&mut Value)| {
            let mut value = document.clone();
            change(value.pointer_mut(pointer).expect("a pointer found above"));
            value
        };
        let mut push = |what: &'static str, at: String, value: Value| {
            out.push(Mutation { what, at, value });
        };
        match document.pointer(pointer).expect("a pointer found above") {
            Value::Object(map) => {
                let first = changed(&|v| {
                    let mut with = Map::new();
                    with.insert(UNKNOWN_KEY.to_owned(), json!(0));
                    with.extend(v.as_object().unwrap().clone());
                    *v = Value::Object(with);
                });
                push("unknown key first", pointer.clone(), first);
                for key in map.keys() {
                    let without = changed(&|v| {
                        v.as_object_mut().unwrap().shift_remove(key);
                    });
                    push(
                        "key left out",
                        format!("{pointer}/{}", escape(key)),
                        without,
                    );
                }
            }
            Value::Array(_) => push(
                "list made an object",
                pointer.clone(),
                changed(&|v| *v = json!({})),
            ),
            Value::String(_) => push(
                "string made a number",
                pointer.clone(),
                changed(&|v| *v = json!(0)),
            ),
            Value::Number(_) => push(
                "number made a string",
                pointer.clone(),
                changed(&|v| *v = json!("0")),
            ),
            Value::Bool(_) => push(
                "bool made a string",
                pointer.clone(),
                changed(&|v| *v = json!("true")),
            ),
            Value::Null => push(
                "null made an object",
                pointer.clone(),
                changed(&|v| *v = json!({})),
            ),
        }
    }
    out
}

#[test]
fn mutated_case_files_pass_the_schema_exactly_when_the_reader_takes_them() {
    let mut disagreements = Vec::new();
    let mut count = 0;
    for (file, text) in repository_files() {
        let kind = kind_of(&file);
        if MALFORMED.contains(&file.as_str()) || kind == Kind::Output {
            continue;
        }
        let document: Value = serde_json::from_str(&text).unwrap();
        for mutation in mutations(&document) {
            count += 1;
            let text = serde_json::to_string(&mutation.value).unwrap();
            let read = reader_takes(kind, &text);
            let valid = schema_for(kind).is_valid(&mutation.value);
            if read != valid {
                disagreements.push(format!(
                    "{file}: {} at {}: the reader {}, the schema {}",
                    mutation.what,
                    mutation.at,
                    if read { "takes it" } else { "refuses it" },
                    if valid { "takes it" } else { "refuses it" },
                ));
            }
        }
    }
    assert!(count > 10_000, "only {count} mutations");
    assert!(
        disagreements.is_empty(),
        "{} of {count} mutations disagree:\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(40)].join("\n")
    );
}

// --- chosen inputs --------------------------------------------------------------------------

/// A case whose `state` is `state`.
fn case_with(state: Value) -> Value {
    json!({"charm": "charm", "event": {"name": "start"}, "state": state})
}

/// Both the reader and the schema take `case`, or both refuse it.
fn same_verdict(label: &str, case: &Value, expected: bool) {
    let read = from_json::<Case>(&case.to_string());
    assert_eq!(
        read.is_ok(),
        expected,
        "{label}: the reader {}: {:?}",
        if expected { "refuses it" } else { "takes it" },
        read.err()
    );
    assert_eq!(
        CASE.is_valid(case),
        expected,
        "{label}: the schema {}\n{}",
        if expected { "refuses it:" } else { "takes it" },
        errors(&CASE, case)
    );
}

#[test]
fn structural_mistakes_are_refused_by_the_reader_and_the_schema() {
    let container = |extra: Value| {
        let mut c = json!({"name": "web"});
        c.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        case_with(json!({"containers": [c]}))
    };
    let file = |f: Value| container(json!({"files": {"/etc/x": f}}));
    let stored =
        |v: Value| case_with(json!({"stored_states": [{"owner_path": "C", "content": {"x": v}}]}));
    let refused = [
        (
            "an unknown case key",
            json!({"charm": "c", "evnt": {"name": "start"}}),
        ),
        ("no event", json!({"charm": "c"})),
        (
            "a $schema that is not a string",
            json!({"$schema": 1, "charm": "c", "event": {"name": "start"}}),
        ),
        ("an unknown State key", case_with(json!({"leadr": true}))),
        (
            "an unknown event key",
            json!({"charm": "c", "event": {"name": "start", "relation": 1}}),
        ),
        (
            "an unknown context key",
            json!({"charm": "c", "event": {"name": "start"}, "context": {"unit": 1}}),
        ),
        (
            "a count as text",
            case_with(json!({"planned_units": "three"})),
        ),
        ("a negative count", case_with(json!({"planned_units": -1}))),
        (
            "a count past u32",
            case_with(json!({"planned_units": 4_294_967_296_u64})),
        ),
        (
            "an unknown status",
            case_with(json!({"unit_status": {"name": "happy"}})),
        ),
        (
            "a status without a name",
            case_with(json!({"unit_status": {"message": "x"}})),
        ),
        (
            "an unknown status key",
            case_with(json!({"unit_status": {"name": "active", "msg": "x"}})),
        ),
        (
            "an unknown model type",
            case_with(json!({"model": {"type": "k8s"}})),
        ),
        (
            "a relation without an endpoint",
            case_with(json!({"relations": [{"id": 1}]})),
        ),
        (
            "an unknown relation type",
            case_with(json!({"relations": [{"type": "peers", "endpoint": "c"}]})),
        ),
        (
            "a peer relation with a remote app",
            case_with(
                json!({"relations": [{"type": "peer", "endpoint": "c", "remote_app_data": {}}]}),
            ),
        ),
        (
            "a regular relation with peers",
            case_with(json!({"relations": [{"endpoint": "db", "peers_data": {}}]})),
        ),
        (
            "a subordinate relation with remote units",
            case_with(
                json!({"relations": [{"type": "subordinate", "endpoint": "j", "remote_units_data": {}}]}),
            ),
        ),
        (
            "a unit number with a leading zero",
            case_with(json!({"relations": [{"endpoint": "db", "remote_units_data": {"01": {}}}]})),
        ),
        (
            "a unit number past u32",
            case_with(
                json!({"relations": [{"endpoint": "db", "remote_units_data": {"4294967296": {}}}]}),
            ),
        ),
        (
            "a unit number with a sign",
            case_with(json!({"relations": [{"endpoint": "db", "remote_units_data": {"+1": {}}}]})),
        ),
        (
            "a databag value that is not a string",
            case_with(json!({"relations": [{"endpoint": "db", "local_app_data": {"port": 5432}}]})),
        ),
        (
            "a directory with content",
            file(json!({"type": "directory", "content": "x"})),
        ),
        ("a symlink", file(json!({"type": "symlink"}))),
        ("permissions past 777", file(json!({"permissions": "1000"}))),
        ("permissions with an 8", file(json!({"permissions": "888"}))),
        ("empty permissions", file(json!({"permissions": ""}))),
        ("permissions as a number", file(json!({"permissions": 644}))),
        ("bytes that are not base64", file(json!({"$bytes": "!!"}))),
        ("base64 with stray bits", file(json!({"$bytes": "AB=="}))),
        ("base64 without padding", file(json!({"$bytes": "AA"}))),
        (
            "bytes with metadata beside them",
            file(json!({"$bytes": "AA==", "user": "x"})),
        ),
        ("an unknown file key", file(json!({"mode": "644"}))),
        ("a file that is a number", file(json!(3))),
        ("content that is a number", file(json!({"content": 3}))),
        (
            "a layer item that is not an object",
            container(json!({"layers": {"base": {"services": {"web": 1}}}})),
        ),
        (
            "an unknown layer key",
            container(json!({"layers": {"base": {"sumary": "x"}}})),
        ),
        (
            "an unknown service status",
            container(json!({"service_statuses": {"web": "running"}})),
        ),
        (
            "an unknown check level",
            container(json!({"check_infos": [{"name": "up", "level": "bogus"}]})),
        ),
        (
            "a notice without a key",
            container(json!({"notices": [{"id": "1"}]})),
        ),
        (
            "a mount without a source",
            container(json!({"mounts": {"m": {"location": "/m"}}})),
        ),
        (
            "an exec without a prefix",
            container(json!({"execs": [{"stdout": "x"}]})),
        ),
        (
            "an unknown protocol",
            case_with(json!({"opened_ports": [{"protocol": "sctp"}]})),
        ),
        (
            "a port past 65535",
            case_with(json!({"opened_ports": [{"protocol": "tcp", "port": 70000}]})),
        ),
        (
            "a secret without content",
            case_with(json!({"secrets": [{"id": "secret:x"}]})),
        ),
        (
            "an unknown rotation",
            case_with(json!({"secrets": [{"tracked_content": {}, "rotate": "sometimes"}]})),
        ),
        ("a set that is not a list", stored(json!({"$set": 1}))),
        ("a big int with a letter", stored(json!({"$int": "12a"}))),
        ("a big int with a plus", stored(json!({"$int": "+12"}))),
        (
            "stored bytes that are not base64",
            stored(json!({"$bytes": "!!"})),
        ),
        ("a dict pair of one", stored(json!({"$dict": [[1]]}))),
        (
            "a dict pair of three",
            stored(json!({"$dict": [[1, 2, 3]]})),
        ),
        (
            "a tuple of text",
            case_with(
                json!({"deferred": [{"handle_path": "C/on/x[1]", "owner": "C", "observer": "_x", "snapshot_data": {"t": {"$tuple": "x"}}}]}),
            ),
        ),
        (
            "a deferred event without an observer",
            case_with(json!({"deferred": [{"handle_path": "C/on/x[1]", "owner": "C"}]})),
        ),
        (
            "a config value that is a list",
            case_with(json!({"config": {"x": [1]}})),
        ),
        (
            "an action without a name",
            json!({"charm": "c", "event": {"name": "x_action", "action": {"params": {}}}}),
        ),
    ];
    for (label, case) in &refused {
        same_verdict(label, case, false);
    }
}

#[test]
fn every_form_the_reader_takes_passes_the_schema() {
    let file =
        |f: Value| case_with(json!({"containers": [{"name": "web", "files": {"/etc/x": f}}]}));
    let stored =
        |v: Value| case_with(json!({"stored_states": [{"owner_path": "C", "content": {"x": v}}]}));
    let taken = [
        (
            "a minimal case",
            json!({"charm": "c", "event": {"name": "start"}}),
        ),
        (
            "a case naming its schema",
            json!({"$schema": "./case.schema.json", "charm": "c", "event": {"name": "start"}}),
        ),
        (
            "a relation without a type",
            case_with(
                json!({"relations": [{"endpoint": "db", "remote_units_data": {"0": {}, "4294967295": {}}}]}),
            ),
        ),
        (
            "every relation type",
            case_with(json!({"relations": [
                {"type": "regular", "endpoint": "db", "interface": null, "id": null, "remote_model_uuid": null},
                {"type": "peer", "endpoint": "c", "peers_data": {"1": {"k": "v"}}},
                {"type": "subordinate", "endpoint": "j", "remote_unit_id": 3, "remote_unit_data": {}},
            ]})),
        ),
        (
            "an unknown status with a message",
            case_with(json!({"unit_status": {"name": "unknown", "message": "dropped"}})),
        ),
        (
            "a status without a message",
            case_with(json!({"app_status": {"name": "active"}})),
        ),
        (
            "config of every type",
            case_with(json!({"config": {"b": true, "i": -3, "f": 0.5, "s": "x", "big": 1e300}})),
        ),
        ("a text file", file(json!("port: 80\n"))),
        ("a binary file", file(json!({"$bytes": "AP9h"}))),
        ("an empty binary file", file(json!({"$bytes": ""}))),
        (
            "a directory",
            file(json!({"type": "directory", "permissions": "0700"})),
        ),
        (
            "a file with every key",
            file(
                json!({"type": "file", "content": {"$bytes": "AQI="}, "permissions": "007",
                                               "user": null, "user_id": 0, "group": "g", "group_id": null}),
            ),
        ),
        ("an empty file object", file(json!({}))),
        (
            "an ICMP port and a port 0",
            case_with(
                json!({"opened_ports": [{"protocol": "icmp"}, {"protocol": "tcp", "port": 0}]}),
            ),
        ),
        (
            "every stored form",
            stored(json!({
                "none": null, "f": 1.5, "u": 18_446_744_073_709_551_615_u64, "s": {"$set": [1, [2]]},
                "fs": {"$frozenset": []}, "t": {"$tuple": [1, "x"]}, "b": {"$bytes": "aGk="},
                "i": {"$int": "-0042"}, "d": {"$dict": [[1, "one"], [[1], {}]]}, "e": {},
                "not a tag": {"$foo": 1}, "a tag later": {"a": 1, "$set": 2}
            })),
        ),
        (
            "a dict with a tag name as its only key, written as pairs",
            stored(json!({"$dict": [["$set", 1]]})),
        ),
        (
            "an action with any parameters",
            json!({"charm": "c", "event": {"name": "x_action", "action": {"name": "x", "params": {"a": [1, {"b": null}]}}}}),
        ),
        (
            "custom event arguments",
            json!({"charm": "c", "event": {"name": "db.on.ready", "args": [{"$tuple": [1]}], "kwargs": {"k": {"$set": []}}}}),
        ),
    ];
    for (label, case) in &taken {
        same_verdict(label, case, true);
    }
}

/// Where the reader and the schema part: each pair says what the reader does. JSON Schema
/// cannot see how a number was written or in which order an object's keys come; the reader of a
/// relation takes `null` for any field, and a field of another kind when it is `null`
/// (docs/STATE_JSON.md, "What the schema cannot say"). When one of these stops being a
/// difference, take it off this list and off that section.
#[test]
fn the_known_differences_between_the_reader_and_the_schema() {
    let stored =
        |v: Value| case_with(json!({"stored_states": [{"owner_path": "C", "content": {"x": v}}]}));
    let differences = [
        (
            "an integer written as 1.0",
            case_with(json!({"planned_units": 1.0})),
            false,
        ),
        (
            "an integer written as -0",
            case_with(json!({"planned_units": -0.0})),
            false,
        ),
        (
            "a tag first, then other keys",
            stored(json!({"$set": [1], "a": 2})),
            false,
        ),
        (
            "null for a relation field",
            case_with(
                json!({"relations": [{"endpoint": "db", "remote_app_name": null, "local_unit_data": null}]}),
            ),
            true,
        ),
        (
            "null for the relation type",
            case_with(json!({"relations": [{"type": null, "endpoint": "db"}]})),
            true,
        ),
        (
            "null for a field of another kind",
            case_with(
                json!({"relations": [{"type": "peer", "endpoint": "c", "remote_app_data": null}]}),
            ),
            true,
        ),
    ];
    for (label, case, reader_takes_it) in &differences {
        let read = from_json::<Case>(&case.to_string()).is_ok();
        assert_eq!(read, *reader_takes_it, "{label}: the reader changed");
        assert_eq!(
            CASE.is_valid(case),
            !reader_takes_it,
            "{label}: the schema changed"
        );
    }
}

// --- the contract's examples -----------------------------------------------------------------

/// The blocks of docs/STATE_JSON.md fenced as ```` ```json TAG ````: the tag and the text.
fn tagged_examples() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(manifest_dir().join("docs/STATE_JSON.md")).unwrap();
    let mut examples = Vec::new();
    let mut open: Option<(String, String)> = None;
    for line in doc.lines() {
        match &mut open {
            Some((tag, text)) => {
                if line.trim_start() == "```" {
                    examples.push((std::mem::take(tag), std::mem::take(text)));
                    open = None;
                } else {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            None => {
                if let Some(tag) = line.trim_start().strip_prefix("```json ") {
                    open = Some((tag.trim().to_owned(), String::new()));
                }
            }
        }
    }
    examples
}

/// Whether the reader takes `text` as the type named `tag`, and the schema that says so.
fn read_as(tag: &str, text: &str) -> (Result<(), String>, Validator) {
    macro_rules! read {
        ($type:ty) => {
            from_json::<$type>(text)
                .map(drop)
                .map_err(|e| e.to_string())
        };
    }
    let read = match tag {
        "case" => return (read!(Case), definition_or_root(&CASE_SCHEMA, None)),
        "state" => {
            return (
                read!(State),
                definition_or_root(&CASE_SCHEMA, Some("State")),
            )
        }
        "output" => return (read!(Output), definition_or_root(&OUTPUT_SCHEMA, None)),
        "ContextOptions" => read!(ContextOptions),
        "Event" => read!(Event),
        "CloudSpec" => read!(CloudSpec),
        "AnyRelation" => read!(AnyRelation),
        "Container" => read!(Container),
        "Secret" => read!(Secret),
        "StoredState" => read!(StoredState),
        "DeferredEvent" => read!(DeferredEvent),
        other => panic!("docs/STATE_JSON.md: an example of unknown type {other:?}"),
    };
    (read, definition_or_root(&CASE_SCHEMA, Some(tag)))
}

fn definition_or_root(schema: &Value, name: Option<&str>) -> Validator {
    match name {
        Some(name) => definition(schema, name),
        None => validator(schema),
    }
}

#[test]
fn every_example_of_the_contract_reads_and_passes_the_schema() {
    let examples = tagged_examples();
    assert!(examples.len() >= 12, "only {} examples", examples.len());
    for tag in ["case", "state", "output"] {
        assert!(
            examples.iter().any(|(t, _)| t == tag),
            "no `json {tag}` example"
        );
    }
    for (tag, text) in &examples {
        let (read, schema) = read_as(tag, text);
        assert!(
            read.is_ok(),
            "a `json {tag}` example does not read: {read:?}\n{text}"
        );
        let value: Value = serde_json::from_str(text).unwrap();
        assert!(
            schema.is_valid(&value),
            "a `json {tag}` example does not pass the schema:\n{}\n{text}",
            errors(&schema, &value)
        );
    }
}

// --- Outputs --------------------------------------------------------------------------------

/// Cases of tests/fixtures/cli whose Outputs cover every Output field.
const OUTPUT_CASES: [&str; 10] = [
    "status-start-leader.json",
    "relation-changed.json",
    "pebble-ready-web.json",
    "pebble-metrics-exec.json",
    "action-backup.json",
    "action-fail.json",
    "secret-observer-set.json",
    "storage-attached.json",
    "stored-config-round-trip.json",
    "raising-start.json",
];

#[test]
fn every_output_the_cli_prints_passes_the_output_schema_and_reads_back() {
    for name in OUTPUT_CASES {
        let done = finish(&mut scenario([
            OsStr::new("run"),
            fixture(name).as_os_str(),
        ]));
        assert!(
            matches!(done.code, Some(0 | 1)),
            "{name}: exit {:?}\n{}",
            done.code,
            done.stderr
        );
        let output = done.json();
        assert!(
            OUTPUT.is_valid(&output),
            "{name}: the Output does not pass the schema:\n{}",
            errors(&OUTPUT, &output)
        );
        let read = from_json::<Output>(&output.to_string());
        assert!(read.is_ok(), "{name}: {:?}", read.err());
        if output["state"].is_null() {
            assert!(
                output["error"].is_object(),
                "{name}: a null state comes with an error"
            );
            continue;
        }
        // The output State is a State to start the next run from.
        let next = case_with(output["state"].clone());
        assert!(
            CASE.is_valid(&next),
            "{name}: the output State does not pass the case schema:\n{}",
            errors(&CASE, &next)
        );
        assert!(from_json::<Case>(&next.to_string()).is_ok(), "{name}");
    }
}

#[test]
fn the_output_schema_requires_what_is_always_written() {
    let required: BTreeSet<&str> = OUTPUT_SCHEMA["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let written = ops_scenario::Output::default().to_json();
    let keys: BTreeSet<&str> = written
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        required, keys,
        "the fields an empty Output writes are the required ones"
    );
    let optional = ["trace_data", "warnings", "reads"];
    let properties: BTreeSet<&str> = OUTPUT_SCHEMA["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        properties,
        keys.iter().chain(&optional).copied().collect(),
        "every other field is written only when it holds something"
    );
}

// --- the hand-written schemas follow their types ---------------------------------------------

/// The properties a schema (or one branch of its `anyOf`/`oneOf`) lists.
fn properties(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .unwrap_or_else(|| panic!("no properties in {schema}"))
        .keys()
        .cloned()
        .collect()
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

#[test]
fn the_status_schema_lists_every_field_a_status_writes() {
    for schema in [&*CASE_SCHEMA, &*OUTPUT_SCHEMA] {
        let defined = &schema["$defs"]["Status"];
        let status = definition(schema, "Status");
        for written in [Status::Unknown, Status::active("ready")] {
            let value = serde_json::to_value(&written).unwrap();
            assert_eq!(keys(&value), properties(defined));
            assert!(status.is_valid(&value), "{value}");
        }
    }
}

/// A file with every piece of metadata, built field by field: a field added to ContainerFile
/// fails to compile here until it is given (and then, below, until the schema lists it).
fn every_file_field(kind: FileKind) -> ContainerFile {
    ContainerFile {
        kind,
        content: FileContent::Bytes(if kind == FileKind::File {
            vec![0xff]
        } else {
            Vec::new()
        }),
        permissions: Some(0o600),
        user: Some("app".into()),
        user_id: Some(1000),
        group: Some("app".into()),
        group_id: Some(1001),
    }
}

#[test]
fn the_container_file_schema_lists_every_field_a_file_writes() {
    let object_form = &CASE_SCHEMA["$defs"]["ContainerFile"]["anyOf"][2];
    let file_schema = definition(&CASE_SCHEMA, "ContainerFile");
    let mut written = BTreeSet::new();
    for file in [
        every_file_field(FileKind::File),
        every_file_field(FileKind::Directory),
        ContainerFile::from("text"),
        ContainerFile::from(vec![1u8, 2]),
    ] {
        let value = serde_json::to_value(&file).unwrap();
        assert!(file_schema.is_valid(&value), "{value}");
        if value.is_object() && value.get("$bytes").is_none() {
            written.extend(keys(&value));
        }
    }
    assert_eq!(written, properties(object_form));
}

/// A relation of each kind with every field set, built field by field.
fn every_relation_field() -> [AnyRelation; 3] {
    let bag: Databag = [("k", "v")].into_iter().collect();
    [
        AnyRelation::Regular(Relation {
            endpoint: "db".into(),
            interface: Some("pgsql".into()),
            id: Some(1),
            remote_app_name: "postgresql".into(),
            limit: 2,
            remote_model_uuid: Some("u".into()),
            local_app_data: bag.clone(),
            local_unit_data: bag.clone(),
            remote_app_data: bag.clone(),
            remote_units_data: [(0, bag.clone())].into(),
        }),
        AnyRelation::Peer(PeerRelation {
            endpoint: "cluster".into(),
            interface: Some("cluster".into()),
            id: Some(2),
            local_app_data: bag.clone(),
            local_unit_data: bag.clone(),
            peers_data: [(1, bag.clone())].into(),
        }),
        AnyRelation::Subordinate(SubordinateRelation {
            endpoint: "juju-info".into(),
            interface: Some("juju-info".into()),
            id: Some(3),
            remote_app_name: "ubuntu".into(),
            local_app_data: bag.clone(),
            local_unit_data: bag.clone(),
            remote_app_data: bag.clone(),
            remote_unit_id: 4,
            remote_unit_data: bag,
        }),
    ]
}

#[test]
fn the_relation_schema_lists_every_field_of_each_kind() {
    for schema in [&*CASE_SCHEMA, &*OUTPUT_SCHEMA] {
        let kinds = schema["$defs"]["AnyRelation"]["oneOf"].as_array().unwrap();
        let relation = definition(schema, "AnyRelation");
        for (written, kind_schema) in every_relation_field().iter().zip(kinds) {
            let value = serde_json::to_value(written).unwrap();
            assert_eq!(value["type"], kind_schema["properties"]["type"]["const"]);
            assert_eq!(keys(&value), properties(kind_schema), "{}", value["type"]);
            assert!(relation.is_valid(&value), "{value}");
        }
    }
}

#[test]
fn the_stored_value_schema_knows_every_tag_a_value_writes() {
    let schema = definition(&CASE_SCHEMA, "StoredValue");
    let every = [
        StoredValue::None,
        StoredValue::Bool(true),
        StoredValue::Int(-1),
        StoredValue::BigInt("-18446744073709551617".into()),
        StoredValue::Float(0.5),
        StoredValue::Str("s".into()),
        StoredValue::Bytes(vec![0, 1, 0xfe]),
        StoredValue::List(vec![StoredValue::None]),
        StoredValue::Tuple(vec![1.into()]),
        StoredValue::Set(vec!["a".into()]),
        StoredValue::FrozenSet(vec![]),
        StoredValue::Dict([("$set".to_owned(), StoredValue::Int(1))].into()),
        StoredValue::Dict([("a".to_owned(), StoredValue::Int(1))].into()),
        StoredValue::KeyedDict(vec![(1.into(), "one".into())]),
    ];
    let mut tags = BTreeSet::new();
    for value in &every {
        // A new kind of value makes this match fail to compile: give it a case above.
        match value {
            StoredValue::None
            | StoredValue::Bool(_)
            | StoredValue::Int(_)
            | StoredValue::BigInt(_)
            | StoredValue::Float(_)
            | StoredValue::Str(_)
            | StoredValue::Bytes(_)
            | StoredValue::List(_)
            | StoredValue::Tuple(_)
            | StoredValue::Set(_)
            | StoredValue::FrozenSet(_)
            | StoredValue::Dict(_)
            | StoredValue::KeyedDict(_) => {}
        }
        let written = serde_json::to_value(value).unwrap();
        assert!(
            schema.is_valid(&written),
            "{written}\n{}",
            errors(&schema, &written)
        );
        if let Some(map) = written.as_object() {
            tags.extend(map.keys().filter(|k| k.starts_with('$')).cloned());
        }
    }
    let tagged = &CASE_SCHEMA["$defs"]["StoredValue"]["anyOf"][2];
    assert_eq!(
        tags,
        properties(tagged),
        "every tag is written by some value"
    );
}

#[test]
fn every_base64_the_reader_takes_passes_the_schema_and_no_other() {
    // Every string of up to 4 characters over an alphabet that covers each case of the
    // padding rules.
    let alphabet = ['A', 'B', 'Q', 'g', 'w', 'E', '8', '/', '=', '!'];
    let schema = definition(&CASE_SCHEMA, "StoredValue");
    let mut level = vec![String::new()];
    let mut strings = level.clone();
    for _ in 0..4 {
        level = level
            .iter()
            .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
            .collect();
        strings.extend(level.iter().cloned());
    }
    for text in strings
        .iter()
        .chain([&"AAAAAA==".to_owned(), &"AAAAAAB=".to_owned()])
    {
        let value = json!({"$bytes": text});
        let read = serde_json::from_value::<StoredValue>(value.clone()).is_ok();
        assert_eq!(
            schema.is_valid(&value),
            read,
            "{text:?}: the reader takes it: {read}"
        );
    }
}

#[test]
fn every_rule_id_passes_the_schema() {
    let schema = definition(&OUTPUT_SCHEMA, "Rule");
    for rule in Rule::ALL {
        assert!(schema.is_valid(&json!(rule.id())), "{}", rule.id());
    }
    assert!(!schema.is_valid(&json!("config.typo")));
}
