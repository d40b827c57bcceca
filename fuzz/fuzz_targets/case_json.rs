//! The State/case JSON reader: any text given to `from_json` as a `Case`, `State`, `Event` or
//! `Output` gives a value or an `Error`, never a panic or a hang; and whatever parses
//! serialises back to JSON that parses to an equal value ("serialising then deserialising any
//! State gives an equal State").
#![no_main]

use std::fmt::Debug;

use libfuzzer_sys::fuzz_target;
use ops_scenario::case::{from_json, Case};
use ops_scenario::{Event, Output, State};
use serde::de::DeserializeOwned;
use serde::Serialize;

fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(what: &str, value: &T) {
    let json = serde_json::to_string(value)
        .unwrap_or_else(|e| panic!("{what} {value:?} cannot be written as JSON: {e}"));
    let back: T = from_json(&json)
        .unwrap_or_else(|e| panic!("{what} written as {json} does not read back: {e}"));
    assert_eq!(&back, value, "{what} does not round-trip through {json}");
}

fuzz_target!(|data: &[u8]| {
    // from_json takes text; invalid UTF-8 is replaced rather than skipped, so that mutations
    // that break a multi-byte character still reach the parser.
    let text = String::from_utf8_lossy(data);
    if let Ok(case) = from_json::<Case>(&text) {
        round_trips("Case", &case);
        round_trips("State", &case.state);
    }
    if let Ok(state) = from_json::<State>(&text) {
        round_trips("State", &state);
    }
    if let Ok(event) = from_json::<Event>(&text) {
        round_trips("Event", &event);
    }
    if let Ok(output) = from_json::<Output>(&text) {
        round_trips("Output", &output);
    }
});
