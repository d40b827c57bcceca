//! `storage-list`, `storage-get` and `storage-add`, the storage event's details (ops 2.x's
//! `_storage_event_details`), and [`StorageRoot`]: where storage instances' filesystems live
//! on the host.
//!
//! Juju's rules: `storage-list` lists the attached instances of a storage; `storage-get`
//! answers only for an attached instance, with its `kind` and `location`; `storage-add`
//! requests new instances, within the counts the metadata allows (`multiple: range:`).
//!
//! Where this differs from Juju: Juju checks a `storage-add` request when the hook's changes
//! are committed (a bad request fails the hook afterwards); here the call itself fails, with
//! Juju's text, so the charm sees where it went wrong. A `block` storage's `location` is a
//! directory, like a `filesystem` one (there is no device to give).

use std::path::PathBuf;
use std::sync::Mutex;

use super::{refused, HookToolError, HookTools};
use crate::charm::StorageKind;
use crate::event::StorageRef;

/// The directories that stand for storage instances' filesystems: `<root>/<name>-<index>`,
/// made on demand under a temporary root that is made on first use and removed (with
/// everything in it) when this is dropped, or under a root the caller owns. Shared by the runs
/// of one Context, so what a charm writes in one run is there in the next and for the test to
/// read.
#[derive(Debug, Default)]
pub(crate) struct StorageRoot {
    root: Mutex<Option<tempfile::TempDir>>,
    /// A root the caller gave (a Python host's own directory), used instead of a temporary one.
    given: Option<PathBuf>,
}

impl StorageRoot {
    /// No directory yet: the root is made when an instance's directory is first asked for.
    pub(crate) fn new() -> Self {
        StorageRoot::default()
    }

    /// Instances' directories under `root`, which the caller owns (it is never removed).
    pub(crate) fn in_dir(root: PathBuf) -> Self {
        StorageRoot {
            root: Mutex::default(),
            given: Some(root),
        }
    }

    /// The directory of instance `index` of storage `name`, made (with the root) if it does
    /// not exist yet.
    pub(crate) fn dir(&self, name: &str, index: u32) -> std::io::Result<PathBuf> {
        if let Some(given) = &self.given {
            let dir = given.join(format!("{name}-{index}"));
            std::fs::create_dir_all(&dir)?;
            return Ok(dir);
        }
        let mut root = self
            .root
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if root.is_none() {
            *root = Some(
                tempfile::Builder::new()
                    .prefix("ops-scenario-storage-")
                    .tempdir()?,
            );
        }
        let dir = root
            .as_ref()
            .expect("the root was just made")
            .path()
            .join(format!("{name}-{index}"));
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }
}

impl HookTools {
    /// `storage-list <name>`: the indices of the attached instances of storage `name`, in
    /// State order (none for a storage the charm does not declare, as in Juju).
    pub fn storage_list(&self, name: &str) -> Vec<u32> {
        self.state
            .storages
            .iter()
            .filter(|s| s.name == name)
            .map(|s| s.index)
            .collect()
    }

    /// `storage-get -s <name/index> <attribute>`: `location` (the instance's directory under
    /// `root`, made now if it does not exist) or `kind` (`filesystem` or `block`).
    ///
    /// # Errors
    /// `OpsRefused` for an empty attribute (ops' own check); `Refused` with Juju's text for an
    /// id that is not `<name>/<index>`, an instance that is not attached (not in the State), an
    /// unknown attribute; `Refused` too if the directory cannot be made.
    pub fn storage_get(
        &self,
        root: &StorageRoot,
        name_index: &str,
        attribute: &str,
    ) -> Result<String, HookToolError> {
        if attribute.is_empty() {
            return Err(HookToolError::OpsRefused(
                "calling storage_get with `attribute=\"\"` will return a dict and not a string. \
                 This usage is not supported."
                    .into(),
            ));
        }
        let parsed = name_index
            .split_once('/')
            .and_then(|(name, index)| Some((name, index.parse::<u32>().ok()?)))
            .filter(|(name, _)| !name.is_empty());
        let Some((name, index)) = parsed else {
            return Err(refused(format!(
                "invalid value \"{name_index}\" for option -s: invalid storage ID \"{name_index}\""
            )));
        };
        if !self
            .state
            .storages
            .iter()
            .any(|s| s.name == name && s.index == index)
        {
            return Err(refused(format!(
                "invalid value \"{name_index}\" for option -s: storage not found"
            )));
        }
        match attribute {
            "location" => root
                .dir(name, index)
                .map(|dir| dir.to_string_lossy().into_owned())
                .map_err(|e| {
                    refused(format!(
                        "cannot make the directory of storage {name_index}: {e}"
                    ))
                }),
            // A storage the metadata does not declare cannot be attached; Juju's default
            // kind is a filesystem.
            "kind" => Ok(self
                .meta
                .storages
                .get(name)
                .map_or(StorageKind::Filesystem, |s| s.kind)
                .as_str()
                .to_owned()),
            other => Err(refused(format!("invalid storage attribute \"{other}\""))),
        }
    }

    /// `storage-add <name>=<count>`: request `count` more instances of storage `name`,
    /// recorded in `output.requested_storages` (requests for the same storage add up). A
    /// count of 0 requests nothing.
    ///
    /// # Errors
    /// `Refused` with Juju's text for a storage the metadata does not declare, and for a
    /// request that takes the storage (attached instances plus those already requested in
    /// this run) past the count its metadata allows.
    pub fn storage_add(&mut self, name: &str, count: u32) -> Result<(), HookToolError> {
        let Some(limits) = self.meta.storages.get(name).map(|s| s.count) else {
            return Err(refused(format!("charm storage \"{name}\" not found")));
        };
        if count == 0 {
            return Ok(());
        }
        let attached = self.storage_list(name).len() as u64;
        let requested = u64::from(*self.output.requested_storages.get(name).unwrap_or(&0));
        let total = attached + requested + u64::from(count);
        let plural = if count == 1 { "" } else { "s" };
        if limits.is_singular() && total != 1 {
            return Err(refused("cannot attach, storage is singular"));
        }
        if total < u64::from(limits.min) {
            return Err(refused(format!(
                "attaching {count} storage instance{plural} brings the total to {total}, which is less than the minimum of {}",
                limits.min
            )));
        }
        if let Some(max) = limits.max.filter(|max| total > u64::from(*max)) {
            return Err(refused(format!(
                "attaching {count} storage instance{plural} brings the total to {total}, exceeding the maximum of {max}"
            )));
        }
        let entry = self
            .output
            .requested_storages
            .entry(name.to_owned())
            .or_insert(0);
        *entry = entry.saturating_add(count);
        Ok(())
    }

    /// ops 2.x's `_storage_event_details()` for a storage event about `storage`: the
    /// instance's index and its `location` (ops 3.x reads the index from `JUJU_STORAGE_ID` and
    /// calls [`storage_get`](Self::storage_get) instead).
    ///
    /// # Errors
    /// `OpsRefused` with ops' text when the event is about no storage; otherwise as
    /// [`storage_get`](Self::storage_get).
    pub fn storage_event_details(
        &self,
        root: &StorageRoot,
        storage: Option<&StorageRef>,
    ) -> Result<(u32, String), HookToolError> {
        let Some(storage) = storage else {
            return Err(HookToolError::OpsRefused(
                "unable to find storage key in ''".into(),
            ));
        };
        let id = format!("{}/{}", storage.name, storage.index);
        Ok((storage.index, self.storage_get(root, &id, "location")?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::*;
    use crate::state::{State, Storage};

    fn meta() -> serde_json::Value {
        serde_json::json!({
            "name": "demo",
            "storage": {
                "data": {"type": "filesystem", "multiple": {"range": "1-3"}},
                "cache": {"type": "filesystem"},
                "raw": {"type": "block", "multiple": {"range": "0+"}},
                "logs": {"type": "filesystem", "multiple": {"range": 2}},
            },
        })
    }

    fn tools(storages: Vec<Storage>) -> HookTools {
        tools_with(meta(), None, State::default().storages(storages))
    }

    #[test]
    fn list_gives_the_attached_indices_of_one_storage() {
        let t = tools(vec![
            Storage::new("data"),
            Storage::new("cache"),
            Storage::new("data").index(2),
        ]);
        assert_eq!(t.storage_list("data"), [0, 2]);
        assert_eq!(t.storage_list("cache"), [0]);
        assert!(t.storage_list("raw").is_empty());
        assert!(t.storage_list("undeclared").is_empty());
    }

    #[test]
    fn location_is_a_directory_made_on_demand_and_kept() {
        let t = tools(vec![Storage::new("data"), Storage::new("raw").index(4)]);
        let root = StorageRoot::new();
        let location = t.storage_get(&root, "data/0", "location").unwrap();
        let dir = PathBuf::from(&location);
        assert!(dir.is_dir());
        assert!(location.ends_with("data-0"), "{location}");
        std::fs::write(dir.join("f"), "x").unwrap();
        // Asking again gives the same directory, with what was written in it.
        assert_eq!(
            t.storage_get(&root, "data/0", "location").unwrap(),
            location
        );
        assert_eq!(root.dir("data", 0).unwrap(), dir);
        assert_eq!(std::fs::read_to_string(dir.join("f")).unwrap(), "x");
        assert_eq!(t.storage_get(&root, "raw/4", "kind").unwrap(), "block");
        assert_eq!(
            t.storage_get(&root, "data/0", "kind").unwrap(),
            "filesystem"
        );
        let other = t.storage_get(&root, "raw/4", "location").unwrap();
        assert_eq!(PathBuf::from(other).parent(), dir.parent());
        // Dropping the root removes everything.
        let parent = dir.parent().unwrap().to_owned();
        drop(root);
        assert!(!parent.exists());
    }

    #[test]
    fn get_refuses_what_juju_refuses() {
        let t = tools(vec![Storage::new("data")]);
        let root = StorageRoot::new();
        assert_eq!(
            t.storage_get(&root, "data/1", "location").unwrap_err(),
            HookToolError::Refused(
                "invalid value \"data/1\" for option -s: storage not found".into()
            )
        );
        assert!(matches!(
            t.storage_get(&root, "data", "location"),
            Err(HookToolError::Refused(m)) if m.contains("invalid storage ID")
        ));
        assert_eq!(
            t.storage_get(&root, "data/0", "size").unwrap_err(),
            HookToolError::Refused("invalid storage attribute \"size\"".into())
        );
        assert!(matches!(
            t.storage_get(&root, "data/0", ""),
            Err(HookToolError::OpsRefused(_))
        ));
        // Nothing was made for refused calls.
        assert!(root.root.lock().unwrap().is_none());
    }

    #[test]
    fn add_is_recorded_and_summed_within_the_metadata_counts() {
        let mut t = tools(vec![Storage::new("data"), Storage::new("cache")]);
        t.storage_add("data", 1).unwrap();
        t.storage_add("data", 1).unwrap();
        assert_eq!(t.output.requested_storages["data"], 2);
        // 1 attached + 2 requested + 1 is past the maximum of 3.
        assert_eq!(
            t.storage_add("data", 1).unwrap_err(),
            HookToolError::Refused(
                "attaching 1 storage instance brings the total to 4, exceeding the maximum of 3"
                    .into()
            )
        );
        assert_eq!(t.output.requested_storages["data"], 2);
        t.storage_add("raw", 40).unwrap();
        assert_eq!(t.output.requested_storages["raw"], 40);
        assert_eq!(
            t.storage_add("cache", 1).unwrap_err(),
            HookToolError::Refused("cannot attach, storage is singular".into())
        );
        // A singular storage that is not attached yet can get its one instance.
        let mut fresh = tools(vec![]);
        fresh.storage_add("cache", 1).unwrap();
        let err = fresh.storage_add("logs", 1).unwrap_err();
        assert!(
            err.to_string().contains("less than the minimum of 2"),
            "{err}"
        );
        assert_eq!(
            t.storage_add("nope", 1).unwrap_err(),
            HookToolError::Refused("charm storage \"nope\" not found".into())
        );
        let err = t.storage_add("logs", 3).unwrap_err();
        assert!(err.to_string().contains("3 storage instances"), "{err}");
        t.storage_add("cache", 0).unwrap();
        assert!(!t.output.requested_storages.contains_key("cache"));
    }

    #[test]
    fn event_details_name_the_events_instance() {
        let t = tools(vec![Storage::new("data").index(1)]);
        let root = StorageRoot::new();
        let event = Storage::new("data").index(1).attached_event();
        let (index, location) = t
            .storage_event_details(&root, event.storage.as_ref())
            .unwrap();
        assert_eq!(index, 1);
        assert!(location.ends_with("data-1"));
        assert!(matches!(
            t.storage_event_details(&root, None),
            Err(HookToolError::OpsRefused(_))
        ));
    }
}
