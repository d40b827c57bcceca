//! Resources (`resources:`): files and OCI images the charm can fetch.

use indexmap::IndexMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::yaml::{metadata_error, optional_mapping, optional_string};
use crate::error::Result;

/// One declared resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceMeta {
    /// `type:`. Defaults to [`ResourceKind::File`], as in Juju.
    pub kind: ResourceKind,
    /// `filename:`, for a file resource, if given.
    pub filename: Option<String>,
    /// `description:`, if any.
    pub description: Option<String>,
}

/// A resource's `type:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    /// `file`.
    File,
    /// `oci-image`.
    OciImage,
}

/// The `resources:` section.
pub(super) fn parse_resources(
    file: &Path,
    meta: &Map<String, Value>,
) -> Result<IndexMap<String, ResourceMeta>> {
    let Some(resources) = optional_mapping(
        file,
        "resources",
        meta.get("resources"),
        "of resource names",
    )?
    else {
        return Ok(IndexMap::new());
    };
    let mut out = IndexMap::new();
    for (name, spec) in resources {
        let at = format!("resources.{name}");
        let spec = optional_mapping(file, &at, Some(spec), "")?;
        let field = |key: &str| spec.and_then(|s| s.get(key));
        let kind = match optional_string(file, &format!("{at}.type"), field("type"))?.as_deref() {
            None | Some("file") => ResourceKind::File,
            Some("oci-image") => ResourceKind::OciImage,
            Some(other) => {
                return Err(metadata_error(
                    file,
                    &format!("{at}.type"),
                    format!("{other:?} is not a resource type (file or oci-image)"),
                ))
            }
        };
        out.insert(
            name.clone(),
            ResourceMeta {
                kind,
                filename: optional_string(file, &format!("{at}.filename"), field("filename"))?,
                description: optional_string(
                    file,
                    &format!("{at}.description"),
                    field("description"),
                )?,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resources_are_files_unless_they_say_otherwise() {
        let meta = json!({"resources": {
            "bin": {"type": "file", "filename": "bin.tar"},
            "image": {"type": "oci-image"},
            "plain": {},
        }});
        let resources = parse_resources(Path::new("m"), meta.as_object().unwrap()).unwrap();
        assert_eq!(resources["bin"].kind, ResourceKind::File);
        assert_eq!(resources["bin"].filename.as_deref(), Some("bin.tar"));
        assert_eq!(resources["image"].kind, ResourceKind::OciImage);
        assert_eq!(resources["plain"].kind, ResourceKind::File);
        let bad = json!({"resources": {"x": {"type": "zip"}}});
        assert!(parse_resources(Path::new("m"), bad.as_object().unwrap()).is_err());
    }
}
