//! `scenario schema [case|state|output]`: print the JSON Schema of case files (the default), of
//! a State (`--state` files, `scenario snapshot`'s JSON) or of the Output `scenario run` prints
//! (`ops_scenario::schema`; docs/STATE_JSON.md says how an editor uses it).

use std::process::ExitCode;

/// The subcommand's help.
pub const USAGE: &str = "\
usage: scenario schema [case|state|output]

Prints a JSON Schema (draft 2020-12) as JSON: of case files (`case`, the default), of a
State (`state`), or of the Output `scenario run` prints (`output`). Save it beside your case
files and name it in them for your editor: \"$schema\": \"./case.schema.json\"
(docs/STATE_JSON.md). Exit codes: 0 printed; 2 bad arguments.";

/// Run `scenario schema ARGS` (the arguments after `schema`).
pub fn main(args: &[String]) -> ExitCode {
    let which = match args {
        [] => "case",
        [one] => one.as_str(),
        [_, extra, ..] => return bad(&format!("one schema at a time; also got {extra:?}")),
    };
    let schema = match which {
        "case" => ops_scenario::schema::case_schema(),
        "state" => ops_scenario::schema::state_schema(),
        "output" => ops_scenario::schema::output_schema(),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        other => return bad(&format!("no schema {other:?}: case, state or output")),
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&schema).expect("a JSON value serialises")
    );
    ExitCode::SUCCESS
}

fn bad(message: &str) -> ExitCode {
    eprintln!("scenario: {message}\n{USAGE}");
    ExitCode::from(2)
}
