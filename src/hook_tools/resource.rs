//! `resource-get`: the file the State gives for a resource.
//!
//! ops itself raises `NameError` for a resource its metadata does not declare, before asking
//! Juju. For a declared resource Juju has no file for (in a test: one missing from the State;
//! in a deployment: one never uploaded), `resource-get` fails and ops raises `ModelError` with
//! Juju's text, which starts `could not download resource:`; the rest of it is this
//! simulator's (Juju's own reason depends on the controller).

use super::{refused, HookToolError, HookTools};

impl HookTools {
    /// `resource-get <name>`: the path of the resource's file, as the State gives it.
    ///
    /// # Errors
    /// `Refused` if the State has no such resource, or the metadata does not declare it.
    pub fn resource_get(&self, name: &str) -> Result<String, HookToolError> {
        if !self.meta.resources.contains_key(name) {
            return Err(refused(format!(
                "could not download resource: the charm declares no resource \"{name}\""
            )));
        }
        self.state
            .resources
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.path.to_string_lossy().into_owned())
            .ok_or_else(|| {
                refused(format!(
                    "could not download resource: resource \"{name}\" has no file (add it to State.resources)"
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::*;
    use crate::state::{Resource, State};

    #[test]
    fn declared_resources_in_the_state_give_their_path() {
        let t = tools_with(
            serde_json::json!({"name": "demo", "resources": {
                "bin": {"type": "file", "filename": "bin.tar"},
                "img": {"type": "oci-image"},
            }}),
            None,
            State::default().resources([Resource::new("bin", "/tmp/bin.tar")]),
        );
        assert_eq!(t.resource_get("bin").unwrap(), "/tmp/bin.tar");
        let missing = t.resource_get("img").unwrap_err();
        assert!(
            matches!(&missing, HookToolError::Refused(m) if m.starts_with("could not download resource: ")),
            "{missing:?}"
        );
        assert!(missing.to_string().contains("State.resources"));
        assert!(matches!(
            t.resource_get("other"),
            Err(HookToolError::Refused(m)) if m.contains("declares no resource")
        ));
    }
}
