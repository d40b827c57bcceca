//! Juju secrets, as the unit sees them: owned (by this unit or application) or observed
//! (granted to this application), with their tracked and latest revisions.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// Who owns a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretOwner {
    /// This unit.
    Unit,
    /// This application (managed by its leader).
    App,
}

/// How often an owned secret should be rotated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretRotate {
    /// Never.
    Never,
    /// Every hour.
    Hourly,
    /// Every day.
    Daily,
    /// Every week.
    Weekly,
    /// Every month.
    Monthly,
    /// Every quarter.
    Quarterly,
    /// Every year.
    Yearly,
}

/// Secret content: string keys to string values.
pub type SecretContent = BTreeMap<String, String>;

/// A secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// The secret id: `secret:` followed by 20 characters of `[0-9a-v]`.
    pub id: String,
    /// The owner; `None` for a secret this application observes (was granted).
    #[serde(default)]
    pub owner: Option<SecretOwner>,
    /// The secret's label, as this unit knows it.
    #[serde(default)]
    pub label: Option<String>,
    /// The content of the revision this unit tracks.
    pub tracked_content: SecretContent,
    /// The content of the latest revision. Defaults to the tracked content.
    #[serde(default)]
    pub latest_content: Option<SecretContent>,
    /// The revision this unit tracks. Defaults to 1.
    #[serde(default = "one")]
    pub tracked_revision: u32,
    /// The latest revision. Defaults to 1, or 2 when the latest content differs.
    #[serde(default)]
    pub latest_revision: Option<u32>,
    /// The description (owner metadata).
    #[serde(default)]
    pub description: Option<String>,
    /// When it expires (ISO 8601 with a zone).
    #[serde(default)]
    pub expire: Option<String>,
    /// The rotation policy.
    #[serde(default)]
    pub rotate: Option<SecretRotate>,
    /// Grants by relation id: the application or unit names granted access.
    #[serde(default)]
    pub remote_grants: BTreeMap<u32, BTreeSet<String>>,
}

fn one() -> u32 {
    1
}
