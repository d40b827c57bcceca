//! Juju's name rules for what a charm's metadata declares: Juju refuses to deploy a charm that
//! breaks one, so a test of it covers a unit that cannot exist. ops.testing 8.9 applies the
//! same rules when its State objects are built (`scenario/state.py`, `_NAME_RULES`); here the
//! metadata is checked, since every name a State or Event uses must be declared there.
//!
//! - Relation endpoints: juju/names `RelationSnippet`,
//!   `[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*` (underscores allowed).
//! - Storage: `StorageNameSnippet` (juju/names; Juju 4's internal/storage and
//!   core/storage), `[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*`: every hyphen-separated part
//!   has a letter.
//! - Actions: `actionNameRule` (Juju 4's internal/charm/actions.go, `ReadActionsYaml`: "bad
//!   action name"), `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`.
//! - Containers: Juju names the Kubernetes container after them, so a DNS label (RFC 1123):
//!   the action rule, at most 63 characters.

use super::Checked;
use crate::charm::CharmMeta;
use crate::error::{Rule, Violation};

/// One kind of declared name: its rule, its kind's name, the names declared, Juju's test of
/// one, and the test in words.
type NameKind<'m> = (
    Rule,
    &'static str,
    Vec<&'m String>,
    fn(&str) -> bool,
    &'static str,
);

/// Every declared name that breaks Juju's rule for its kind.
pub(super) fn check(meta: &CharmMeta, out: &mut Checked) {
    let kinds: [NameKind<'_>; 4] = [
        (
            Rule::RelationEndpointName,
            "relation endpoint",
            meta.endpoints.keys().collect(),
            is_endpoint_name,
            "lowercase letters and digits in parts joined by single hyphens or underscores, starting with a letter",
        ),
        (
            Rule::StorageName,
            "storage",
            meta.storages.keys().collect(),
            is_storage_name,
            "lowercase letters and digits in parts joined by single hyphens, starting with a letter, each part with a letter",
        ),
        (
            Rule::ActionName,
            "action",
            meta.actions.keys().collect(),
            is_label,
            "lowercase letters, digits and hyphens, starting and ending with a letter or digit",
        ),
        (
            Rule::ContainerName,
            "container",
            meta.containers.keys().collect(),
            is_container_name,
            "lowercase letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters",
        ),
    ];
    for (rule, kind, names, valid, rule_text) in kinds {
        for name in names.into_iter().filter(|name| !valid(name)) {
            out.errors.push(violation(rule, kind, name, rule_text));
        }
    }
}

fn violation(rule: Rule, kind: &str, name: &str, rule_text: &str) -> Violation {
    Violation::new(
        rule,
        format!("the metadata's {kind} name {name:?} is one Juju refuses"),
    )
    .hint(format!("Juju's {kind} names are {rule_text}"))
}

fn lower_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// `[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*`
fn is_endpoint_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .split(['-', '_'])
            .all(|part| !part.is_empty() && part.chars().all(lower_alnum))
}

/// `[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*`
fn is_storage_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.split('-').all(|part| {
            part.chars().all(lower_alnum) && part.chars().any(|c| c.is_ascii_lowercase())
        })
}

/// A DNS label: [`is_label`], at most 63 characters.
fn is_container_name(name: &str) -> bool {
    is_label(name) && name.len() <= 63
}

/// `[a-z0-9](?:[a-z0-9-]*[a-z0-9])?`
fn is_label(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.chars().all(|c| lower_alnum(c) || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_names() {
        for good in ["db", "my_db", "db-2", "a1", "ingress-per-unit"] {
            assert!(is_endpoint_name(good), "{good}");
        }
        for bad in [
            "", "1db", "Db", "db-", "db--x", "-db", "db_", "db.x", "db__x",
        ] {
            assert!(!is_endpoint_name(bad), "{bad}");
        }
    }

    #[test]
    fn storage_names() {
        for good in ["data", "data-2a", "logs", "a1-b"] {
            assert!(is_storage_name(good), "{good}");
        }
        for bad in [
            "", "1data", "data-2", "data_x", "data-", "-data", "Data", "a--b",
        ] {
            assert!(!is_storage_name(bad), "{bad}");
        }
    }

    #[test]
    fn action_and_container_names() {
        for good in ["backup", "get-admin-password", "2fa", "v1-restore", "a"] {
            assert!(is_label(good), "{good}");
        }
        for bad in ["", "-x", "x-", "get_password", "Backup", "x.y"] {
            assert!(!is_label(bad), "{bad}");
        }
    }

    #[test]
    fn the_metadata_s_names_are_checked() {
        let meta = CharmMeta::from_values(
            serde_json::json!({
                "name": "c",
                "requires": {"Db": {"interface": "x"}, "ok_db": {"interface": "x"}},
                "storage": {"data-1": {"type": "filesystem"}},
                "containers": {"web_server": {"resource": "img"}, "x".repeat(64): {"resource": "img"}},
            }),
            None,
            Some(serde_json::json!({"do_it": {}, "fine": {}})),
        )
        .unwrap();
        let mut out = Checked::default();
        check(&meta, &mut out);
        let rules: Vec<_> = out.errors.iter().map(|v| v.rule.id()).collect();
        assert_eq!(
            rules,
            [
                "relation.endpoint_name",
                "storage.name",
                "action.name",
                "container.name",
                "container.name"
            ]
        );
        assert!(
            out.errors[0].message.contains("\"Db\""),
            "{}",
            out.errors[0].message
        );
    }
}
