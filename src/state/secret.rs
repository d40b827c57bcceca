//! Juju secrets, as the unit sees them: owned (by this unit or application) or observed
//! (granted to this application), with their tracked and latest revisions.
//!
//! Ids are deterministic. A secret built without one ([`Secret::new`], or JSON without
//! `"id"`) gets `secret:` followed by 20 characters of `[0-9a-v]` (Juju's alphabet) derived
//! from its tracked content; a secret the charm adds gets one derived from the model uuid and
//! the number of secrets already in the State, drawn as the simulated Juju version draws ids
//! (see the `secret_add` rule). Give ids
//! explicitly when two secrets have the same content.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::State;
use crate::error::{Error, Result};

/// Who owns a secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum SecretOwner {
    /// This unit.
    Unit,
    /// This application (managed by its leader).
    App,
}

/// How often an owned secret should be rotated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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

impl SecretRotate {
    const ALL: [SecretRotate; 7] = [
        SecretRotate::Never,
        SecretRotate::Hourly,
        SecretRotate::Daily,
        SecretRotate::Weekly,
        SecretRotate::Monthly,
        SecretRotate::Quarterly,
        SecretRotate::Yearly,
    ];

    /// The policy as Juju and ops write it (`ops.SecretRotate(...).value`): `"daily"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretRotate::Never => "never",
            SecretRotate::Hourly => "hourly",
            SecretRotate::Daily => "daily",
            SecretRotate::Weekly => "weekly",
            SecretRotate::Monthly => "monthly",
            SecretRotate::Quarterly => "quarterly",
            SecretRotate::Yearly => "yearly",
        }
    }

    /// The policy named `text` (`"daily"`), if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        SecretRotate::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Secret content: string keys to string values.
pub type SecretContent = BTreeMap<String, String>;

/// A secret this unit owns or observes.
///
/// JSON form: `{"id": "secret:0123456789abcdefghij", "owner": "app", "label": "creds",
/// "tracked_content": {"password": "x"}, "latest_content": {"password": "y"},
/// "tracked_revision": 1, "latest_revision": 2, "description": null, "expire": null,
/// "rotate": null, "remote_grants": {"1": ["postgresql"]}}`; everything but
/// `tracked_content` may be left out. The output State always writes every field.
///
/// ```
/// # use ops_scenario::{Secret, SecretOwner, State};
/// let observed = Secret::new([("password", "old")]).latest_content([("password", "new")]);
/// assert_eq!((observed.tracked_revision, observed.latest_revision), (1, 2));
/// let owned = Secret::new([("token", "t")]).owner(SecretOwner::App).label("api");
/// let state = State::default().leader(true).secrets([observed.clone(), owned]);
/// assert_eq!(state.secret(&observed.id)?.tracked_content["password"], "old");
/// assert!(state.secret_by_label("api")?.owner.is_some());
/// let event = observed.changed_event();
/// assert_eq!(event.name, "secret_changed");
/// # Ok::<(), ops_scenario::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(from = "SecretJson")]
pub struct Secret {
    /// The secret id: `secret:` followed by 20 characters of `[0-9a-v]` (or, for a secret of
    /// another model, `secret://<model uuid>/<20 characters>`). Defaults to one derived from
    /// the tracked content (see the module docs).
    pub id: String,
    /// The owner; `None` for a secret this application observes (was granted). Defaults to
    /// `None`.
    pub owner: Option<SecretOwner>,
    /// The secret's label, as this unit knows it. Defaults to none.
    pub label: Option<String>,
    /// The content of the revision this unit tracks.
    pub tracked_content: SecretContent,
    /// The content of the latest revision. Defaults to the tracked content.
    pub latest_content: SecretContent,
    /// The revision this unit tracks. Defaults to 1.
    pub tracked_revision: u32,
    /// The latest revision. Defaults to the tracked revision, or the one after it when the
    /// latest content differs (so 1, or 2).
    pub latest_revision: u32,
    /// The description (owner metadata). Defaults to none.
    pub description: Option<String>,
    /// When it expires (ISO 8601 with a zone). Defaults to never.
    pub expire: Option<String>,
    /// The rotation policy. Defaults to none (Juju's "never").
    pub rotate: Option<SecretRotate>,
    /// Grants by relation id: the application or unit names granted access. Defaults to none.
    pub remote_grants: BTreeMap<u32, BTreeSet<String>>,
}

/// The JSON form, with its defaults.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct SecretJson {
    /// The secret id: `secret:` followed by 20 characters of `[0-9a-v]`, or
    /// `secret://<model uuid>/<20 characters>` for a secret of another model. Defaults to one
    /// derived from the tracked content.
    #[serde(default)]
    id: Option<String>,
    /// `unit` or `app`; none for a secret this application observes (was granted). Defaults
    /// to none.
    #[serde(default)]
    owner: Option<SecretOwner>,
    /// The secret's label, as this unit knows it. Defaults to none.
    #[serde(default)]
    label: Option<String>,
    /// The content of the revision this unit tracks.
    tracked_content: SecretContent,
    /// The content of the latest revision. Defaults to the tracked content.
    #[serde(default)]
    latest_content: Option<SecretContent>,
    /// The revision this unit tracks. Defaults to 1.
    #[serde(default)]
    tracked_revision: Option<u32>,
    /// The latest revision. Defaults to the tracked revision, or the one after it when the
    /// latest content differs.
    #[serde(default)]
    latest_revision: Option<u32>,
    /// The description (owner metadata). Defaults to none.
    #[serde(default)]
    description: Option<String>,
    /// When it expires (ISO 8601 with a zone). Defaults to never.
    #[serde(default)]
    expire: Option<String>,
    /// The rotation policy. Defaults to none (Juju's "never").
    #[serde(default)]
    rotate: Option<SecretRotate>,
    /// Grants by relation id: the application or unit names granted access. Defaults to
    /// none.
    #[serde(default)]
    remote_grants: BTreeMap<u32, BTreeSet<String>>,
}

impl From<SecretJson> for Secret {
    fn from(json: SecretJson) -> Self {
        let mut secret = Secret::new(json.tracked_content);
        if let Some(latest) = json.latest_content {
            secret = secret.latest_content(latest);
        }
        if let Some(tracked) = json.tracked_revision {
            secret = secret.tracked_revision(tracked);
        }
        if let Some(latest) = json.latest_revision {
            secret.latest_revision = latest;
        }
        Secret {
            id: json.id.unwrap_or(secret.id),
            owner: json.owner,
            label: json.label,
            description: json.description,
            expire: json.expire,
            rotate: json.rotate,
            remote_grants: json.remote_grants,
            ..secret
        }
    }
}

impl Secret {
    /// An observed secret (no owner) whose tracked and latest revision (1) has this content,
    /// with an id derived from the content.
    pub fn new<K: Into<String>, V: Into<String>>(
        tracked_content: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let content: SecretContent = tracked_content
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Secret {
            id: content_id(&content),
            owner: None,
            label: None,
            latest_content: content.clone(),
            tracked_content: content,
            tracked_revision: 1,
            latest_revision: 1,
            description: None,
            expire: None,
            rotate: None,
            remote_grants: BTreeMap::new(),
        }
    }

    /// Set the id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    /// Set the owner.
    pub fn owner(mut self, owner: SecretOwner) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Set the label.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Set the latest revision's content. The latest revision becomes the one after the
    /// tracked revision when the content differs, the tracked revision when it does not
    /// (set [`latest_revision`](Self::latest_revision) afterwards for another).
    pub fn latest_content<K: Into<String>, V: Into<String>>(
        mut self,
        content: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.latest_content = content
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self.latest_revision = if self.latest_content == self.tracked_content {
            self.tracked_revision
        } else {
            self.tracked_revision + 1
        };
        self
    }

    /// Set the tracked revision; the latest revision moves with it, keeping its distance.
    pub fn tracked_revision(mut self, revision: u32) -> Self {
        let ahead = self.latest_revision.saturating_sub(self.tracked_revision);
        self.tracked_revision = revision;
        self.latest_revision = revision.saturating_add(ahead);
        self
    }

    /// Set the latest revision.
    pub fn latest_revision(mut self, revision: u32) -> Self {
        self.latest_revision = revision;
        self
    }

    /// Set the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Set the expiry time, ISO 8601 with a zone: `"2026-11-25T12:00:00+00:00"`.
    pub fn expire(mut self, expire: impl Into<String>) -> Self {
        self.expire = Some(expire.into());
        self
    }

    /// Set the rotation policy.
    pub fn rotate(mut self, rotate: SecretRotate) -> Self {
        self.rotate = Some(rotate);
        self
    }

    /// Record a grant on relation `relation_id` to these applications or units (added to the
    /// grants already on that relation).
    pub fn remote_grants<S: Into<String>>(
        mut self,
        relation_id: u32,
        grantees: impl IntoIterator<Item = S>,
    ) -> Self {
        self.remote_grants
            .entry(relation_id)
            .or_default()
            .extend(grantees.into_iter().map(Into::into));
        self
    }

    /// Whether this unit (or its application) owns the secret.
    pub fn is_owned(&self) -> bool {
        self.owner.is_some()
    }

    /// The 20-character unique part of the id (`secret:<this>`), if the id is well formed.
    pub fn unique_identifier(&self) -> Option<&str> {
        parse_secret_id(&self.id).map(|(_, unique)| unique)
    }

    /// `(model uuid if given, unique id)` of a secret id in any form: `secret:<id>`,
    /// `secret://<uuid>/<id>`, or `<id>`. `None` unless the unique id is 20 characters of
    /// `[0-9a-z]` (Juju's parser) and a given uuid is non-empty.
    pub(crate) fn parse_id(id: &str) -> Option<(Option<&str>, &str)> {
        parse_secret_id(id)
    }

    /// Whether `id` names this secret in a model with this uuid, in any of the forms ops and
    /// Juju write: `secret:<id>`, `secret://<model uuid>/<id>` or the bare `<id>`.
    pub(crate) fn has_id(&self, id: &str, model_uuid: &str) -> bool {
        same_secret_id(&self.id, id, model_uuid)
    }
}

impl State {
    /// Add secrets.
    pub fn secrets(mut self, secrets: impl IntoIterator<Item = Secret>) -> Self {
        self.secrets.extend(secrets);
        self
    }

    /// The secret with this id, in any form Juju and ops write it (`secret:<id>`,
    /// `secret://<model uuid>/<id>`, `<id>`).
    ///
    /// # Errors
    /// [`Error::NotFound`] if the State has no such secret.
    pub fn secret(&self, id: &str) -> Result<&Secret> {
        self.secrets
            .iter()
            .find(|s| s.has_id(id, &self.model.uuid))
            .ok_or_else(|| Error::NotFound {
                what: format!("secret {id:?}"),
            })
    }

    /// The secret with this label; an owned secret wins over an observed one, as in Juju.
    ///
    /// # Errors
    /// [`Error::NotFound`] if no secret in the State has this label.
    pub fn secret_by_label(&self, label: &str) -> Result<&Secret> {
        self.secret_index_by_label(label, false)
            .map(|i| &self.secrets[i])
            .ok_or_else(|| Error::NotFound {
                what: format!("secret labelled {label:?}"),
            })
    }

    /// The index of the secret with this id.
    pub(crate) fn secret_index(&self, id: &str) -> Option<usize> {
        self.secrets
            .iter()
            .position(|s| s.has_id(id, &self.model.uuid))
    }

    /// The index of the secret with this label, owned ones first; only owned ones if asked.
    pub(crate) fn secret_index_by_label(&self, label: &str, owned_only: bool) -> Option<usize> {
        let labelled = |s: &Secret| s.label.as_deref() == Some(label);
        self.secrets
            .iter()
            .position(|s| s.is_owned() && labelled(s))
            .or_else(|| {
                (!owned_only)
                    .then(|| {
                        self.secrets
                            .iter()
                            .position(|s| !s.is_owned() && labelled(s))
                    })
                    .flatten()
            })
    }
}

/// Juju's alphabet for secret ids (base32hex, lower case).
const ID_ALPHABET: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";

fn parse_secret_id(id: &str) -> Option<(Option<&str>, &str)> {
    let id = id.trim();
    let (model, unique) = match id.strip_prefix("secret://") {
        Some(rest) => {
            let (model, unique) = rest.rsplit_once('/')?;
            if model.is_empty() || model.contains('/') {
                return None;
            }
            (Some(model), unique)
        }
        None => (None, id.strip_prefix("secret:").unwrap_or(id)),
    };
    let well_formed = unique.len() == 20
        && unique
            .bytes()
            .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    well_formed.then_some((model, unique))
}

/// Whether two ids name the same secret, seen from the model with this uuid. Ids that do not
/// parse are compared as written (after ops' canonicalisation of a bare id).
fn same_secret_id(a: &str, b: &str, model_uuid: &str) -> bool {
    let key = |id: &str| match parse_secret_id(id) {
        Some((model, unique)) => (model.unwrap_or(model_uuid).to_owned(), unique.to_owned()),
        None => {
            let id = id.trim();
            let bare = id
                .strip_prefix(&format!("secret://{model_uuid}/"))
                .or_else(|| id.strip_prefix("secret:"))
                .unwrap_or(id);
            (model_uuid.to_owned(), bare.to_owned())
        }
    };
    key(a) == key(b)
}

fn derived_secret_id(seed: &[u8]) -> String {
    let fnv = |offset: u64| {
        seed.iter().fold(offset, |hash, byte| {
            (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
        })
    };
    let bits =
        (u128::from(fnv(0xcbf2_9ce4_8422_2325)) << 64) | u128::from(fnv(0x6c62_272e_07bb_0142));
    let unique: String = (0..20)
        .map(|i| ID_ALPHABET[((bits >> (123 - 5 * i)) & 0x1f) as usize] as char)
        .collect();
    format!("secret:{unique}")
}

/// The default id of a secret built without one: derived from its tracked content.
fn content_id(content: &SecretContent) -> String {
    let mut seed = b"secret\0".to_vec();
    for (key, value) in content {
        seed.extend_from_slice(key.as_bytes());
        seed.push(0);
        seed.extend_from_slice(value.as_bytes());
        seed.push(0);
    }
    derived_secret_id(&seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_describe_one_revision_unless_the_latest_content_differs() {
        let s = Secret::new([("a", "1")]);
        assert_eq!((s.tracked_revision, s.latest_revision), (1, 1));
        assert_eq!(s.latest_content, s.tracked_content);
        let s = s.latest_content([("a", "2")]);
        assert_eq!((s.tracked_revision, s.latest_revision), (1, 2));
        let s = s.tracked_revision(4);
        assert_eq!((s.tracked_revision, s.latest_revision), (4, 5));
        let same = Secret::new([("a", "1")]).latest_content([("a", "1")]);
        assert_eq!(same.latest_revision, 1);
    }

    #[test]
    fn ids_are_derived_from_the_content_and_well_formed() {
        let a = Secret::new([("a", "1")]);
        assert_eq!(a.id, Secret::new([("a", "1")]).id);
        assert_ne!(a.id, Secret::new([("a", "2")]).id);
        let unique = a.unique_identifier().unwrap();
        assert_eq!(unique.len(), 20);
        assert!(unique.bytes().all(|b| ID_ALPHABET.contains(&b)));
        assert!(a.id.starts_with("secret:"));
    }

    #[test]
    fn json_defaults_match_the_builders() {
        let json = serde_json::json!({"tracked_content": {"a": "1"}, "latest_content": {"a": "2"}});
        let s: Secret = serde_json::from_value(json).unwrap();
        assert_eq!(s, Secret::new([("a", "1")]).latest_content([("a", "2")]));
        let json = serde_json::json!({"id": "secret:0123456789abcdefghij", "owner": "app",
            "tracked_content": {"a": "1"}, "tracked_revision": 3, "remote_grants": {"1": ["pg"]}});
        let s: Secret = serde_json::from_value(json).unwrap();
        assert_eq!(
            (s.tracked_revision, s.latest_revision, s.owner),
            (3, 3, Some(SecretOwner::App))
        );
        assert_eq!(s.remote_grants[&1], BTreeSet::from(["pg".to_owned()]));
        let back: Secret = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        let bad = serde_json::json!({"tracked_content": {"a": "1"}, "revision": 2});
        assert!(serde_json::from_value::<Secret>(bad).is_err());
    }

    #[test]
    fn ids_match_in_every_form_ops_writes() {
        let uuid = "00000000-0000-4000-8000-000000000000";
        let s = Secret::new([("a", "1")]).id("secret:0123456789abcdefghij");
        for form in [
            "secret:0123456789abcdefghij",
            "0123456789abcdefghij",
            " secret://00000000-0000-4000-8000-000000000000/0123456789abcdefghij",
        ] {
            assert!(s.has_id(form, uuid), "{form}");
        }
        assert!(!s.has_id("secret://other-model/0123456789abcdefghij", uuid));
        assert!(!s.has_id("secret:0123456789abcdefghik", uuid));
        let remote = s.clone().id("secret://other-model/0123456789abcdefghij");
        assert!(remote.has_id("secret://other-model/0123456789abcdefghij", uuid));
        assert!(!remote.has_id("secret:0123456789abcdefghij", uuid));
    }

    #[test]
    fn labels_find_owned_secrets_first() {
        let observed = Secret::new([("a", "1")]).label("x");
        let owned = Secret::new([("a", "2")])
            .label("x")
            .owner(SecretOwner::Unit);
        let state = State::default().secrets([observed, owned.clone()]);
        assert_eq!(state.secret_by_label("x").unwrap(), &owned);
        assert_eq!(state.secret_index_by_label("x", true), Some(1));
        assert!(state.secret_by_label("y").is_err());
    }

    #[test]
    fn rotate_policies_round_trip() {
        for r in SecretRotate::ALL {
            assert_eq!(SecretRotate::parse(r.as_str()), Some(r));
        }
        assert_eq!(SecretRotate::parse("sometimes"), None);
    }
}
