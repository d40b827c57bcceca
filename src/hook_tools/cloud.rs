//! `credential-get`: the model's cloud spec, for a trusted application.
//!
//! Juju gives the cloud spec only to an application the user trusted (`juju trust`, here
//! [`ContextOptions::app_trusted`](crate::ContextOptions)); otherwise it refuses with
//! `cannot access cloud credentials: permission denied`, which ops raises as `ModelError`.
//! A real model always has a cloud spec; a State may have none, and then a trusted
//! application is refused too, naming what to set.

use super::{refused, HookToolError, HookTools};
use crate::state::CloudSpec;

impl HookTools {
    /// `credential-get`: the State's `model.cloud_spec`, if the application is trusted.
    ///
    /// # Errors
    /// `Refused` when the application is not trusted (Juju's text), or the State's model has no
    /// cloud spec.
    pub fn credential_get(&self, app_trusted: bool) -> Result<&CloudSpec, HookToolError> {
        if !app_trusted {
            return Err(refused(
                "cannot access cloud credentials: permission denied",
            ));
        }
        self.state.model.cloud_spec.as_ref().ok_or_else(|| {
            refused(
                "cannot access cloud credentials: the State's model has no cloud_spec \
                 (set State.model.cloud_spec)",
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::tools_with;
    use super::*;
    use crate::state::{Model, State};

    #[test]
    fn only_trusted_applications_get_the_cloud_spec() {
        let spec = CloudSpec::new("lxd").endpoint("https://10.0.0.1:8443");
        let t = tools_with(
            serde_json::json!({"name": "demo"}),
            None,
            State::default().model(Model::default().cloud_spec(spec.clone())),
        );
        assert_eq!(t.credential_get(true).unwrap(), &spec);
        assert_eq!(
            t.credential_get(false).unwrap_err(),
            HookToolError::Refused("cannot access cloud credentials: permission denied".into())
        );
        let none = tools_with(serde_json::json!({"name": "demo"}), None, State::default());
        assert!(matches!(
            none.credential_get(true),
            Err(HookToolError::Refused(m)) if m.contains("no cloud_spec")
        ));
        assert!(matches!(
            none.credential_get(false),
            Err(HookToolError::Refused(m)) if m.ends_with("permission denied")
        ));
    }
}
