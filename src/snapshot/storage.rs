//! The unit's storage instances: `storage-list --format json`, run in the unit with
//! `juju exec`, when the charm's metadata declares storage.
//!
//! Shape (internal/worker/uniter/runner/jujuc/storage-list.go): the ids of the storage
//! instances attached to the unit, `["data/0", "cache/4"]` (`[]` with none). An id's number
//! is the model's storage instance number, not a count per unit, so it is kept as the index.

use super::runner::Juju;
use crate::error::{Error, Result};
use crate::state::Storage;

/// The unit's storage instances, ordered by name and index.
///
/// # Errors
/// [`Error::Juju`] when `storage-list` fails in the unit or prints something that is not a
/// list of storage instance ids.
pub(crate) fn gather(juju: &Juju, unit: &str) -> Result<Vec<Storage>> {
    const COMMAND: [&str; 3] = ["storage-list", "--format", "json"];
    let ids: Option<Vec<String>> = juju.exec_json(unit, &COMMAND)?;
    let mut storages = Vec::new();
    for id in ids.unwrap_or_default() {
        storages.push(parse(&id).ok_or_else(|| {
            let mut args = vec!["--format", "json", "--unit", unit, "--"];
            args.extend_from_slice(&COMMAND);
            Error::Juju {
                command: juju.line("exec", &args),
                message: format!(
                    "printed {id:?}, which is not a storage instance id (<name>/<number>)"
                ),
            }
        })?);
    }
    storages.sort_by(|a, b| (&a.name, a.index).cmp(&(&b.name, b.index)));
    Ok(storages)
}

/// `data/3` as storage `data`, instance 3.
fn parse(id: &str) -> Option<Storage> {
    let (name, index) = id.rsplit_once('/')?;
    let index = index.parse().ok()?;
    (!name.is_empty()).then(|| Storage::new(name).index(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_name_and_the_model_s_instance_number() {
        assert_eq!(parse("data/3"), Some(Storage::new("data").index(3)));
        assert_eq!(
            parse("my-cache/12"),
            Some(Storage::new("my-cache").index(12))
        );
        for bad in ["data", "data/", "/0", "data/x", "data/-1"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
