//! The metadata YAML reader: any text read as a charmcraft.yaml, or as the legacy
//! metadata.yaml + config.yaml + actions.yaml, gives a `CharmMeta` or an `Error`, never a
//! panic or a hang.
//!
//! The input is split at NUL bytes: the first part is read as a charmcraft.yaml and as a
//! metadata.yaml, with the second part (if any) as config.yaml and the third as actions.yaml.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ops_scenario::meta::CharmMeta;

fn use_meta(meta: &CharmMeta) {
    // What the rest of the crate asks of parsed metadata.
    for name in meta.endpoints.keys().chain(meta.containers.keys()) {
        let _ = meta.declares_endpoint(name);
        let _ = meta.containers.get(name);
        let _ = meta.declares_action(name);
    }
    for (name, action) in &meta.actions {
        let _ = action.with_defaults(&Default::default());
        let _ = meta.declares_action(name);
    }
    for storage in meta.storages.values() {
        let _ = (storage.count.is_singular(), storage.kind.as_str());
    }
    let _ = format!("{meta:?}");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\0');
    let first = parts.next().unwrap_or_default();
    let config = parts.next();
    let actions = parts.next();
    if let Ok(meta) = CharmMeta::from_charmcraft_yaml(first) {
        use_meta(&meta);
    }
    match CharmMeta::from_yaml(first, config, actions) {
        Ok(meta) => use_meta(&meta),
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
