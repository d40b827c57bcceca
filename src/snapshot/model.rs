//! The model: `juju models --format json`, the one named with `-m` or else the current one.
//!
//! Shape (cmd/juju/controller/listmodels.go, `ModelSummarySet` and `ModelSummary`):
//! `{"models": [{"name": "admin/shop", "short-name": "shop", "model-uuid": "...",
//! "model-type": "caas" | "iaas", "controller-name": ..., "cloud": ..., "type": "kubernetes",
//! "life": "alive", "status": {...}, "agent-version": "3.6.1", ...}], "current-model": "shop"}`.

use serde::Deserialize;

use super::runner::Juju;
use crate::error::{Error, Result};
use crate::state::{Model, ModelType};

#[derive(Deserialize)]
struct ModelSummarySet {
    #[serde(default)]
    models: Vec<ModelSummary>,
    #[serde(rename = "current-model", default)]
    current_model: Option<String>,
}

#[derive(Deserialize)]
struct ModelSummary {
    name: String,
    #[serde(rename = "short-name", default)]
    short_name: String,
    #[serde(rename = "model-uuid")]
    uuid: String,
    #[serde(rename = "model-type")]
    model_type: String,
}

/// The snapshot's model: its short name, uuid and type.
///
/// # Errors
/// [`Error::Juju`] when `juju models` fails or does not list the model.
pub(crate) fn gather(juju: &Juju) -> Result<Model> {
    let args = ["--format", "json"];
    let set: ModelSummarySet = juju.json("models", &args)?;
    let wanted = match juju.model_name() {
        Some(model) => model.to_owned(),
        None => set.current_model.clone().ok_or_else(|| Error::Juju {
            command: juju.line("models", &args),
            message: "names no current model: give one with -m".into(),
        })?,
    };
    let found = set
        .models
        .iter()
        .find(|m| m.name == wanted || m.short_name == wanted || m.uuid == wanted)
        .ok_or_else(|| Error::Juju {
            command: juju.line("models", &args),
            message: format!(
                "lists no model {wanted:?} (it lists {})",
                set.models
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let model_type = match found.model_type.as_str() {
        "caas" => ModelType::Kubernetes,
        "iaas" => ModelType::Lxd,
        other => {
            return Err(Error::Juju {
                command: juju.line("models", &args),
                message: format!(
                    "gives model {:?} the type {other:?}, neither \"caas\" nor \"iaas\"",
                    found.name
                ),
            })
        }
    };
    let name = if found.short_name.is_empty() {
        found.name.rsplit('/').next().unwrap_or(&found.name)
    } else {
        &found.short_name
    };
    Ok(Model::new(name).uuid(&found.uuid).model_type(model_type))
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    const MODELS: &str = r#"{
      "models": [
        {"name": "admin/controller", "short-name": "controller", "model-uuid": "11111111-1111-4111-8111-111111111111",
         "model-type": "caas", "controller-uuid": "c", "controller-name": "k8s", "is-controller": true,
         "cloud": "microk8s", "type": "kubernetes", "life": "alive", "access": "admin", "last-connection": "just now"},
        {"name": "admin/edge", "short-name": "edge", "model-uuid": "22222222-2222-4222-8222-222222222222",
         "model-type": "iaas", "controller-uuid": "c", "controller-name": "lxd", "is-controller": false,
         "cloud": "localhost", "type": "lxd", "life": "alive", "access": "admin", "last-connection": "never connected",
         "agent-version": "3.6.1"}
      ],
      "current-model": "edge"
    }"#;

    #[test]
    fn the_current_model_is_taken_when_none_is_named() {
        let fake = FakeJuju::new().ok("models --format json", MODELS);
        let model = gather(&Juju::new(&fake, None)).unwrap();
        assert_eq!(
            model,
            Model::new("edge")
                .uuid("22222222-2222-4222-8222-222222222222")
                .model_type(ModelType::Lxd)
        );
    }

    #[test]
    fn a_named_model_is_found_by_qualified_name_on_its_controller() {
        let fake = FakeJuju::new().ok("models -c k8s --format json", MODELS);
        let model = gather(&Juju::new(&fake, Some("k8s:admin/controller".into()))).unwrap();
        assert_eq!(model.name, "controller");
        assert_eq!(model.model_type, ModelType::Kubernetes);
    }

    #[test]
    fn an_unknown_model_lists_the_models_there_are() {
        let fake = FakeJuju::new().ok("models --format json", MODELS);
        let err = gather(&Juju::new(&fake, Some("shop".into()))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`juju models --format json` lists no model \"shop\" (it lists admin/controller, admin/edge)"
        );
    }
}
