//! The consistency checker: `Context::check(&event, &state)` on any State, Event, Context
//! options and charm metadata returns the warnings or an `Error::Inconsistent`, never a panic
//! or a hang. No Python is started: the checker is pure Rust.
//!
//! The input is a JSON document in the shape of a case file (so the conformance cases are
//! seeds as they are): `{"charm": "../tests/charms/NAME", "context": {...}, "event": {...},
//! "state": {...}}`, where the charm is one of the test charms (by the last component of the
//! path; an unknown one means `conf-relations`), or `"meta": {...}` gives the metadata inline
//! as a charmcraft.yaml would (with `config` and `actions`).
#![no_main]

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ops_scenario::case::from_json;
use ops_scenario::meta::CharmMeta;
use ops_scenario::{Charm, Context, ContextOptions, Event, State};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Input {
    #[serde(default)]
    charm: Option<String>,
    #[serde(default)]
    meta: Option<Value>,
    #[serde(default)]
    context: ContextOptions,
    event: Event,
    #[serde(default)]
    state: State,
}

/// Every test charm of the repository, by directory name, loaded once.
fn test_charms() -> &'static BTreeMap<String, Charm> {
    static CHARMS: OnceLock<BTreeMap<String, Charm>> = OnceLock::new();
    CHARMS.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/charms");
        let mut charms = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).expect("tests/charms") {
            let path = entry.expect("tests/charms entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            // A directory that is not a charm (yet) is left out.
            if let Ok(charm) = Charm::from_dir(&path) {
                charms.insert(name, charm);
            }
        }
        charms
    })
}

/// A charm for inline metadata. Charms are cached by their metadata, since each one is an
/// (empty) temporary charm directory.
fn inline_charm(meta: Value) -> Option<Charm> {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, Charm>> = Default::default();
    }
    let key = meta.to_string();
    if let Some(charm) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return Some(charm);
    }
    let mut meta = meta;
    let (config, actions) = match meta.as_object_mut() {
        Some(object) => (object.remove("config"), object.remove("actions")),
        None => (None, None),
    };
    let meta = CharmMeta::from_values(meta, config, actions).ok()?;
    let charm = Charm::from_source_with_meta("", meta).expect("a temporary charm directory");
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(key, charm.clone());
    });
    Some(charm)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(input) = from_json::<Input>(&text) else {
        return;
    };
    let charm = match input.meta {
        Some(meta) => match inline_charm(meta) {
            Some(charm) => charm,
            None => return,
        },
        None => {
            let charms = test_charms();
            let name = input
                .charm
                .as_deref()
                .and_then(|c| Path::new(c).file_name())
                .map(|n| n.to_string_lossy().into_owned());
            name.and_then(|n| charms.get(&n))
                .unwrap_or(&charms["conf-relations"])
                .clone()
        }
    };
    let ctx = Context::with_options(charm, input.context).expect("a Context");
    match ctx.check(&input.event, &input.state) {
        Ok(warnings) => {
            for w in warnings {
                let _ = w.to_string();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
