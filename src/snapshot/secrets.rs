//! The secrets the unit sees: those its application (or the unit itself) owns, and those it
//! was granted.
//!
//! Owned secrets are read in the unit, as the charm would, with `juju exec`:
//! - `secret-ids --format json` lists them: `["d1ehcifmp25c76e01vhg"]`, or `null` when there
//!   are none (internal/worker/uniter/runner/jujuc/secret-ids.go);
//! - `secret-info-get secret:<id> --format json` gives the owner's metadata:
//!   `{"<id>": {"revision": 2, "label": "api-token", "owner": "application" | "unit",
//!   "description": ..., "rotation": "daily", "expiry": "2025-06-27T09:43:38Z", "rotates":
//!   ..., "access": [{"target": "application-traefik", "scope":
//!   "relation-traefik.ingress#web.ingress", "role": "view"}]}}` (secret-info-get.go,
//!   `metadataDisplay`); the grants on the unit's relations become `remote_grants`;
//! - `secret-get secret:<id> --format json` gives the content of the revision the unit tracks
//!   and `secret-get secret:<id> --peek --format json` the latest (secret-get.go), each a JSON
//!   object of strings.
//!
//! Secrets the unit observes are found with `juju secrets --format json` (every secret of the
//! model by id: `{"<id>": {"revision": 3, "owner": "vault", "label": ..., "created": ...,
//! "updated": ...}}`, cmd/juju/secrets/list.go) and `juju show-secret <id> --format json`
//! (the same record plus its `access` list, show.go): a secret owned by another application
//! and granted to this application or unit is observed. Its content comes from `secret-get`
//! in the unit as above. Caveats, from Juju: `secret-get` makes a unit that never read the
//! secret start tracking its latest revision, and the label an observer gave the secret is
//! not visible from outside the charm, so observed secrets have none.
//!
//! The tracked revision is the latest when the tracked content is the latest's; otherwise it
//! is the newest earlier revision whose content (`juju show-secret <id> --reveal --revision
//! <n> --format json`, `{"<id>": {..., "content": {"Data": {...}}}}`) is the tracked content.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::runner::Juju;
use crate::error::Result;
use crate::state::{Secret, SecretOwner, SecretRotate};

/// How many earlier revisions are compared with the tracked content before giving up.
const REVISIONS_SEARCHED: u32 = 10;

#[derive(Deserialize)]
struct SecretInfo {
    #[serde(default)]
    revision: u32,
    #[serde(default)]
    label: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    rotation: Option<String>,
    #[serde(default)]
    expiry: Option<String>,
    #[serde(default)]
    access: Vec<AccessInfo>,
}

#[derive(Deserialize)]
struct AccessInfo {
    #[serde(default)]
    target: String,
    #[serde(default)]
    scope: String,
}

/// `juju secrets` and `juju show-secret`: a secret of the model as an admin sees it.
#[derive(Deserialize)]
struct SecretDetails {
    #[serde(default)]
    revision: u32,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    access: Vec<AccessInfo>,
    #[serde(default)]
    content: Option<SecretValue>,
}

#[derive(Deserialize)]
struct SecretValue {
    #[serde(rename = "Data", default)]
    data: BTreeMap<String, String>,
}

/// One of the unit's relations, as a secret grant's scope names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RelationKey {
    pub(crate) id: u32,
    /// `<this app>.<endpoint>`.
    pub(crate) local: String,
    /// `<remote app>.<remote endpoint>`.
    pub(crate) remote: String,
}

/// The unit's secrets: owned ones first (in `secret-ids` order), then observed ones (by id).
///
/// # Errors
/// [`Error::Juju`](crate::Error::Juju) when one of the commands fails.
pub(crate) fn gather(
    juju: &Juju,
    unit: &str,
    relations: &[RelationKey],
    warnings: &mut Vec<String>,
) -> Result<Vec<Secret>> {
    let (app, _) = unit.split_once('/').unwrap_or((unit, ""));
    let own_targets = [format!("application-{app}"), unit_tag(unit)];
    let mut out = Vec::new();

    let owned: Option<Vec<String>> = juju.exec_json(unit, &["secret-ids", "--format", "json"])?;
    let owned: Vec<String> = owned
        .unwrap_or_default()
        .iter()
        .map(|id| bare_id(id))
        .collect();
    for id in &owned {
        let uri = format!("secret:{id}");
        let infos: BTreeMap<String, SecretInfo> =
            juju.exec_json(unit, &["secret-info-get", &uri, "--format", "json"])?;
        let Some(info) = infos.into_values().next() else {
            warnings.push(format!("secret-info-get gave nothing for {uri}: left out"));
            continue;
        };
        let (tracked, latest) = contents(juju, unit, &uri)?;
        let tracked_revision =
            tracked_revision(juju, id, &tracked, &latest, info.revision, warnings)?;
        let mut secret = Secret::new(tracked)
            .id(&uri)
            .owner(if info.owner == "unit" {
                SecretOwner::Unit
            } else {
                SecretOwner::App
            })
            .latest_content(latest)
            .tracked_revision(tracked_revision)
            .latest_revision(info.revision.max(tracked_revision));
        if !info.label.is_empty() {
            secret = secret.label(info.label);
        }
        if let Some(description) = info.description.filter(|d| !d.is_empty()) {
            secret = secret.description(description);
        }
        if let Some(expiry) = info.expiry.filter(|e| !e.is_empty()) {
            secret = secret.expire(iso_with_zone(&expiry));
        }
        if let Some(rotation) = info.rotation.filter(|r| !r.is_empty()) {
            match SecretRotate::parse(&rotation) {
                Some(rotate) => secret = secret.rotate(rotate),
                None => warnings.push(format!(
                    "secret {uri} has the rotation policy {rotation:?}, which the State cannot hold: left out"
                )),
            }
        }
        for grant in &info.access {
            if own_targets.contains(&grant.target) {
                continue;
            }
            let Some(grantee) = grantee(&grant.target) else {
                continue;
            };
            if let Some(relation) = relation_of(&grant.scope, relations) {
                secret = secret.remote_grants(relation, [grantee]);
            }
        }
        out.push(secret);
    }

    let listed: Option<BTreeMap<String, SecretDetails>> =
        juju.json("secrets", &["--format", "json"])?;
    for (id, listed) in listed.unwrap_or_default() {
        let id = bare_id(&id);
        if owned.contains(&id) || listed.owner == app || listed.owner == unit {
            continue;
        }
        let shown: BTreeMap<String, SecretDetails> =
            juju.json("show-secret", &[&id, "--format", "json"])?;
        let granted = shown.values().any(|s| {
            s.access
                .iter()
                .any(|grant| own_targets.contains(&grant.target))
        });
        if !granted {
            continue;
        }
        let uri = format!("secret:{id}");
        let (tracked, latest) = contents(juju, unit, &uri)?;
        let latest_revision = shown
            .values()
            .map(|s| s.revision)
            .next()
            .unwrap_or(listed.revision);
        let tracked_revision =
            tracked_revision(juju, &id, &tracked, &latest, latest_revision, warnings)?;
        out.push(
            Secret::new(tracked)
                .id(uri)
                .latest_content(latest)
                .tracked_revision(tracked_revision)
                .latest_revision(latest_revision.max(tracked_revision)),
        );
    }
    Ok(out)
}

/// The content of the revision the unit tracks, and of the latest revision.
fn contents(
    juju: &Juju,
    unit: &str,
    uri: &str,
) -> Result<(BTreeMap<String, String>, BTreeMap<String, String>)> {
    let tracked = juju.exec_json(unit, &["secret-get", uri, "--format", "json"])?;
    let latest = juju.exec_json(unit, &["secret-get", uri, "--peek", "--format", "json"])?;
    Ok((tracked, latest))
}

/// The revision whose content the unit tracks (see the module docs).
fn tracked_revision(
    juju: &Juju,
    id: &str,
    tracked: &BTreeMap<String, String>,
    latest: &BTreeMap<String, String>,
    latest_revision: u32,
    warnings: &mut Vec<String>,
) -> Result<u32> {
    let latest_revision = latest_revision.max(1);
    if tracked == latest {
        return Ok(latest_revision);
    }
    let oldest = latest_revision.saturating_sub(REVISIONS_SEARCHED).max(1);
    for revision in (oldest..latest_revision).rev() {
        let text = revision.to_string();
        let shown: BTreeMap<String, SecretDetails> = juju.json(
            "show-secret",
            &[id, "--reveal", "--revision", &text, "--format", "json"],
        )?;
        if shown
            .values()
            .any(|s| s.content.as_ref().is_some_and(|c| &c.data == tracked))
        {
            return Ok(revision);
        }
    }
    let guess = latest_revision.saturating_sub(1).max(1);
    warnings.push(format!(
        "secret:{id}: no revision from {oldest} to {} has the content the unit tracks; the tracked revision is taken to be {guess}",
        latest_revision - 1
    ));
    Ok(guess)
}

/// The 20-character id of `secret:<id>`, `secret://<model>/<id>` or `<id>`.
fn bare_id(id: &str) -> String {
    id.rsplit(['/', ':']).next().unwrap_or(id).to_owned()
}

/// Juju's tag for a unit: `unit-<app>-<n>`.
fn unit_tag(unit: &str) -> String {
    format!("unit-{}", unit.replace('/', "-"))
}

/// The application or unit a grant's target tag names: `application-pg` is `pg`,
/// `unit-pg-0` is `pg/0`.
fn grantee(target: &str) -> Option<String> {
    if let Some(app) = target.strip_prefix("application-") {
        return Some(app.to_owned());
    }
    let unit = target.strip_prefix("unit-")?;
    let (app, n) = unit.rsplit_once('-')?;
    n.parse::<u32>().ok()?;
    Some(format!("{app}/{n}"))
}

/// The id of the relation a grant's scope tag names: `relation-<app>.<endpoint>#<app>.<endpoint>`
/// (Juju's relation key, `:` written `.` and the space `#`), in either order.
fn relation_of(scope: &str, relations: &[RelationKey]) -> Option<u32> {
    let key = scope.strip_prefix("relation-")?;
    let halves: BTreeSet<&str> = key.split('#').collect();
    relations
        .iter()
        .find(|r| halves == BTreeSet::from([r.local.as_str(), r.remote.as_str()]))
        .map(|r| r.id)
}

/// Juju's `Z` times with an explicit zone, as the State writes them (`+00:00`).
fn iso_with_zone(time: &str) -> String {
    match time.strip_suffix('Z') {
        Some(rest) => format!("{rest}+00:00"),
        None => time.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    const OWNED: &str = "d1ehcifmp25c76e01vhg";
    const OBSERVED: &str = "d2vaultmp25c76e01vhg";
    const OTHER: &str = "d3othermp25c76e01vhg";

    fn fake() -> FakeJuju {
        FakeJuju::new()
            .exec("web/0", "secret-ids --format json", &format!(r#"["{OWNED}"]"#))
            .exec(
                "web/0",
                &format!("secret-info-get secret:{OWNED} --format json"),
                &format!(
                    r#"{{"{OWNED}": {{"revision": 2, "label": "api-token", "owner": "application",
                        "description": "The API token", "rotation": "daily", "expiry": "2026-01-01T00:00:00Z",
                        "rotates": "2025-12-06T10:00:00Z",
                        "access": [{{"target": "application-web", "scope": "application-web", "role": "manage"}},
                                   {{"target": "application-traefik", "scope": "relation-web.ingress#traefik.ingress", "role": "view"}},
                                   {{"target": "unit-traefik-1", "scope": "relation-web.ingress#traefik.ingress", "role": "view"}}]}}}}"#
                ),
            )
            .exec(
                "web/0",
                &format!("secret-get secret:{OWNED} --format json"),
                r#"{"token":"t2"}"#,
            )
            .exec(
                "web/0",
                &format!("secret-get secret:{OWNED} --peek --format json"),
                r#"{"token":"t2"}"#,
            )
            .ok(
                "secrets --format json",
                &format!(
                    r#"{{"{OWNED}": {{"revision": 2, "owner": "web", "label": "api-token", "created": "2025-12-01T10:00:00Z", "updated": "2025-12-02T10:00:00Z"}},
                        "{OBSERVED}": {{"revision": 3, "owner": "vault", "created": "2025-12-01T10:00:00Z", "updated": "2025-12-03T10:00:00Z"}},
                        "{OTHER}": {{"revision": 1, "owner": "other", "created": "2025-12-01T10:00:00Z", "updated": "2025-12-01T10:00:00Z"}}}}"#
                ),
            )
            .ok(
                &format!("show-secret {OBSERVED} --format json"),
                &format!(
                    r#"{{"{OBSERVED}": {{"revision": 3, "owner": "vault", "created": "2025-12-01T10:00:00Z", "updated": "2025-12-03T10:00:00Z",
                        "access": [{{"target": "application-web", "scope": "relation-vault.secrets#web.vault", "role": "view"}}]}}}}"#
                ),
            )
            .ok(
                &format!("show-secret {OTHER} --format json"),
                &format!(r#"{{"{OTHER}": {{"revision": 1, "owner": "other", "created": "2025-12-01T10:00:00Z", "updated": "2025-12-01T10:00:00Z"}}}}"#),
            )
            .exec(
                "web/0",
                &format!("secret-get secret:{OBSERVED} --format json"),
                r#"{"password":"p1"}"#,
            )
            .exec(
                "web/0",
                &format!("secret-get secret:{OBSERVED} --peek --format json"),
                r#"{"password":"p3"}"#,
            )
            .ok(
                &format!("show-secret {OBSERVED} --reveal --revision 2 --format json"),
                &format!(r#"{{"{OBSERVED}": {{"revision": 3, "owner": "vault", "created": "2025-12-01T10:00:00Z", "updated": "2025-12-03T10:00:00Z", "content": {{"Data": {{"password": "p2"}}}}}}}}"#),
            )
            .ok(
                &format!("show-secret {OBSERVED} --reveal --revision 1 --format json"),
                &format!(r#"{{"{OBSERVED}": {{"revision": 3, "owner": "vault", "created": "2025-12-01T10:00:00Z", "updated": "2025-12-03T10:00:00Z", "content": {{"Data": {{"password": "p1"}}}}}}}}"#),
            )
    }

    #[test]
    fn owned_and_observed_secrets_are_seen_as_the_unit_sees_them() {
        let fake = fake();
        let relations = [RelationKey {
            id: 4,
            local: "web.ingress".into(),
            remote: "traefik.ingress".into(),
        }];
        let mut warnings = Vec::new();
        let got = gather(&Juju::new(&fake, None), "web/0", &relations, &mut warnings).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            got,
            [
                Secret::new([("token", "t2")])
                    .id(format!("secret:{OWNED}"))
                    .owner(SecretOwner::App)
                    .label("api-token")
                    .tracked_revision(2)
                    .description("The API token")
                    .expire("2026-01-01T00:00:00+00:00")
                    .rotate(SecretRotate::Daily)
                    .remote_grants(4, ["traefik", "traefik/1"]),
                Secret::new([("password", "p1")])
                    .id(format!("secret:{OBSERVED}"))
                    .latest_content([("password", "p3")])
                    .tracked_revision(1)
                    .latest_revision(3),
            ]
        );
    }

    #[test]
    fn grant_targets_and_scopes_read_as_juju_writes_them() {
        assert_eq!(grantee("application-pg").as_deref(), Some("pg"));
        assert_eq!(grantee("unit-my-app-10").as_deref(), Some("my-app/10"));
        assert_eq!(grantee("model-1234"), None);
        let relations = [RelationKey {
            id: 7,
            local: "web.db".into(),
            remote: "pg.database".into(),
        }];
        assert_eq!(
            relation_of("relation-pg.database#web.db", &relations),
            Some(7)
        );
        assert_eq!(
            relation_of("relation-web.db#pg.database", &relations),
            Some(7)
        );
        assert_eq!(relation_of("model-1234", &relations), None);
        assert_eq!(
            bare_id("secret://uuid/d1ehcifmp25c76e01vhg"),
            "d1ehcifmp25c76e01vhg"
        );
        assert_eq!(
            bare_id("secret:d1ehcifmp25c76e01vhg"),
            "d1ehcifmp25c76e01vhg"
        );
    }
}
