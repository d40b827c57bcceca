//! Deferred events and stored state: what ops keeps in the unit's state database,
//! `<charm dir>/.unit-state.db`.
//!
//! ops' default store (ops.storage.SQLiteStorage) is a SQLite file with two tables:
//! `snapshot(handle TEXT PRIMARY KEY, data BLOB)`, each `data` a pickle of a dict, and
//! `notice(sequence INTEGER PRIMARY KEY AUTOINCREMENT, event_path TEXT, observer_path TEXT,
//! method_name TEXT)`, the queue of deferred events in the order ops re-emits them. A
//! `StoredState` is the snapshot at `<owner path>/StoredStateData[<name>]` (the framework's
//! own at `StoredStateData[_stored]`); a deferred event is a notice plus the snapshot at its
//! event path. (Only charms that opt into the deprecated `JujuStorage` keep this in Juju's
//! `state-get` instead; those are not read.)
//!
//! The file is read from inside the unit with `juju exec --unit <unit> -- base64 -w0
//! <charm dir>/.unit-state.db`: `juju exec` runs as root in the unit's hook context (the
//! file is mode 0600), holding the unit's hook lock, so no hook is writing it meanwhile. The
//! copy is read here with SQLite (rusqlite) and the pickles with a small reader of their
//! data opcodes ([`pickle`](super::pickle)).

use base64::Engine as _;

use super::pickle;
use super::runner::Juju;
use crate::error::{Error, Result};
use crate::state::{DeferredEvent, StoredState, StoredValue};

/// Where Juju puts a unit's charm, on machines and in a Kubernetes unit's charm container.
pub(crate) fn charm_dir(unit: &str) -> String {
    format!("/var/lib/juju/agents/unit-{}/charm", unit.replace('/', "-"))
}

/// What the unit's store holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct UnitState {
    pub(crate) stored_states: Vec<StoredState>,
    pub(crate) deferred: Vec<DeferredEvent>,
}

/// Copy the unit's state database out of the unit and read it.
///
/// # Errors
/// [`Error::Juju`] when the copy fails or is not ops' database.
pub(crate) fn gather(juju: &Juju, unit: &str, warnings: &mut Vec<String>) -> Result<UnitState> {
    let path = format!("{}/.unit-state.db", charm_dir(unit));
    let command = ["base64", "-w0", path.as_str()];
    let line = || {
        juju.line(
            "exec",
            &[
                "--format", "json", "--unit", unit, "--", "base64", "-w0", &path,
            ],
        )
    };
    let encoded = match juju.exec(unit, &command) {
        Ok(encoded) => encoded,
        Err(Error::Juju { message, .. }) if message.contains("No such file") => {
            warnings.push(format!(
                "{unit} has no {path} (ops has not run there yet): no deferred events or stored state"
            ));
            return Ok(UnitState::default());
        }
        Err(e) => return Err(e),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.split_whitespace().collect::<String>())
        .map_err(|e| Error::Juju {
            command: line(),
            message: format!("printed base64 that cannot be decoded: {e}"),
        })?;
    read(&bytes).map_err(|message| Error::Juju {
        command: line(),
        message: format!("printed a database that cannot be read as ops' unit state: {message}"),
    })
}

/// Read ops' unit-state database from its bytes.
///
/// # Errors
/// What is wrong with it.
pub(crate) fn read(bytes: &[u8]) -> Result<UnitState, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("creating a temporary directory: {e}"))?;
    let file = dir.path().join("unit-state.db");
    std::fs::write(&file, bytes).map_err(|e| format!("writing {}: {e}", file.display()))?;
    let db = rusqlite::Connection::open_with_flags(
        &file,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .and_then(|mut s| {
            s.query_map([], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| e.to_string())?;
    let mut snapshots: Vec<(String, StoredValue)> = Vec::new();
    if tables.iter().any(|t| t == "snapshot") {
        let rows: Vec<(String, Vec<u8>)> = db
            .prepare("SELECT handle, data FROM snapshot ORDER BY handle")
            .and_then(|mut s| {
                s.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(|e| e.to_string())?;
        for (handle, data) in rows {
            let value = pickle::loads(&data).map_err(|e| format!("snapshot {handle:?}: {e}"))?;
            snapshots.push((handle, value));
        }
    }
    let mut notices: Vec<(String, String, String)> = Vec::new();
    if tables.iter().any(|t| t == "notice") {
        notices = db
            .prepare("SELECT event_path, observer_path, method_name FROM notice ORDER BY sequence")
            .and_then(|mut s| {
                s.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(|e| e.to_string())?;
    }
    let mut state = UnitState::default();
    for (handle, value) in &snapshots {
        let Some((owner_path, name)) = stored_state_handle(handle) else {
            continue;
        };
        let StoredValue::Dict(content) = value else {
            return Err(format!(
                "snapshot {handle:?} is a {}, not a dict",
                value.type_name()
            ));
        };
        state.stored_states.push(StoredState {
            owner_path,
            name,
            content: content.clone(),
        });
    }
    for (event_path, observer_path, method_name) in notices {
        let snapshot = snapshots
            .iter()
            .find(|(handle, _)| *handle == event_path)
            .map(|(_, value)| value);
        let mut deferred = DeferredEvent::new(&event_path, observer_path, method_name);
        match snapshot {
            Some(StoredValue::Dict(data)) => deferred.snapshot_data = data.clone(),
            Some(other) => {
                return Err(format!(
                    "the snapshot of deferred event {event_path:?} is a {}, not a dict",
                    other.type_name()
                ))
            }
            None => {}
        }
        state.deferred.push(deferred);
    }
    Ok(state)
}

/// `MyCharm/StoredStateData[_stored]` as `(Some("MyCharm"), "_stored")`;
/// `StoredStateData[_stored]` (the framework's) as `(None, "_stored")`.
fn stored_state_handle(handle: &str) -> Option<(Option<String>, String)> {
    let (owner, last) = match handle.rsplit_once('/') {
        Some((owner, last)) => (Some(owner.to_owned()), last),
        None => (None, handle),
    };
    let name = last.strip_prefix("StoredStateData[")?.strip_suffix(']')?;
    Some((owner, name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;
    use crate::state::stored_dict;

    /// A database as ops writes it: its two tables, a StoredState, the framework's counter
    /// and one deferred event (pickles made with `pickle.dumps(..., protocol=4)`).
    fn database() -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("db");
        let db = rusqlite::Connection::open(&file).unwrap();
        db.execute_batch(
            "CREATE TABLE snapshot (handle TEXT PRIMARY KEY, data BLOB);
             CREATE TABLE notice (sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                                  event_path TEXT, observer_path TEXT, method_name TEXT);",
        )
        .unwrap();
        let event_count: &[u8] =
            b"\x80\x04\x95\x14\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x0bevent_count\x94K\x05s.";
        let empty: &[u8] = b"\x80\x04}\x94.";
        let counter: &[u8] =
            b"\x80\x04\x95\x0e\x00\x00\x00\x00\x00\x00\x00}\x94\x8c\x05count\x94K\x03s.";
        for (handle, data) in [
            ("StoredStateData[_stored]", event_count),
            ("MyCharm/StoredStateData[_stored]", counter),
            ("MyCharm/on/start[4]", empty),
        ] {
            db.execute(
                "INSERT INTO snapshot (handle, data) VALUES (?1, ?2)",
                (handle, data),
            )
            .unwrap();
        }
        db.execute(
            "INSERT INTO notice (event_path, observer_path, method_name) VALUES (?1, ?2, ?3)",
            ("MyCharm/on/start[4]", "MyCharm", "_on_start"),
        )
        .unwrap();
        drop(db);
        std::fs::read(&file).unwrap()
    }

    #[test]
    fn stored_states_and_deferred_events_are_read_from_the_database() {
        let encoded = base64::engine::general_purpose::STANDARD.encode(database());
        let fake = FakeJuju::new().exec(
            "my/0",
            "base64 -w0 /var/lib/juju/agents/unit-my-0/charm/.unit-state.db",
            &encoded,
        );
        let got = gather(&Juju::new(&fake, None), "my/0", &mut Vec::new()).unwrap();
        assert_eq!(
            got.stored_states,
            [
                StoredState::new("MyCharm").content([("count", 3)]),
                StoredState::framework(5),
            ]
        );
        assert_eq!(
            got.deferred,
            [DeferredEvent::new(
                "MyCharm/on/start[4]",
                "MyCharm",
                "_on_start"
            )]
        );
        assert_eq!(got.deferred[0].snapshot_data, stored_dict::<&str, i64>([]));
    }

    #[test]
    fn a_unit_without_a_database_has_nothing_stored() {
        let fake = FakeJuju::new().exec_fails(
            "my/0",
            "base64 -w0 /var/lib/juju/agents/unit-my-0/charm/.unit-state.db",
            "base64: /var/lib/juju/agents/unit-my-0/charm/.unit-state.db: No such file or directory\n",
        );
        let mut warnings = Vec::new();
        let got = gather(&Juju::new(&fake, None), "my/0", &mut warnings).unwrap();
        assert_eq!(got, UnitState::default());
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn what_is_not_a_database_is_refused() {
        let err = read(b"not a database at all, just text that goes on").unwrap_err();
        assert!(err.contains("not a database"), "{err}");
    }
}
