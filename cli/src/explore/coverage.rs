//! The charm's line coverage over an exploration (`--coverage`), measured with `coverage` in
//! the charm's venv when it is installed there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Fallible;

/// Line coverage of the charm's own Python files (`src/`, `lib/`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Coverage {
    /// Not asked for (no `--coverage`), though `coverage` is importable.
    NotAsked,
    /// `coverage` is not importable in the charm's venv.
    NotInstalled,
    /// By file (relative to the charm's directory): its statements and those executed.
    Lines(BTreeMap<String, FileLines>),
}

/// One file's statements (line numbers) and which of them ran.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(super) struct FileLines {
    statements: BTreeSet<u32>,
    executed: BTreeSet<u32>,
}

impl Coverage {
    /// Both explorations' coverage: executed lines united.
    pub(super) fn merge(&mut self, other: Coverage) {
        match (&mut *self, other) {
            (Coverage::Lines(mine), Coverage::Lines(theirs)) => {
                for (file, lines) in theirs {
                    let into = mine.entry(file).or_default();
                    into.statements.extend(lines.statements);
                    into.executed.extend(lines.executed);
                }
            }
            (Coverage::Lines(_), _) => {}
            (_, other @ Coverage::Lines(_)) => *self = other,
            (Coverage::NotAsked, other) => *self = other,
            (Coverage::NotInstalled, _) => {}
        }
    }

    /// The summary's line.
    pub(super) fn line(&self) -> String {
        match self {
            Coverage::NotAsked => {
                "line coverage: not measured (--coverage measures it)\n".to_owned()
            }
            Coverage::NotInstalled => {
                "line coverage: install `coverage` in the charm's venv\n".to_owned()
            }
            Coverage::Lines(files) => {
                let (mut ran, mut all) = (0, 0);
                let mut each = Vec::new();
                for (file, lines) in files {
                    if lines.statements.is_empty() {
                        continue;
                    }
                    let executed = lines.executed.intersection(&lines.statements).count();
                    ran += executed;
                    all += lines.statements.len();
                    each.push(format!(
                        "{file} {:.0}%",
                        100.0 * executed as f64 / lines.statements.len() as f64
                    ));
                }
                if all == 0 {
                    return "line coverage: no Python statements in src/ or lib/\n".to_owned();
                }
                format!(
                    "line coverage: {:.1}% of {all} lines in src/ and lib/ ({})\n",
                    100.0 * ran as f64 / all as f64,
                    each.join(", ")
                )
            }
        }
    }
}

/// Whether `coverage` is importable in the interpreter the charm runs in (its venv).
pub(super) fn importable() -> Fallible<bool> {
    let said = ops_scenario::python::__run_python_between_runs(
        "import importlib.util\nresult = importlib.util.find_spec('coverage') is not None\n",
    )?;
    Ok(said == "True")
}

/// Start measuring line coverage of the charm's src/ and lib/.
pub(super) fn start(charm_dir: &Path) -> Fallible<()> {
    ops_scenario::python::__run_python_between_runs(&format!(
        "import os, sys, coverage\n\
         d = {dir:?}\n\
         srcs = [p for p in (os.path.join(d, 'src'), os.path.join(d, 'lib')) if os.path.isdir(p)]\n\
         cov = coverage.Coverage(data_file=None, source=srcs, config_file=False)\n\
         cov.start()\n\
         sys._scenario_explore_coverage = (cov, srcs)\n",
        dir = charm_dir.display().to_string(),
    ))?;
    Ok(())
}

/// Stop measuring, and the statements and executed lines of each Python file in the
/// charm's src/ and lib/ (those never imported too).
pub(super) fn stop(charm_dir: &Path) -> Fallible<BTreeMap<String, FileLines>> {
    let json = ops_scenario::python::__run_python_between_runs(&format!(
        "import json, os, sys\n\
         cov, srcs = sys._scenario_explore_coverage\n\
         del sys._scenario_explore_coverage\n\
         cov.stop()\n\
         out = {{}}\n\
         for top in srcs:\n    \
             for root, dirs, files in os.walk(top):\n        \
                 dirs[:] = sorted(x for x in dirs if x != '__pycache__')\n        \
                 for f in sorted(files):\n            \
                     if not f.endswith('.py'):\n                continue\n            \
                     path = os.path.join(root, f)\n            \
                     try:\n                _, statements, _, missing, _ = cov.analysis2(path)\n            \
                     except Exception:\n                continue\n            \
                     gone = set(missing)\n            \
                     out[os.path.relpath(path, {dir:?})] = {{'statements': statements, \
                         'executed': [n for n in statements if n not in gone]}}\n\
         result = json.dumps(out)\n",
        dir = charm_dir.display().to_string(),
    ))?;
    Ok(serde_json::from_str(&json).map_err(|e| format!("coverage's figures: {e}"))?)
}
