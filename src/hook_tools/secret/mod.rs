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
//!   complaint, and the controller refuses them ("permission denied"; on a non-leader, the
//!   leadership check's `"app/1" is not leader of "app"`) when the hook's changes are
//!   committed: the charm's code runs on and the hook then fails
//!   ([`HookTools::commit_refusals`]). `secret-grant` is refused at once with "not found";
//! - from Juju 3.3.1 a hook keeps one pending grant per secret and relation
//!   ([`HookTools::secret_grant`]),
//!   and a relation's grants go with it after relation-broken;
//! - `secret-add` refuses a label a secret added in the same hook has; one an older owned
//!   secret has is refused when the hook commits. New ids follow the Juju version
//!   ([`new_secret_id`]).
//!
//! Changes take effect at once: a later `secret-get` in the same hook sees them, as Juju's
//! pending changes are. Content set on a secret added in the same hook stays revision 1. From
//! Juju 3.6 the hook's changes to one secret are merged: content set several times makes one
//! new revision, and content equal to the latest revision's (before the hook) is dropped;
//! before 3.6 every `secret-set` with content makes a revision.
//! A refusal whose text says "not found" is ops' `SecretNotFoundError`
//! ([`HookToolError::is_secret_not_found`]); every other refusal is `ModelError`.
//!
//! Grants (`secret-grant`, `secret-revoke`) are in `grant.rs`, the ids new secrets get in
//! `id.rs`.

mod grant;
mod id;

use std::collections::{BTreeMap, BTreeSet};

use super::{refused, HookToolError, HookTools};
use crate::options::JujuVersion;
use crate::output::Output;
use crate::state::{Secret, SecretContent, SecretOwner, SecretRotate};
pub(crate) use id::new_secret_id;

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
    /// The grantee of the grant this hook made on (secret id, relation id). Juju keeps one
    /// pending grant per secret and relation (`secretsChangeRecorder.grant` stores it under
    /// the relation key, `internal/worker/uniter/runner/context/secrets.go`, 3.6 and main),
    /// so a later grant on the same relation replaces an earlier one of the same hook.
    granted: BTreeMap<(String, u32), String>,
}

/// Secret metadata a charm can give when adding or updating a secret; `None` leaves it as it
/// is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SecretMeta {
    pub label: Option<String>,
    pub description: Option<String>,
    /// ISO 8601 with a zone (the backend writes ops' `datetime` with `isoformat()`).
    pub expire: Option<String>,
    pub rotate: Option<SecretRotate>,
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
            // The controller asks for the leadership token for an application's secret, whose
            // check fails with `"app/1" is not leader of "app"` (`CanManage` →
            // `LeadershipToken`, `apiserver/common/secrets/access.go`; the token's `Check`,
            // `core/leadership` `notLeaderError`, 3.x).
            Some(index) if self.state.secrets[index].owner == Some(SecretOwner::App) => {
                refused(format!(
                    "{:?} is not leader of {:?}",
                    self.scope.unit_name, self.scope.app_name
                ))
            }
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
    /// unit or (as leader) this application; returns its id (see [`new_secret_id`]).
    ///
    /// A label another secret added in this hook has is refused at once, as Juju's unit agent
    /// does (`secretsChangeRecorder.create`: "secret with label %q already exists",
    /// `internal/worker/uniter/runner/context/secrets.go`, 3.6); a label a secret this unit
    /// owned before the hook has is taken, and the controller refuses it when the hook
    /// commits (`HookContext.CreateSecret` checks nothing else,
    /// `internal/worker/uniter/runner/context/context.go`, 3.6; `secretsStore.CreateSecret`
    /// → `uniqueSecretOwnerLabelOps`, `state/secrets.go`, 3.x; 4.x's `domain/secret` state
    /// checks the owner's labels as it creates the secret, with the same text).
    pub fn secret_add(
        &mut self,
        content: SecretContent,
        meta: SecretMeta,
        owner: SecretOwner,
    ) -> Result<String, HookToolError> {
        self.secrets_available()?;
        if owner == SecretOwner::App && !self.state.leader {
            return Err(refused("this unit is not the leader"));
        }
        if content.is_empty() {
            return Err(refused("empty secret content not valid"));
        }
        let mut taken_before = false;
        if let Some(label) = &meta.label {
            let created = &self.secret_changes.created;
            for s in self.state.secrets.iter().filter(|s| s.is_owned()) {
                if s.label.as_deref() == Some(label.as_str()) {
                    if created.contains(&s.id) {
                        return Err(refused(format!(
                            "secret with label {label:?} already exists"
                        )));
                    }
                    taken_before = true;
                }
            }
        }
        let id = new_secret_id(&self.state, self.scope.juju);
        if taken_before {
            let label = meta.label.as_deref().unwrap_or_default();
            self.commit_refusals.push(format!(
                "secret-add {id}: ERROR secret with label {label:?} already exists"
            ));
        }
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
            // Juju looks among the secrets added in this hook first
            // (`HookContext.getPendingSecretValue`, `internal/worker/uniter/runner/context/
            // context.go`, 3.6), so a new secret wins over an older one with its label.
            (None, Some(label)) => self
                .state
                .secrets
                .iter()
                .position(|s| {
                    self.secret_changes.created.contains(&s.id) && s.label.as_deref() == Some(label)
                })
                .or_else(|| self.state.secret_index_by_label(label, false))
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
    /// (see the module docs for how Juju merges a hook's updates); metadata changes make none.
    /// On a secret this unit cannot manage, the hook fails when it commits; so it does for a
    /// label another secret this unit owns has: the unit agent checks no label on update
    /// (`HookContext.UpdateSecret`, `secretsChangeRecorder.update`,
    /// `internal/worker/uniter/runner/context/`, 3.6) and the controller refuses it as the
    /// hook commits (`secretsStore.UpdateSecret` → `uniqueSecretOwnerLabelOps` for a changed
    /// label, `state/secrets.go`, 3.x; the text is the one `secret-add`'s refusal has, the
    /// update path's own wording was not read).
    pub fn secret_set(
        &mut self,
        id: &str,
        content: Option<SecretContent>,
        meta: SecretMeta,
    ) -> Result<(), HookToolError> {
        self.secrets_available()?;
        let Some(index) = self.managed_secret_or_refuse_at_commit("secret-set", id) else {
            return Ok(());
        };
        if let Some(label) = &meta.label {
            if self.check_label_free(label, Some(index), true).is_err() {
                self.commit_refusals.push(format!(
                    "secret-set {id}: ERROR secret with label {label:?} already exists"
                ));
            }
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
    pub fn secret_set_reading_first(
        &mut self,
        id: &str,
        content: Option<SecretContent>,
        meta: SecretMeta,
    ) -> Result<(), HookToolError> {
        let content = match content {
            Some(content) => content,
            None => self.secret_get(Some(id), None, false, true)?.clone(),
        };
        let info = self.secret_info_get(Some(id), None)?;
        let meta = SecretMeta {
            label: meta.label.or(info.label),
            description: meta.description.or(info.description),
            expire: meta.expire.or(info.expires),
            rotate: meta.rotate.or(info.rotation),
        };
        self.secret_set(id, Some(content), meta)
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
mod tests;
