//! `secret-grant` and `secret-revoke`, and the grants a broken relation takes with it: who
//! else may read a secret this unit manages. Its own module because grants have rules of their
//! own (the grantee on the relation's remote side, one pending grant per secret and relation
//! from Juju 3.3.1) that the other secret tools never meet.

use std::collections::btree_map::Entry;

use super::{not_found, refused, HookToolError, HookTools};
use crate::event::RelationHook;
use crate::options::JujuVersion;

/// From Juju 3.3.1 the unit agent checks a grant against the secret's grants (with the hook's
/// pending ones) and keeps one pending grant per secret and relation: juju/juju PR 16604
/// ("Secret grant info", 3.3; merged after PR 16598, which fixed bug 2037120 in 3.3.1), which
/// added `secretsChangeRecorder.secretGrantInfo` and the check in `HookContext.GrantSecret`.
/// Before it every grant is its own record (the 3.0/3.1 recorder appends each to a list,
/// `worker/uniter/runner/context/secrets.go`) and none is checked.
const GRANTS_CHECKED_SINCE: JujuVersion = JujuVersion(3, 3, 1);

impl HookTools {
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
    /// (or one of its units) read the secret.
    ///
    /// Juju checks the grant against the secret's grants with this hook's changes merged in
    /// (`HookContext.GrantSecret` reads `SecretMetadata`, which adds the pending grants and
    /// leaves out the pending revokes: `secretsChangeRecorder.secretGrantInfo`;
    /// `internal/worker/uniter/runner/context/`, 3.6 and main): the same grant, or a unit
    /// grant under an application grant, changes nothing; an application grant needs the
    /// unit grants revoked first. It keeps one pending grant per relation, so a second grant
    /// on the relation in the same hook replaces the first one (granting `pg/0` then `pg/1`
    /// leaves `pg/1` only); grants from earlier hooks stay. Before Juju 3.3.1 every grant is
    /// kept as given, unchecked ([`GRANTS_CHECKED_SINCE`]).
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
        let checked = self.scope.juju >= GRANTS_CHECKED_SINCE;
        let secret = &mut self.state.secrets[index];
        let grants = secret.remote_grants.entry(relation_id).or_default();
        if !checked {
            grants.insert(grantee);
            return Ok(());
        }
        if grants.contains(&grantee) || grants.contains(&app) {
            return Ok(());
        }
        if unit.is_none() && !grants.is_empty() {
            return Err(refused(
                "any unit level grants need to be revoked before granting access to the corresponding application",
            ));
        }
        let pending = (secret.id.clone(), relation_id);
        if let Some(replaced) = self.secret_changes.granted.insert(pending, grantee.clone()) {
            grants.remove(&replaced);
        }
        grants.insert(grantee);
        Ok(())
    }

    /// The grants on relation `relation_id` are gone with it: Juju removes the permissions
    /// scoped to a relation when it removes the relation (`Relation.removeOps` →
    /// `removeRelationChildRecordOps` → `removeScopedSecretPermissionOps`, `state/relation.go`,
    /// the Mongo state of 3.x and the 3.6 branch), which happens once its last
    /// unit has left it; seen from this unit, after its relation-broken hook.
    pub(crate) fn drop_grants_of_broken_relation(&mut self) {
        let Some(event) = self.scope.relation_event() else {
            return;
        };
        if event.hook != RelationHook::Broken {
            return;
        }
        let relation_id = event.relation_id;
        for secret in &mut self.state.secrets {
            secret.remote_grants.remove(&relation_id);
        }
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
}
