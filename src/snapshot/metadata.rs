//! The charm's metadata, which tells peer and subordinate relations apart and names the
//! containers and extra-bindings: from the local charm directory given with `--charm`, or
//! else from the deployed charm, read in the unit with `juju ssh <unit> cat <charm
//! dir>/metadata.yaml` (a packed charm always has one), or its `charmcraft.yaml`.

use std::path::Path;

use super::runner::Juju;
use super::unit_state::charm_dir;
use crate::charm::{Charm, CharmMeta};
use crate::error::{Error, Result};

/// The metadata of the charm in `dir` (its `charmcraft.yaml`, or `metadata.yaml`).
///
/// # Errors
/// As [`Charm::from_dir`].
pub(crate) fn from_dir(dir: &Path) -> Result<CharmMeta> {
    Ok(Charm::from_dir(dir)?.meta().clone())
}

/// The metadata of the charm deployed for `unit`.
///
/// # Errors
/// [`Error::Juju`] when neither file can be read, naming the `metadata.yaml` command; a
/// malformed file is an [`Error::Metadata`].
pub(crate) fn from_unit(juju: &Juju, unit: &str) -> Result<CharmMeta> {
    let dir = charm_dir(unit);
    let metadata = format!("{dir}/metadata.yaml");
    match juju.text("ssh", &[unit, "cat", &metadata]) {
        Ok(text) => CharmMeta::from_yaml(&text, None, None),
        Err(first) => {
            let charmcraft = format!("{dir}/charmcraft.yaml");
            match juju.text("ssh", &[unit, "cat", &charmcraft]) {
                Ok(text) => CharmMeta::from_charmcraft_yaml(&text),
                Err(_) => Err(match first {
                    Error::Juju { command, message } => Error::Juju {
                        command,
                        message: format!(
                            "{message} (and {dir}/charmcraft.yaml cannot be read either; give the charm's source with --charm DIR)"
                        ),
                    },
                    other => other,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fake::FakeJuju;
    use super::*;

    #[test]
    fn the_deployed_metadata_is_read_in_the_unit() {
        let fake = FakeJuju::new().ok(
            "ssh gateway/0 cat /var/lib/juju/agents/unit-gateway-0/charm/metadata.yaml",
            "name: gateway\npeers:\n  cluster:\n    interface: gw\n",
        );
        let meta = from_unit(&Juju::new(&fake, None), "gateway/0").unwrap();
        assert_eq!(meta.name, "gateway");
        assert!(meta.endpoints.contains_key("cluster"));
    }

    #[test]
    fn charmcraft_yaml_is_the_fallback_and_failing_both_says_what_to_do() {
        let fake = FakeJuju::new().ok(
            "ssh web/0 cat /var/lib/juju/agents/unit-web-0/charm/charmcraft.yaml",
            "name: web\ncontainers:\n  web: {resource: img}\n",
        );
        let meta = from_unit(&Juju::new(&fake, None), "web/0").unwrap();
        assert_eq!(meta.containers.keys().collect::<Vec<_>>(), ["web"]);

        let err = from_unit(&Juju::new(&FakeJuju::new(), None), "web/0")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("`juju ssh web/0 cat /var/lib/juju/agents/unit-web-0/charm/metadata.yaml` failed (exit code 1)"), "{err}");
        assert!(
            err.ends_with("give the charm's source with --charm DIR)"),
            "{err}"
        );
    }
}
