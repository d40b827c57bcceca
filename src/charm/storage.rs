//! Storage (`storage:`): each store's kind, where it is mounted, and how many instances a unit
//! may have.

use indexmap::IndexMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::yaml::{flag, metadata_error, optional_mapping, optional_string};
use crate::error::Result;

/// One declared storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageMeta {
    /// `type:`. Defaults to [`StorageKind::Filesystem`].
    pub kind: StorageKind,
    /// `description:`, if any.
    pub description: Option<String>,
    /// `location:`, where a filesystem is mounted, if given.
    pub location: Option<String>,
    /// How many instances a unit may have (`multiple: range:`; exactly one without it).
    pub count: StorageCount,
    /// `shared:`.
    pub shared: bool,
    /// `read-only:`.
    pub read_only: bool,
    /// `minimum-size:`, as written (`1G`), if given.
    pub minimum_size: Option<String>,
}

/// A storage's `type:`, as `storage-get kind` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageKind {
    /// `filesystem`.
    Filesystem,
    /// `block`.
    Block,
}

impl StorageKind {
    /// The kind as Juju writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageKind::Filesystem => "filesystem",
            StorageKind::Block => "block",
        }
    }
}

/// How many instances of a storage a unit may have, from the metadata: `multiple: range:`
/// `n`, `n-m`, `n-` or `n+`; a storage without `multiple` is singular (exactly one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageCount {
    /// The fewest.
    pub min: u32,
    /// The most; `None`: no maximum.
    pub max: Option<u32>,
}

impl StorageCount {
    /// Exactly one instance: a storage without `multiple`.
    pub const SINGULAR: StorageCount = StorageCount {
        min: 1,
        max: Some(1),
    };

    /// Whether the storage is singular (exactly one instance).
    pub fn is_singular(self) -> bool {
        self == StorageCount::SINGULAR
    }

    /// A `multiple: range:`. A range that does not parse is taken as no limit (charmcraft
    /// rejects it anyway).
    fn of_range(range: &str) -> StorageCount {
        Self::parse(range.trim()).unwrap_or(StorageCount { min: 0, max: None })
    }

    fn parse(range: &str) -> Option<StorageCount> {
        if let Some(min) = range.strip_suffix('+') {
            return Some(StorageCount {
                min: min.parse().ok()?,
                max: None,
            });
        }
        match range.split_once('-') {
            Some((min, "")) => Some(StorageCount {
                min: min.parse().ok()?,
                max: None,
            }),
            Some((min, max)) => Some(StorageCount {
                min: min.parse().ok()?,
                max: Some(max.parse().ok()?),
            }),
            None => {
                let n = range.parse().ok()?;
                Some(StorageCount {
                    min: n,
                    max: Some(n),
                })
            }
        }
    }
}

/// The `storage:` section.
pub(super) fn parse_storages(
    file: &Path,
    meta: &Map<String, Value>,
) -> Result<IndexMap<String, StorageMeta>> {
    let Some(storages) =
        optional_mapping(file, "storage", meta.get("storage"), "of storage names")?
    else {
        return Ok(IndexMap::new());
    };
    let mut out = IndexMap::new();
    for (name, spec) in storages {
        let at = format!("storage.{name}");
        let spec = optional_mapping(file, &at, Some(spec), "")?
            .ok_or_else(|| metadata_error(file, &at, "expected a mapping"))?;
        let kind = match optional_string(file, &format!("{at}.type"), spec.get("type"))?.as_deref()
        {
            None | Some("filesystem") => StorageKind::Filesystem,
            Some("block") => StorageKind::Block,
            Some(other) => {
                return Err(metadata_error(
                    file,
                    &format!("{at}.type"),
                    format!("{other:?} is not a storage type (filesystem or block)"),
                ))
            }
        };
        let count = match spec.get("multiple") {
            None | Some(Value::Null) => StorageCount::SINGULAR,
            Some(multiple) => match multiple.get("range") {
                Some(Value::String(s)) => StorageCount::of_range(s),
                Some(Value::Number(n)) => StorageCount::of_range(&n.to_string()),
                _ => StorageCount::of_range(""),
            },
        };
        let minimum_size = match spec.get("minimum-size") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                return Err(metadata_error(
                    file,
                    &format!("{at}.minimum-size"),
                    format!("expected a size, found {other}"),
                ))
            }
        };
        out.insert(
            name.clone(),
            StorageMeta {
                kind,
                description: optional_string(
                    file,
                    &format!("{at}.description"),
                    spec.get("description"),
                )?,
                location: optional_string(file, &format!("{at}.location"), spec.get("location"))?,
                count,
                shared: flag(file, &format!("{at}.shared"), spec.get("shared"))?,
                read_only: flag(file, &format!("{at}.read-only"), spec.get("read-only"))?,
                minimum_size,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(storage: Value) -> Result<IndexMap<String, StorageMeta>> {
        let meta = json!({ "storage": storage });
        parse_storages(Path::new("m"), meta.as_object().unwrap())
    }

    #[test]
    fn counts_follow_the_range_and_default_to_one() {
        let storages = parse(json!({
            "one": {"type": "filesystem"},
            "exact": {"type": "block", "multiple": {"range": "3"}},
            "span": {"type": "filesystem", "multiple": {"range": "2-5"}},
            "open": {"type": "filesystem", "multiple": {"range": "1-"}},
            "plus": {"type": "filesystem", "multiple": {"range": "0+"}},
            "number": {"type": "filesystem", "multiple": {"range": 4}},
            "junk": {"type": "filesystem", "multiple": {"range": "many"}},
        }))
        .unwrap();
        let count = |n: &str| storages[n].count;
        assert!(count("one").is_singular());
        assert_eq!(
            count("exact"),
            StorageCount {
                min: 3,
                max: Some(3)
            }
        );
        assert_eq!(
            count("span"),
            StorageCount {
                min: 2,
                max: Some(5)
            }
        );
        assert_eq!(count("open"), StorageCount { min: 1, max: None });
        assert_eq!(count("plus"), StorageCount { min: 0, max: None });
        assert_eq!(
            count("number"),
            StorageCount {
                min: 4,
                max: Some(4)
            }
        );
        assert_eq!(count("junk"), StorageCount { min: 0, max: None });
        assert_eq!(storages["exact"].kind, StorageKind::Block);
    }

    #[test]
    fn fields_are_read_and_a_bad_type_is_refused() {
        let storages = parse(json!({"data": {
            "type": "filesystem", "location": "/srv/data", "shared": true,
            "read-only": true, "minimum-size": "1G", "description": "the data",
        }}))
        .unwrap();
        let data = &storages["data"];
        assert_eq!(data.location.as_deref(), Some("/srv/data"));
        assert!(data.shared && data.read_only);
        assert_eq!(data.minimum_size.as_deref(), Some("1G"));
        assert_eq!(data.description.as_deref(), Some("the data"));
        let err = parse(json!({"data": {"type": "tape"}})).unwrap_err();
        assert!(err.to_string().contains("storage.data.type"), "{err}");
    }
}
