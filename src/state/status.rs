//! Unit and application status, as Juju reports them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A workload status: what `status-get` reports and `status-set` sets.
///
/// JSON form: `{"name": "active", "message": "ready"}`. `Unknown` has no message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Status {
    /// The status Juju gives a new unit or application; a charm cannot set it.
    #[default]
    Unknown,
    /// The workload is ready.
    Active(String),
    /// The workload needs a human to act.
    Blocked(String),
    /// The charm is busy with its workload.
    Maintenance(String),
    /// The workload waits for something outside its control.
    Waiting(String),
    /// A hook failed; only Juju sets it.
    Error(String),
}

impl Status {
    /// `Status::Active(message)`.
    pub fn active(message: impl Into<String>) -> Self {
        Status::Active(message.into())
    }
    /// `Status::Blocked(message)`.
    pub fn blocked(message: impl Into<String>) -> Self {
        Status::Blocked(message.into())
    }
    /// `Status::Maintenance(message)`.
    pub fn maintenance(message: impl Into<String>) -> Self {
        Status::Maintenance(message.into())
    }
    /// `Status::Waiting(message)`.
    pub fn waiting(message: impl Into<String>) -> Self {
        Status::Waiting(message.into())
    }
    /// `Status::Error(message)`.
    pub fn error(message: impl Into<String>) -> Self {
        Status::Error(message.into())
    }

    /// Build a status from Juju's name for it (`active`, `blocked`, ...).
    ///
    /// # Errors
    /// Returns the name back if Juju has no such status.
    pub fn from_name(name: &str, message: impl Into<String>) -> Result<Self, String> {
        let message = message.into();
        Ok(match name {
            "unknown" => Status::Unknown,
            "active" => Status::Active(message),
            "blocked" => Status::Blocked(message),
            "maintenance" => Status::Maintenance(message),
            "waiting" => Status::Waiting(message),
            "error" => Status::Error(message),
            other => return Err(other.to_owned()),
        })
    }

    /// Juju's name for this status.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Active(_) => "active",
            Status::Blocked(_) => "blocked",
            Status::Maintenance(_) => "maintenance",
            Status::Waiting(_) => "waiting",
            Status::Error(_) => "error",
        }
    }

    /// The status message (empty for `Unknown`).
    pub fn message(&self) -> &str {
        match self {
            Status::Unknown => "",
            Status::Active(m)
            | Status::Blocked(m)
            | Status::Maintenance(m)
            | Status::Waiting(m)
            | Status::Error(m) => m,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.message() {
            "" => f.write_str(self.name()),
            m => write!(f, "{}: {m}", self.name()),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusJson<'a> {
    name: std::borrow::Cow<'a, str>,
    #[serde(default)]
    message: std::borrow::Cow<'a, str>,
}

impl Serialize for Status {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StatusJson {
            name: self.name().into(),
            message: self.message().into(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = StatusJson::deserialize(d)?;
        Status::from_name(&raw.name, raw.message.into_owned()).map_err(|name| {
            serde::de::Error::custom(format!(
                "unknown status name {name:?}, expected one of unknown, active, blocked, maintenance, waiting, error"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_form_is_name_and_message() {
        let s = serde_json::to_string(&Status::active("ready")).unwrap();
        assert_eq!(s, r#"{"name":"active","message":"ready"}"#);
        let back: Status = serde_json::from_str(&s).unwrap();
        assert_eq!(back, Status::active("ready"));
        let unknown: Status = serde_json::from_str(r#"{"name":"unknown"}"#).unwrap();
        assert_eq!(unknown, Status::Unknown);
    }

    #[test]
    fn bad_status_name_says_what_is_allowed() {
        let err = serde_json::from_str::<Status>(r#"{"name":"happy"}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown status name \"happy\""),
            "{err}"
        );
    }
}
