//! Workload containers (`containers:`): the OCI image resource each runs and the storage it
//! mounts.

use indexmap::IndexMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::yaml::{metadata_error, optional_mapping, optional_string};
use crate::error::Result;

/// One declared workload container.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContainerMeta {
    /// The OCI image resource it runs (`resource:`), if named.
    pub resource: Option<String>,
    /// The storage it mounts (`mounts:`), in order.
    pub mounts: Vec<ContainerMount>,
}

/// One storage mount of a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerMount {
    /// The storage name (`storage:`).
    pub storage: String,
    /// Where it is mounted in the container (`location:`), if given.
    pub location: Option<String>,
}

/// The `containers:` section.
pub(super) fn parse_containers(
    file: &Path,
    meta: &Map<String, Value>,
) -> Result<IndexMap<String, ContainerMeta>> {
    let Some(containers) = optional_mapping(
        file,
        "containers",
        meta.get("containers"),
        "of container names",
    )?
    else {
        return Ok(IndexMap::new());
    };
    let mut out = IndexMap::new();
    for (name, spec) in containers {
        let at = format!("containers.{name}");
        let Some(spec) = optional_mapping(file, &at, Some(spec), "")? else {
            out.insert(name.clone(), ContainerMeta::default());
            continue;
        };
        let resource = optional_string(file, &format!("{at}.resource"), spec.get("resource"))?;
        let mut mounts = Vec::new();
        match spec.get("mounts") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for (i, mount) in list.iter().enumerate() {
                    let mount_at = format!("{at}.mounts[{i}]");
                    let mount = mount
                        .as_object()
                        .ok_or_else(|| metadata_error(file, &mount_at, "expected a mapping"))?;
                    let storage = optional_string(
                        file,
                        &format!("{mount_at}.storage"),
                        mount.get("storage"),
                    )?
                    .ok_or_else(|| metadata_error(file, &mount_at, "a mount names its storage"))?;
                    let location = optional_string(
                        file,
                        &format!("{mount_at}.location"),
                        mount.get("location"),
                    )?;
                    mounts.push(ContainerMount { storage, location });
                }
            }
            Some(_) => {
                return Err(metadata_error(
                    file,
                    &format!("{at}.mounts"),
                    "expected a list of mounts",
                ))
            }
        }
        out.insert(name.clone(), ContainerMeta { resource, mounts });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn containers_name_their_resource_and_mounts() {
        let meta = json!({"containers": {
            "web": {"resource": "web-image", "mounts": [{"storage": "data", "location": "/srv"}]},
            "bare": null,
        }});
        let containers = parse_containers(Path::new("m"), meta.as_object().unwrap()).unwrap();
        assert_eq!(containers["web"].resource.as_deref(), Some("web-image"));
        assert_eq!(
            containers["web"].mounts,
            [ContainerMount {
                storage: "data".into(),
                location: Some("/srv".into())
            }]
        );
        assert_eq!(containers["bare"], ContainerMeta::default());
        let bad = json!({"containers": {"web": {"mounts": [{"location": "/srv"}]}}});
        let err = parse_containers(Path::new("m"), bad.as_object().unwrap()).unwrap_err();
        assert!(
            err.to_string().contains("containers.web.mounts[0]"),
            "{err}"
        );
    }
}
