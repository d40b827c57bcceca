//! `secret-add`, `secret-get`, `secret-info-get`, `secret-set`, `secret-grant`,
//! `secret-revoke`, `secret-remove` and `secret-ids`, with Juju's rules for owners and
//! observers.
//!
//! Who may do what, as Juju's unit agent and controller decide it:
//! - any secret in the State can be read (an observed secret is in the State because it was
//!   granted); an owner sees its tracked revision like an observer, except on Juju versions
//!   with bug 2037120 (before 3.1.7, and 3.2.0 to 3.3.0), where owners always see the latest;
//! - metadata (`secret-info-get`, `secret-ids`) is there only for secrets this unit owns, and
//!   for application secrets only on the leader: others get "not found";
//! - only owners manage a secret, and only the leader an application's. The unit agent takes
//!   `secret-set`, `secret-remove` and `secret-revoke` on a secret it cannot manage without
//!   complaint, and the controller refuses them ("permission denied") when the hook's changes
//!   are committed: the charm's code runs on and the hook then fails
//!   ([`HookTools::commit_refusals`]). `secret-grant` is refused at once with "not found".
//!
//! Changes take effect at once: a later `secret-get` in the same hook sees them, as Juju's
//! pending changes are. Content set on a secret added in the same hook stays revision 1. From
//! Juju 3.6 the hook's changes to one secret are merged: content set several times makes one
//! new revision, and content equal to the latest revision's (before the hook) is dropped;
//! before 3.6 every `secret-set` with content makes a revision.
//! A refusal whose text says "not found" is ops' `SecretNotFoundError`
//! ([`HookToolError::is_secret_not_found`]); every other refusal is `ModelError`.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use super::{refused, HookToolError, HookTools};
use crate::options::JujuVersion;
use crate::output::Output;
use crate::state::{Secret, SecretContent, SecretOwner, SecretRotate};

/// Secrets exist from Juju 3.0.2 on.
const SECRETS_SINCE: JujuVersion = JujuVersion(3, 0, 2);

/// From Juju 3.6, `secret-set` with the latest revision's content makes no new revision.
const SAME_CONTENT_NO_REVISION_SINCE: JujuVersion = JujuVersion(3, 6, 0);

/// What one hook has done to secrets so far, by secret id as the State writes it.
#[derive(Debug, Default)]
pub(crate) struct SecretChanges {
    /// Secrets added in this hook: their content is still revision 1's.
    created: BTreeSet<String>,
    /// Secrets given a new revision in this hook (Juju 3.6 and later), with the latest
    /// content they had before it: more content goes into that revision.
    revised: BTreeMap<String, SecretContent>,
}

/// Secret metadata a charm can give when adding or updating a secret; `None` leaves it as it
/// is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct SecretMeta {
    label: Option<String>,
    description: Option<String>,
    /// ISO 8601 with a zone (the backend writes ops' `datetime` with `isoformat()`).
    expire: Option<String>,
    rotate: Option<SecretRotate>,
}

/// What `secret-info-get` reports: the fields of `ops.SecretInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SecretInfoData {
    /// The id as the State has it (`ops.SecretInfo` canonicalises it).
    pub id: String,
    pub label: Option<String>,
    /// The latest revision.
    pub revision: u32,
    /// ISO 8601, as the State has it.
    pub expires: Option<String>,
    pub rotation: Option<SecretRotate>,
    /// When it next rotates: never known here (time does not pass in a run).
    pub rotates: Option<String>,
    pub description: Option<String>,
    pub model_uuid: String,
}

impl HookToolError {
    /// Whether this refusal of a `secret-*` tool is ops' `SecretNotFoundError`: ops raises it
    /// when the tool's error text contains "not found" (`_ModelBackend._wrap_hookcmd`; ops 2's
    /// `_run_for_secret`), and `ModelError` otherwise.
    pub(crate) fn is_secret_not_found(&self) -> bool {
        matches!(self, HookToolError::Refused(text) if text.to_lowercase().contains("not found"))
    }
}

impl SecretOwner {
    /// The owner ops asks `secret-add` for: `"application"` (and, as in Juju, when none is
    /// given) or `"unit"`.
    pub(crate) fn from_ops(owner: Option<&str>) -> Result<SecretOwner, HookToolError> {
        match owner {
            None | Some("application") => Ok(SecretOwner::App),
            Some("unit") => Ok(SecretOwner::Unit),
            Some(other) => Err(refused(format!("secret owner {other:?} not valid"))),
        }
    }
}

fn not_found(id: &str) -> HookToolError {
    refused(format!("secret {id:?} not found"))
}

fn label_not_found(label: &str) -> HookToolError {
    refused(format!("secret with label {label:?} not found"))
}

fn permission_denied() -> HookToolError {
    refused("permission denied")
}

/// Juju versions where a secret's owner always reads the latest revision (bug 2037120, fixed
/// in 3.1.7 and 3.3.1).
fn owner_always_sees_latest(juju: JujuVersion) -> bool {
    !((JujuVersion(3, 1, 7)..JujuVersion(3, 2, 0)).contains(&juju) || juju >= JujuVersion(3, 3, 1))
}

impl HookTools {
    fn secrets_available(&self) -> Result<(), HookToolError> {
        if self.scope.juju < SECRETS_SINCE {
            return Err(refused(format!(
                "secrets are not available on Juju {} (they need Juju 3.0.2 or later)",
                self.scope.juju
            )));
        }
        Ok(())
    }

    /// Whether this unit can manage (and see the metadata of) `secret`.
    fn manages(&self, secret: &Secret) -> bool {
        match secret.owner {
            Some(SecretOwner::Unit) => true,
            Some(SecretOwner::App) => self.state.leader,
            None => false,
        }
    }

    fn secret_index_by_id(&self, id: &str) -> Result<usize, HookToolError> {
        self.state.secret_index(id).ok_or_else(|| not_found(id))
    }

    /// The secret this unit may manage, for `secret-set`, `secret-remove` and
    /// `secret-revoke`: Juju's unit agent takes these for any secret, and the controller
    /// refuses them when the hook commits. `None` (with the refusal recorded) when it will.
    fn managed_secret_or_refuse_at_commit(&mut self, tool: &str, id: &str) -> Option<usize> {
        let refusal = match self.state.secret_index(id) {
            Some(index) if self.manages(&self.state.secrets[index]) => return Some(index),
            Some(_) => permission_denied(),
            None => not_found(id),
        };
        self.commit_refusals
            .push(format!("{tool} {id}: {}", refusal.to_string().trim_end()));
        None
    }

    /// Refuse a label another secret of the same kind (owned, or observed) already has.
    fn check_label_free(
        &self,
        label: &str,
        index: Option<usize>,
        owned: bool,
    ) -> Result<(), HookToolError> {
        let taken = self.state.secrets.iter().enumerate().any(|(i, s)| {
            Some(i) != index && s.is_owned() == owned && s.label.as_deref() == Some(label)
        });
        if taken {
            return Err(refused(format!(
                "secret with label {label:?} already exists"
            )));
        }
        Ok(())
    }

    /// `secret-add [--owner application|unit] ...`: a new secret at revision 1, owned by this
    /// unit or (as leader) this application; returns its id.
    ///
    /// The id is `secret:` and 20 characters of `[0-9a-v]` derived from the model uuid and a
    /// number: the count of secrets in the State, counting up past any id already taken.
    pub fn secret_add(
        &mut self,
        content: SecretContent,
        label: Option<String>,
        description: Option<String>,
        expire: Option<String>,
        rotate: Option<SecretRotate>,
        owner: SecretOwner,
    ) -> Result<String, HookToolError> {
        let meta = SecretMeta {
            label,
            description,
            expire,
            rotate,
        };
        self.secrets_available()?;
        if owner == SecretOwner::App && !self.state.leader {
            return Err(refused("this unit is not the leader"));
        }
        if content.is_empty() {
            return Err(refused("empty secret content not valid"));
        }
        if let Some(label) = &meta.label {
            self.check_label_free(label, None, true)?;
        }
        let id = (self.state.secrets.len()..)
            .map(|n| {
                Secret::derived_id(format!("secret-add\0{}\0{n}", self.state.model.uuid).as_bytes())
            })
            .find(|id| self.state.secret_index(id).is_none())
            .expect("an unused id");
        let mut secret = Secret::new(content).id(id.clone()).owner(owner);
        secret.label = meta.label;
        secret.description = meta.description;
        secret.expire = meta.expire;
        secret.rotate = meta.rotate;
        self.state.secrets.push(secret);
        self.secret_changes.created.insert(id.clone());
        Ok(id)
    }

    /// `secret-get <id> [--label l] [--refresh|--peek]` or `secret-get --label l`: the content
    /// of the tracked revision, or with `peek` of the latest, or with `refresh` of the latest,
    /// which the unit then tracks. Given both an id and a label, the secret takes the label.
    pub fn secret_get(
        &mut self,
        id: Option<&str>,
        label: Option<&str>,
        refresh: bool,
        peek: bool,
    ) -> Result<&SecretContent, HookToolError> {
        self.secrets_available()?;
        if refresh && peek {
            return Err(refused("specify one of --peek or --refresh but not both"));
        }
        let index = match (id, label) {
            (Some(id), _) => self.secret_index_by_id(id)?,
            (None, Some(label)) => self
                .state
                .secret_index_by_label(label, false)
                .ok_or_else(|| label_not_found(label))?,
            (None, None) => return Err(refused("require either a secret URI or label")),
        };
        if let (Some(_), Some(label)) = (id, label) {
            let owned = self.state.secrets[index].is_owned();
            self.check_label_free(label, Some(index), owned)?;
            self.state.secrets[index].label = Some(label.to_owned());
        }
        let juju = self.scope.juju;
        let secret = &mut self.state.secrets[index];
        let refresh = refresh || (secret.is_owned() && owner_always_sees_latest(juju));
        if refresh {
            secret.tracked_content = secret.latest_content.clone();
            secret.tracked_revision = secret.latest_revision;
        }
        Ok(if refresh || peek {
            &secret.latest_content
        } else {
            &secret.tracked_content
        })
    }

    /// `secret-info-get <id>` or `secret-info-get --label l` (the id wins): the metadata of a
    /// secret this unit manages.
    pub fn secret_info_get(
        &self,
        id: Option<&str>,
        label: Option<&str>,
    ) -> Result<SecretInfoData, HookToolError> {
        self.secrets_available()?;
        let index = match (id, label) {
            (Some(id), _) => self
                .secret_index_by_id(id)
                .ok()
                .filter(|i| self.manages(&self.state.secrets[*i]))
                .ok_or_else(|| not_found(id))?,
            (None, Some(label)) => self
                .state
                .secrets
                .iter()
                .position(|s| self.manages(s) && s.label.as_deref() == Some(label))
                .ok_or_else(|| not_found(label))?,
            (None, None) => return Err(refused("require either a secret URI or label")),
        };
        let secret = &self.state.secrets[index];
        Ok(SecretInfoData {
            id: secret.id.clone(),
            label: secret.label.clone(),
            revision: secret.latest_revision,
            expires: secret.expire.clone(),
            rotation: secret.rotate,
            rotates: None,
            description: secret.description.clone(),
            model_uuid: self.state.model.uuid.clone(),
        })
    }

    /// `secret-set <id> [key=value...] [--label ...]`: new content makes a new latest revision
    /// (see the module docs for how Juju merges a hook's updates); metadata changes make none. On a secret this unit
    /// cannot manage, the hook fails when it commits.
    pub fn secret_set(
        &mut self,
        id: &str,
        content: Option<SecretContent>,
        label: Option<String>,
        description: Option<String>,
        expire: Option<String>,
        rotate: Option<SecretRotate>,
    ) -> Result<(), HookToolError> {
        let meta = SecretMeta {
            label,
            description,
            expire,
            rotate,
        };
        self.secrets_available()?;
        let Some(index) = self.managed_secret_or_refuse_at_commit("secret-set", id) else {
            return Ok(());
        };
        if let Some(label) = &meta.label {
            self.check_label_free(label, Some(index), true)?;
        }
        let coalesces = self.scope.juju >= SAME_CONTENT_NO_REVISION_SINCE;
        let changes = &mut self.secret_changes;
        let secret = &mut self.state.secrets[index];
        if let Some(content) = content.filter(|c| !c.is_empty()) {
            if changes.created.contains(&secret.id) {
                // Juju merges it into the pending secret-add.
                secret.tracked_content = content.clone();
                secret.latest_content = content;
            } else if !coalesces {
                // Before 3.6, Juju makes a revision of every secret-set with content.
                secret.latest_content = content;
                secret.latest_revision += 1;
            } else {
                // From 3.6, content equal to the latest revision's (before the hook) is
                // dropped, and the hook's updates are merged into one revision.
                let before = changes
                    .revised
                    .get(&secret.id)
                    .unwrap_or(&secret.latest_content);
                if content != *before {
                    if !changes.revised.contains_key(&secret.id) {
                        changes
                            .revised
                            .insert(secret.id.clone(), secret.latest_content.clone());
                        secret.latest_revision += 1;
                    }
                    secret.latest_content = content;
                }
            }
        }
        if let Some(label) = meta.label {
            secret.label = Some(label);
        }
        if let Some(description) = meta.description {
            secret.description = Some(description);
        }
        if let Some(expire) = meta.expire {
            secret.expire = Some(expire);
        }
        if let Some(rotate) = meta.rotate {
            secret.rotate = Some(rotate);
        }
        Ok(())
    }

    /// `secret-set` as ops 3.4 and later run it on Juju before 3.6 (Juju bug 2081034): ops
    /// first reads the latest content (when none is given) and the secret's metadata, and
    /// passes them all, so a secret this unit cannot read the metadata of is "not found" at
    /// once.
    #[allow(clippy::too_many_arguments)]
    pub fn secret_set_reading_first(
        &mut self,
        id: &str,
        content: Option<SecretContent>,
        label: Option<String>,
        description: Option<String>,
        expire: Option<String>,
        rotate: Option<SecretRotate>,
    ) -> Result<(), HookToolError> {
        let content = match content {
            Some(content) => content,
            None => self.secret_get(Some(id), None, false, true)?.clone(),
        };
        let info = self.secret_info_get(Some(id), None)?;
        self.secret_set(
            id,
            Some(content),
            label.or(info.label),
            description.or(info.description),
            expire.or(info.expires),
            rotate.or(info.rotation),
        )
    }

    /// The grantee of a grant on relation `relation_id`: `unit` (which must be a unit of the
    /// relation's remote application) or the remote application.
    fn grantee(&self, relation_id: u32, unit: Option<&str>) -> Result<String, HookToolError> {
        // ops raises SecretNotFoundError for this, as for any secret tool's "not found".
        let app = self
            .relation_remote_app_name(relation_id, None)
            .ok_or_else(|| {
                refused(format!(
                    "invalid value \"{relation_id}\" for option --relation: relation not found"
                ))
            })?;
        let Some(unit) = unit else {
            return Ok(app.to_owned());
        };
        let unit_app = unit
            .rsplit_once('/')
            .filter(|(a, n)| {
                !a.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
            })
            .map(|(a, _)| a)
            .ok_or_else(|| refused(format!("unit {unit:?} not valid")))?;
        if unit_app != app {
            return Err(refused(format!(
                "cannot specify unit {unit:?} in relation to application {app:?}"
            )));
        }
        Ok(unit.to_owned())
    }

    /// `secret-grant <id> --relation <id> [--unit u]`: let the relation's remote application
    /// (or one of its units) read the secret. A unit grant under an application grant changes
    /// nothing; an application grant needs the unit grants revoked first.
    pub fn secret_grant(
        &mut self,
        id: &str,
        relation_id: u32,
        unit: Option<&str>,
    ) -> Result<(), HookToolError> {
        self.secrets_available()?;
        let grantee = self.grantee(relation_id, unit)?;
        let app = self
            .relation_remote_app_name(relation_id, None)
            .unwrap_or_default()
            .to_owned();
        let index = self
            .secret_index_by_id(id)
            .ok()
            .filter(|i| self.manages(&self.state.secrets[*i]))
            .ok_or_else(|| not_found(id))?;
        let grants = self.state.secrets[index]
            .remote_grants
            .entry(relation_id)
            .or_default();
        if grants.contains(&grantee) || grants.contains(&app) {
            return Ok(());
        }
        if unit.is_none() && !grants.is_empty() {
            return Err(refused(
                "any unit level grants need to be revoked before granting access to the corresponding application",
            ));
        }
        grants.insert(grantee);
        Ok(())
    }

    /// `secret-revoke <id> --relation <id> [--unit u]`: undo a grant; revoking what was not
    /// granted changes nothing.
    pub fn secret_revoke(
        &mut self,
        id: &str,
        relation_id: u32,
        unit: Option<&str>,
    ) -> Result<(), HookToolError> {
        self.secrets_available()?;
        let grantee = self.grantee(relation_id, unit)?;
        let Some(index) = self.managed_secret_or_refuse_at_commit("secret-revoke", id) else {
            return Ok(());
        };
        if let Entry::Occupied(mut grants) =
            self.state.secrets[index].remote_grants.entry(relation_id)
        {
            grants.get_mut().remove(&grantee);
            if grants.get().is_empty() {
                grants.remove();
            }
        }
        Ok(())
    }

    /// `secret-remove <id> [--revision n]`: without a revision, the secret is gone from the
    /// State. With one, the revision is recorded in `Output.removed_secret_revisions`; Juju
    /// allows removing any revision, so removing the latest or tracked one is allowed too: the
    /// State then keeps the revision it still knows (the tracked one for a removed latest, the
    /// latest for a removed tracked one), and removing the only one it knows removes the
    /// secret. A secret this unit cannot manage, or a revision it does not have, fails the
    /// hook when it commits.
    pub fn secret_remove(&mut self, id: &str, revision: Option<u32>) -> Result<(), HookToolError> {
        self.secrets_available()?;
        let Some(index) = self.managed_secret_or_refuse_at_commit("secret-remove", id) else {
            return Ok(());
        };
        let Some(revision) = revision else {
            self.state.secrets.remove(index);
            return Ok(());
        };
        let secret = &mut self.state.secrets[index];
        if revision == 0 || revision > secret.latest_revision {
            self.commit_refusals.push(format!(
                "secret-remove {id} --revision {revision}: secret revision not found"
            ));
            return Ok(());
        }
        record_removed(&mut self.output, revision);
        let (tracked, latest) = (secret.tracked_revision, secret.latest_revision);
        if revision == tracked && revision == latest {
            self.state.secrets.remove(index);
        } else if revision == latest {
            secret.latest_content = secret.tracked_content.clone();
            secret.latest_revision = tracked;
        } else if revision == tracked {
            secret.tracked_content = secret.latest_content.clone();
            secret.tracked_revision = latest;
        }
        Ok(())
    }

    /// `secret-ids`: the ids of the secrets this unit manages, in State order.
    pub fn secret_ids(&self) -> Result<Vec<String>, HookToolError> {
        self.secrets_available()?;
        Ok(self
            .state
            .secrets
            .iter()
            .filter(|s| self.manages(s))
            .map(|s| s.id.clone())
            .collect())
    }
}

fn record_removed(output: &mut Output, revision: u32) {
    output.removed_secret_revisions.push(u64::from(revision));
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::*;
    use crate::state::{PeerRelation, Relation, State};

    const ID: &str = "secret:0123456789abcdefghij";

    fn is_secret_not_found(err: &HookToolError) -> bool {
        err.is_secret_not_found()
    }

    fn secret_owner_arg(owner: Option<&str>) -> Result<SecretOwner, HookToolError> {
        SecretOwner::from_ops(owner)
    }

    impl HookTools {
        fn add(
            &mut self,
            content: SecretContent,
            meta: SecretMeta,
            owner: SecretOwner,
        ) -> Result<String, HookToolError> {
            let SecretMeta {
                label,
                description,
                expire,
                rotate,
            } = meta;
            self.secret_add(content, label, description, expire, rotate, owner)
        }

        fn set(
            &mut self,
            id: &str,
            content: Option<SecretContent>,
            meta: SecretMeta,
        ) -> Result<(), HookToolError> {
            let SecretMeta {
                label,
                description,
                expire,
                rotate,
            } = meta;
            self.secret_set(id, content, label, description, expire, rotate)
        }
    }

    fn meta() -> serde_json::Value {
        serde_json::json!({
            "name": "demo",
            "requires": {"db": {"interface": "pgsql"}},
            "peers": {"cluster": {"interface": "demo-peers"}},
        })
    }

    fn tools(mut state: State) -> HookTools {
        state.assign_relation_ids();
        tools_with(meta(), None, state)
    }

    fn on_juju(mut t: HookTools, version: &str) -> HookTools {
        t.scope.juju = JujuVersion::parse(version).unwrap();
        t
    }

    /// `secret-set` of the secret `id` with a new password and no metadata.
    fn set_password(t: &mut HookTools, id: &str, password: &str) {
        t.set(
            id,
            Some(content(&[("password", password)])),
            SecretMeta::default(),
        )
        .unwrap();
    }

    fn content(pairs: &[(&str, &str)]) -> SecretContent {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn observed() -> Secret {
        Secret::new([("password", "old")])
            .id(ID)
            .latest_content([("password", "new")])
    }

    fn owned(owner: SecretOwner) -> Secret {
        observed().owner(owner).label("creds")
    }

    fn db() -> Relation {
        Relation::new("db")
            .id(1)
            .remote_app_name("pg")
            .remote_units([0, 1])
    }

    #[test]
    fn observers_read_the_tracked_revision_until_they_refresh() {
        let mut t = tools(State::default().secrets([observed()]));
        assert_eq!(
            t.secret_get(Some(ID), None, false, false).unwrap()["password"],
            "old"
        );
        assert_eq!(
            t.secret_get(Some(ID), None, false, true).unwrap()["password"],
            "new"
        );
        assert_eq!(t.state.secrets[0].tracked_revision, 1);
        assert_eq!(
            t.secret_get(Some(ID), None, true, false).unwrap()["password"],
            "new"
        );
        let s = &t.state.secrets[0];
        assert_eq!((s.tracked_revision, s.latest_revision), (2, 2));
        assert_eq!(s.tracked_content["password"], "new");
        assert_eq!(
            t.secret_get(Some(ID), None, false, false).unwrap()["password"],
            "new"
        );
    }

    #[test]
    fn secrets_are_found_by_every_id_form_and_by_label() {
        let mut t = tools(State::default().secrets([observed().label("db")]));
        let uuid = t.state.model.uuid.clone();
        for id in [
            ID.to_owned(),
            "0123456789abcdefghij".into(),
            format!("secret://{uuid}/0123456789abcdefghij"),
        ] {
            assert!(t.secret_get(Some(&id), None, false, false).is_ok(), "{id}");
        }
        assert!(t.secret_get(None, Some("db"), false, false).is_ok());
        let err = t.secret_get(None, Some("nope"), false, false).unwrap_err();
        assert!(is_secret_not_found(&err), "{err:?}");
        let err = t
            .secret_get(Some("secret:aaaaaaaaaaaaaaaaaaaa"), None, false, false)
            .unwrap_err();
        assert_eq!(
            err,
            refused("secret \"secret:aaaaaaaaaaaaaaaaaaaa\" not found")
        );
        assert!(is_secret_not_found(&err));
    }

    #[test]
    fn an_id_and_a_label_together_set_the_label() {
        let mut t = tools(State::default().secrets([observed()]));
        t.secret_get(Some(ID), Some("db-pass"), false, false)
            .unwrap();
        assert_eq!(t.state.secrets[0].label.as_deref(), Some("db-pass"));
        assert!(t.secret_get(None, Some("db-pass"), false, false).is_ok());
    }

    #[test]
    fn a_label_belongs_to_one_secret() {
        let other = Secret::new([("a", "b")])
            .id("secret:bbbbbbbbbbbbbbbbbbbb")
            .label("taken");
        let mut t = tools(State::default().secrets([observed(), other]));
        assert_eq!(
            t.secret_get(Some(ID), Some("taken"), false, false)
                .unwrap_err(),
            refused("secret with label \"taken\" already exists")
        );
    }

    #[test]
    fn refresh_and_peek_exclude_each_other() {
        let mut t = tools(State::default().secrets([observed()]));
        assert!(t.secret_get(Some(ID), None, true, true).is_err());
    }

    #[test]
    fn owners_track_a_revision_from_juju_3_3_1_and_3_1_7_on() {
        for (version, sees) in [
            ("3.6.14", "old"),
            ("3.3.1", "old"),
            ("3.1.7", "old"),
            ("3.1.8", "old"),
            ("3.3.0", "new"),
            ("3.2.4", "new"),
            ("3.1.6", "new"),
        ] {
            let mut t = on_juju(
                tools(State::default().secrets([owned(SecretOwner::Unit)])),
                version,
            );
            assert_eq!(
                t.secret_get(Some(ID), None, false, false).unwrap()["password"],
                sees,
                "{version}"
            );
        }
    }

    #[test]
    fn secrets_need_juju_3_0_2() {
        let mut t = on_juju(tools(State::default().secrets([observed()])), "3.0.1");
        let err = t.secret_get(Some(ID), None, false, false).unwrap_err();
        assert_eq!(
            err,
            refused("secrets are not available on Juju 3.0.1 (they need Juju 3.0.2 or later)")
        );
        assert!(!is_secret_not_found(&err));
        assert!(t
            .add(
                content(&[("a", "b")]),
                SecretMeta::default(),
                SecretOwner::Unit
            )
            .is_err());
        assert!(t.secret_ids().is_err());
        let mut t = on_juju(tools(State::default().secrets([observed()])), "3.0.2");
        assert!(t.secret_get(Some(ID), None, false, false).is_ok());
    }

    #[test]
    fn adding_gives_deterministic_ids_and_app_secrets_need_the_leader() {
        let add = |leader: bool, owner| {
            let mut t = tools(State::default().leader(leader));
            let meta = SecretMeta {
                label: Some("l".into()),
                ..SecretMeta::default()
            };
            t.add(content(&[("a", "b")]), meta, owner)
                .map(|id| (id, t.state))
        };
        assert_eq!(
            add(false, SecretOwner::App).unwrap_err(),
            refused("this unit is not the leader")
        );
        let (id, state) = add(true, SecretOwner::App).unwrap();
        assert_eq!(id, add(false, SecretOwner::Unit).unwrap().0);
        assert_eq!(id.len(), "secret:".len() + 20);
        let secret = state.secret(&id).unwrap();
        assert_eq!((secret.tracked_revision, secret.latest_revision), (1, 1));
        assert_eq!(secret.owner, Some(SecretOwner::App));
        assert_eq!(secret.label.as_deref(), Some("l"));

        let mut t = tools(State::default().leader(true));
        let first = t
            .add(
                content(&[("a", "b")]),
                SecretMeta::default(),
                SecretOwner::App,
            )
            .unwrap();
        let second = t
            .add(
                content(&[("a", "b")]),
                SecretMeta::default(),
                SecretOwner::App,
            )
            .unwrap();
        assert_ne!(first, second);
        let other_model = {
            let mut state = State::default();
            state.model.uuid = "11111111-1111-4111-8111-111111111111".into();
            let mut t = tools(state);
            t.add(
                content(&[("a", "b")]),
                SecretMeta::default(),
                SecretOwner::Unit,
            )
            .unwrap()
        };
        assert_ne!(first, other_model);
        assert!(t
            .add(
                SecretContent::new(),
                SecretMeta::default(),
                SecretOwner::App
            )
            .is_err());
    }

    #[test]
    fn an_added_secret_is_readable_in_the_same_hook() {
        let mut t = tools(State::default());
        let id = t
            .add(
                content(&[("a", "b")]),
                SecretMeta::default(),
                SecretOwner::Unit,
            )
            .unwrap();
        assert_eq!(
            t.secret_get(Some(&id), None, false, false).unwrap()["a"],
            "b"
        );
        assert_eq!(t.secret_ids().unwrap(), [id]);
    }

    #[test]
    fn setting_new_content_makes_a_revision_and_metadata_does_not() {
        let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
        t.set(
            ID,
            Some(content(&[("password", "new")])),
            SecretMeta::default(),
        )
        .unwrap();
        assert_eq!(
            t.state.secrets[0].latest_revision, 2,
            "same as the latest: no revision"
        );
        t.set(
            ID,
            None,
            SecretMeta {
                description: Some("d".into()),
                rotate: Some(SecretRotate::Daily),
                ..SecretMeta::default()
            },
        )
        .unwrap();
        assert_eq!(t.state.secrets[0].latest_revision, 2);
        t.set(
            ID,
            Some(content(&[("password", "newer")])),
            SecretMeta::default(),
        )
        .unwrap();
        let s = &t.state.secrets[0];
        assert_eq!((s.tracked_revision, s.latest_revision), (1, 3));
        assert_eq!(s.latest_content["password"], "newer");
        assert_eq!(s.tracked_content["password"], "old");
        assert_eq!(s.description.as_deref(), Some("d"));
        assert_eq!(s.rotate, Some(SecretRotate::Daily));
        assert_eq!(
            s.label.as_deref(),
            Some("creds"),
            "unchanged when not given"
        );
    }

    /// What Juju refuses when it commits the hook, for a change to the secret `ID`.
    fn denied_at_commit(tool: &str) -> Vec<String> {
        vec![format!("{tool} {ID}: ERROR permission denied")]
    }

    #[test]
    fn only_owners_and_the_leader_manage() {
        let mut t = tools(State::default().secrets([observed()]));
        let c = || Some(content(&[("password", "x")]));
        // Taken during the hook, refused when it commits.
        t.set(ID, c(), SecretMeta::default()).unwrap();
        assert_eq!(t.commit_refusals, denied_at_commit("secret-set"));
        assert_eq!(t.state.secrets[0].latest_content["password"], "new");
        t.commit_refusals.clear();
        t.secret_remove(ID, None).unwrap();
        assert_eq!(t.commit_refusals, denied_at_commit("secret-remove"));
        assert_eq!(t.state.secrets.len(), 1);
        assert!(is_secret_not_found(
            &t.secret_info_get(Some(ID), None).unwrap_err()
        ));
        let mut t = tools(
            State::default()
                .leader(false)
                .secrets([owned(SecretOwner::App)]),
        );
        t.set(ID, c(), SecretMeta::default()).unwrap();
        assert_eq!(t.commit_refusals, denied_at_commit("secret-set"));
        assert!(is_secret_not_found(
            &t.secret_info_get(Some(ID), None).unwrap_err()
        ));
        assert!(is_secret_not_found(
            &t.secret_info_get(None, Some("creds")).unwrap_err()
        ));
        assert_eq!(t.secret_ids().unwrap(), Vec::<String>::new());
        // Units of the owning application read it all the same.
        assert!(t.secret_get(Some(ID), None, false, false).is_ok());
        let mut t = tools(
            State::default()
                .leader(true)
                .secrets([owned(SecretOwner::App)]),
        );
        assert!(t.set(ID, c(), SecretMeta::default()).is_ok());
        assert!(t.commit_refusals.is_empty());
        assert_eq!(t.secret_ids().unwrap(), [ID]);
        t.set("secret:aaaaaaaaaaaaaaaaaaaa", c(), SecretMeta::default())
            .unwrap();
        assert_eq!(
            t.commit_refusals,
            ["secret-set secret:aaaaaaaaaaaaaaaaaaaa: ERROR secret \"secret:aaaaaaaaaaaaaaaaaaaa\" not found"]
        );
    }

    #[test]
    fn content_set_twice_in_a_hook_makes_one_revision() {
        let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
        for password in ["a", "b"] {
            set_password(&mut t, ID, password);
        }
        let s = &t.state.secrets[0];
        assert_eq!(
            (s.latest_revision, s.latest_content["password"].as_str()),
            (3, "b")
        );
        let id = t
            .add(
                content(&[("k", "1")]),
                SecretMeta::default(),
                SecretOwner::Unit,
            )
            .unwrap();
        t.set(&id, Some(content(&[("k", "2")])), SecretMeta::default())
            .unwrap();
        let added = t.state.secret(&id).unwrap();
        assert_eq!((added.tracked_revision, added.latest_revision), (1, 1));
        assert_eq!(added.tracked_content["k"], "2");
    }

    #[test]
    fn from_juju_3_6_the_latest_content_again_is_dropped() {
        let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
        for password in ["other", "new"] {
            set_password(&mut t, ID, password);
        }
        let s = &t.state.secrets[0];
        assert_eq!(
            (s.latest_revision, s.latest_content["password"].as_str()),
            (3, "other")
        );
    }

    #[test]
    fn before_juju_3_6_every_content_makes_a_revision() {
        let mut t = on_juju(
            tools(State::default().secrets([owned(SecretOwner::Unit)])),
            "3.5.4",
        );
        for password in ["a", "b"] {
            set_password(&mut t, ID, password);
        }
        assert_eq!(t.state.secrets[0].latest_revision, 4);
    }

    #[test]
    fn before_juju_3_6_the_same_content_makes_a_revision() {
        let mut t = on_juju(
            tools(State::default().secrets([owned(SecretOwner::Unit)])),
            "3.5.4",
        );
        t.set(
            ID,
            Some(content(&[("password", "new")])),
            SecretMeta::default(),
        )
        .unwrap();
        assert_eq!(t.state.secrets[0].latest_revision, 3);
    }

    #[test]
    fn ops_reading_first_passes_the_metadata_back() {
        let secret = owned(SecretOwner::Unit).description("d");
        let mut t = on_juju(tools(State::default().secrets([secret])), "3.5.4");
        t.secret_set_reading_first(ID, None, None, None, None, Some(SecretRotate::Daily))
            .unwrap();
        let s = &t.state.secrets[0];
        assert_eq!(
            (s.latest_revision, s.latest_content["password"].as_str()),
            (3, "new")
        );
        assert_eq!(
            (s.label.as_deref(), s.description.as_deref()),
            (Some("creds"), Some("d"))
        );
        assert_eq!(s.rotate, Some(SecretRotate::Daily));
        let mut t = on_juju(tools(State::default().secrets([observed()])), "3.5.4");
        assert!(is_secret_not_found(
            &t.secret_set_reading_first(ID, None, None, None, None, None)
                .unwrap_err()
        ));
        assert!(t.commit_refusals.is_empty());
    }

    #[test]
    fn info_is_the_owners_metadata() {
        let secret = owned(SecretOwner::Unit)
            .description("d")
            .expire("2026-11-25T12:00:00+00:00")
            .rotate(SecretRotate::Weekly);
        let t = tools(State::default().secrets([secret]));
        let info = t.secret_info_get(None, Some("creds")).unwrap();
        assert_eq!(
            info,
            SecretInfoData {
                id: ID.into(),
                label: Some("creds".into()),
                revision: 2,
                expires: Some("2026-11-25T12:00:00+00:00".into()),
                rotation: Some(SecretRotate::Weekly),
                rotates: None,
                description: Some("d".into()),
                model_uuid: t.state.model.uuid.clone(),
            }
        );
        assert_eq!(t.secret_info_get(Some(ID), Some("ignored")).unwrap(), info);
    }

    #[test]
    fn grants_go_to_the_remote_app_or_one_of_its_units() {
        let state = State::default()
            .leader(true)
            .relations([db()])
            .secrets([owned(SecretOwner::App)]);
        let mut t = tools(state);
        t.secret_grant(ID, 1, Some("pg/1")).unwrap();
        assert_eq!(
            t.state.secrets[0].remote_grants[&1]
                .iter()
                .collect::<Vec<_>>(),
            ["pg/1"]
        );
        assert_eq!(
            t.secret_grant(ID, 1, None).unwrap_err(),
            refused("any unit level grants need to be revoked before granting access to the corresponding application")
        );
        t.secret_revoke(ID, 1, Some("pg/1")).unwrap();
        assert!(
            t.state.secrets[0].remote_grants.is_empty(),
            "the last revoke removes the entry"
        );
        t.secret_grant(ID, 1, None).unwrap();
        t.secret_grant(ID, 1, Some("pg/0")).unwrap();
        assert_eq!(
            t.state.secrets[0].remote_grants[&1]
                .iter()
                .collect::<Vec<_>>(),
            ["pg"]
        );
        t.secret_revoke(ID, 1, Some("pg/0")).unwrap();
        t.secret_revoke(ID, 1, None).unwrap();
        assert!(t.state.secrets[0].remote_grants.is_empty());
        assert_eq!(
            t.secret_grant(ID, 1, Some("other/0")).unwrap_err(),
            refused("cannot specify unit \"other/0\" in relation to application \"pg\"")
        );
        assert!(t.secret_grant(ID, 1, Some("pg")).is_err());
        // A relation that is not there is "not found": ops' SecretNotFoundError.
        assert!(is_secret_not_found(
            &t.secret_grant(ID, 9, None).unwrap_err()
        ));
        assert!(is_secret_not_found(
            &t.secret_revoke(ID, 9, None).unwrap_err()
        ));
    }

    #[test]
    fn peers_can_be_granted_a_unit_secret() {
        let state = State::default()
            .relations([PeerRelation::new("cluster").id(2).peers([1])])
            .secrets([owned(SecretOwner::Unit)]);
        let mut t = tools(state);
        t.secret_grant(ID, 2, Some("demo/1")).unwrap();
        assert!(t.state.secrets[0].remote_grants[&2].contains("demo/1"));
    }

    #[test]
    fn granting_needs_a_secret_this_unit_manages() {
        let mut t = tools(
            State::default()
                .relations([db()])
                .secrets([owned(SecretOwner::App)]),
        );
        assert!(is_secret_not_found(
            &t.secret_grant(ID, 1, None).unwrap_err()
        ));
        t.secret_revoke(ID, 1, None).unwrap();
        assert_eq!(t.commit_refusals, denied_at_commit("secret-revoke"));
        let mut t = tools(State::default().relations([db()]).secrets([observed()]));
        assert!(is_secret_not_found(
            &t.secret_grant(ID, 1, None).unwrap_err()
        ));
    }

    #[test]
    fn removing_a_revision_is_recorded_and_removing_all_removes_the_secret() {
        let mut t = tools(State::default().secrets([owned(SecretOwner::Unit).tracked_revision(3)]));
        // tracked 3, latest 4.
        t.secret_remove(ID, Some(1)).unwrap();
        t.secret_remove(ID, Some(2)).unwrap();
        assert_eq!(t.output.removed_secret_revisions, [1, 2]);
        assert_eq!(
            t.state.secrets[0].latest_revision, 4,
            "older revisions leave the State alone"
        );
        t.secret_remove(ID, Some(5)).unwrap();
        assert_eq!(
            t.commit_refusals,
            [format!(
                "secret-remove {ID} --revision 5: secret revision not found"
            )]
        );
        t.secret_remove(ID, None).unwrap();
        assert!(t.state.secrets.is_empty());
        assert_eq!(t.output.removed_secret_revisions, [1, 2]);
    }

    #[test]
    fn removing_the_latest_or_tracked_revision_keeps_the_one_still_known() {
        let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
        t.secret_remove(ID, Some(2)).unwrap();
        let s = &t.state.secrets[0];
        assert_eq!((s.tracked_revision, s.latest_revision), (1, 1));
        assert_eq!(s.latest_content["password"], "old");
        t.secret_remove(ID, Some(1)).unwrap();
        assert!(t.state.secrets.is_empty(), "its only revision is gone");
        assert_eq!(t.output.removed_secret_revisions, [2, 1]);

        let mut t = tools(State::default().secrets([owned(SecretOwner::Unit)]));
        t.secret_remove(ID, Some(1)).unwrap();
        let s = &t.state.secrets[0];
        assert_eq!((s.tracked_revision, s.latest_revision), (2, 2));
        assert_eq!(s.tracked_content["password"], "new");
    }

    #[test]
    fn owner_arguments_are_ops_words() {
        assert_eq!(secret_owner_arg(None), Ok(SecretOwner::App));
        assert_eq!(secret_owner_arg(Some("application")), Ok(SecretOwner::App));
        assert_eq!(secret_owner_arg(Some("unit")), Ok(SecretOwner::Unit));
        assert!(secret_owner_arg(Some("app")).is_err());
    }
}
