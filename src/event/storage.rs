//! Storage events: `<storage>_storage_attached` and `<storage>_storage_detaching`, built from
//! the storage instance they are about.

use super::{Event, StorageRef};
use crate::state::Storage;

impl Storage {
    /// `<storage>_storage_attached` for this instance.
    pub fn attached_event(&self) -> Event {
        self.event("attached")
    }

    /// `<storage>_storage_detaching` for this instance.
    pub fn detaching_event(&self) -> Event {
        self.event("detaching")
    }

    fn event(&self, hook: &str) -> Event {
        Event {
            storage: Some(StorageRef {
                name: self.name.clone(),
                index: self.index,
            }),
            ..Event::new(format!("{}_storage_{hook}", self.name.replace('-', "_")))
        }
    }
}

impl From<&StorageRef> for Storage {
    fn from(r: &StorageRef) -> Self {
        Storage::new(&r.name).index(r.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_events_name_the_instance() {
        let s = Storage::new("my-data").index(2);
        let e = s.attached_event();
        assert_eq!(e.name, "my_data_storage_attached");
        assert_eq!(
            e.storage,
            Some(StorageRef {
                name: "my-data".into(),
                index: 2
            })
        );
        assert_eq!(s.detaching_event().name, "my_data_storage_detaching");
        assert_eq!(e.hook_name_for("my-data"), "my-data-storage-attached");
        assert_eq!(s.full_id(), "my-data/2");
    }
}
