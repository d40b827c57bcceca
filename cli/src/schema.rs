//! `scenario schema [case|state|output]`: print the JSON Schema of case files (the default), of
//! a State (`--state` files, `scenario snapshot`'s JSON) or of the Output `scenario run` prints
//! (`ops_scenario::schema`; docs/STATE_JSON.md says how an editor uses it).

use std::process::ExitCode;

use crate::Schema;

/// Print the schema of `which`.
pub fn schema(which: Schema) -> ExitCode {
    let schema = match which {
        Schema::Case => ops_scenario::schema::case_schema(),
        Schema::State => ops_scenario::schema::state_schema(),
        Schema::Output => ops_scenario::schema::output_schema(),
    };
    crate::print_stdout(&format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).expect("a JSON value serialises")
    ));
    ExitCode::SUCCESS
}
