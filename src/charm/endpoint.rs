//! Relation endpoints (`requires`, `provides`, `peers`) and extra bindings.

use indexmap::IndexMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::yaml::{metadata_error, optional_mapping};
use crate::error::Result;

/// One relation endpoint in the metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Where it is declared.
    pub role: EndpointRole,
    /// The interface (`interface:`).
    pub interface: String,
    /// Whether it has `scope: container` (a subordinate relation).
    pub container_scoped: bool,
    /// `limit:`, if given.
    pub limit: Option<u64>,
}

/// The section of the metadata an endpoint is declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointRole {
    /// `requires`.
    Requires,
    /// `provides`.
    Provides,
    /// `peers`.
    Peers,
}

/// The endpoints of the three sections, by name.
pub(super) fn parse_endpoints(
    file: &Path,
    meta: &Map<String, Value>,
) -> Result<IndexMap<String, Endpoint>> {
    let mut endpoints = IndexMap::new();
    for (section, role) in [
        ("requires", EndpointRole::Requires),
        ("provides", EndpointRole::Provides),
        ("peers", EndpointRole::Peers),
    ] {
        let Some(declared) = optional_mapping(file, section, meta.get(section), "of endpoints")?
        else {
            continue;
        };
        for (name, spec) in declared {
            let at = format!("{section}.{name}");
            let spec = spec
                .as_object()
                .ok_or_else(|| metadata_error(file, &at, "expected a mapping"))?;
            let interface = match spec.get("interface") {
                Some(Value::String(i)) => i.clone(),
                _ => {
                    return Err(metadata_error(
                        file,
                        &format!("{at}.interface"),
                        "every endpoint needs an interface name",
                    ))
                }
            };
            if endpoints.contains_key(name) {
                return Err(metadata_error(
                    file,
                    &at,
                    "the endpoint name is declared in more than one of requires, provides and peers",
                ));
            }
            endpoints.insert(
                name.clone(),
                Endpoint {
                    role,
                    interface,
                    container_scoped: spec.get("scope").and_then(Value::as_str)
                        == Some("container"),
                    limit: spec.get("limit").and_then(Value::as_u64),
                },
            );
        }
    }
    Ok(endpoints)
}

/// The names of `extra-bindings`.
pub(super) fn parse_extra_bindings(file: &Path, meta: &Map<String, Value>) -> Result<Vec<String>> {
    Ok(optional_mapping(
        file,
        "extra-bindings",
        meta.get("extra-bindings"),
        "of binding names",
    )?
    .map(|bindings| bindings.keys().cloned().collect())
    .unwrap_or_default())
}
