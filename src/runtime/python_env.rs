//! Which Python environment (venv) a process's embedded interpreter uses, and why.
//!
//! One process has one interpreter, set up by the first run: its venv is the one the first
//! Context chooses, in this order: the venv given to the Context ([`Context::venv`]); the one
//! `VIRTUAL_ENV` names; the charm's own `.venv` (as uv and most charm repositories make it);
//! the charm's tox unit environment (`.tox/unit`); otherwise none (the interpreter's own
//! site-packages). Every error about Python says which environment was used and why.
//!
//! [`Context::venv`]: crate::Context::venv

use std::fmt;
use std::path::{Path, PathBuf};

/// A venv and the reason it was chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PythonEnv {
    /// The venv's directory; `None` for the interpreter's own site-packages.
    pub venv: Option<PathBuf>,
    /// Why this one, in words: "given to the Context", "VIRTUAL_ENV is set", ...
    pub why: String,
}

/// The charm's own environments, in the order they are tried, with how to name them.
const CHARM_VENVS: [(&str, &str); 2] = [
    (".venv", "the charm's own .venv"),
    (".tox/unit", "the charm's tox unit environment"),
];

impl PythonEnv {
    /// The environment for a Context: `given` (its own option), else `VIRTUAL_ENV` (as read by
    /// the caller: `virtual_env`), else the first of the charm directory's own environments
    /// that exists, else none.
    pub fn choose(given: Option<&Path>, virtual_env: Option<&str>, charm_dir: &Path) -> Self {
        if let Some(venv) = given {
            return PythonEnv {
                venv: Some(venv.to_owned()),
                why: "given to the Context".into(),
            };
        }
        if let Some(venv) = virtual_env.filter(|v| !v.is_empty()) {
            return PythonEnv {
                venv: Some(PathBuf::from(venv)),
                why: "VIRTUAL_ENV is set".into(),
            };
        }
        for (relative, name) in CHARM_VENVS {
            let venv = charm_dir.join(relative);
            if venv.join("bin").is_dir() {
                return PythonEnv {
                    venv: Some(venv),
                    why: format!("{name}: VIRTUAL_ENV is not set and the Context names none"),
                };
            }
        }
        PythonEnv {
            venv: None,
            why: format!(
                "no venv: VIRTUAL_ENV is not set, the Context names none, and the charm has \
                 neither {} nor {}",
                charm_dir.join(CHARM_VENVS[0].0).display(),
                charm_dir.join(CHARM_VENVS[1].0).display()
            ),
        }
    }

    /// The environment for a process started without a Context (`start_python`, the CLI before
    /// it reads a case): `VIRTUAL_ENV`, or none.
    pub fn from_environment(virtual_env: Option<&str>) -> Self {
        match virtual_env.filter(|v| !v.is_empty()) {
            Some(venv) => PythonEnv {
                venv: Some(PathBuf::from(venv)),
                why: "VIRTUAL_ENV is set".into(),
            },
            None => PythonEnv {
                venv: None,
                why: "no venv: VIRTUAL_ENV is not set".into(),
            },
        }
    }

    /// `VIRTUAL_ENV` as this process was started with it.
    pub fn virtual_env_var() -> Option<String> {
        std::env::var("VIRTUAL_ENV").ok()
    }
}

impl fmt::Display for PythonEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.venv {
            Some(venv) => write!(f, "{} ({})", venv.display(), self.why),
            None => write!(f, "the interpreter's own site-packages ({})", self.why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charm_with(dirs: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for d in dirs {
            std::fs::create_dir_all(dir.path().join(d).join("bin")).unwrap();
        }
        dir
    }

    #[test]
    fn the_context_s_venv_wins_then_virtual_env_then_the_charm_s_own() {
        let charm = charm_with(&[".venv", ".tox/unit"]);
        let given = Path::new("/opt/given");
        let env = PythonEnv::choose(Some(given), Some("/opt/env"), charm.path());
        assert_eq!(env.venv.as_deref(), Some(given));
        let env = PythonEnv::choose(None, Some("/opt/env"), charm.path());
        assert_eq!(env.venv.as_deref(), Some(Path::new("/opt/env")));
        assert_eq!(env.why, "VIRTUAL_ENV is set");
        let env = PythonEnv::choose(None, Some(""), charm.path());
        assert_eq!(env.venv, Some(charm.path().join(".venv")));
        assert!(env.to_string().contains("the charm's own .venv"), "{env}");
    }

    #[test]
    fn tox_s_unit_environment_comes_after_the_venv() {
        let charm = charm_with(&[".tox/unit"]);
        let env = PythonEnv::choose(None, None, charm.path());
        assert_eq!(env.venv, Some(charm.path().join(".tox/unit")));
        assert!(env.why.starts_with("the charm's tox unit environment"));
    }

    #[test]
    fn without_any_the_reason_names_what_was_looked_for() {
        let charm = charm_with(&[]);
        let env = PythonEnv::choose(None, None, charm.path());
        assert_eq!(env.venv, None);
        assert!(env.to_string().contains(".venv"), "{env}");
        assert!(env.to_string().contains(".tox/unit"), "{env}");
    }
}
