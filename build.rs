//! Records an rpath to the libpython that pyo3 links against, so binaries and tests load the
//! same interpreter at run time without LD_LIBRARY_PATH (see shared/reference/embedding-notes.md §1).
//! Also sets pyo3's `Py_3_x` cfgs, for code that depends on the interpreter's version, and
//! compiles the Python shim to bytecode with that interpreter, so that a process does not
//! parse it at start-up (each test process under `cargo nextest` starts one). The runtime
//! falls back to the source when the bytecode is missing or for another Python. Records which
//! interpreter the build is for (`OPS_SCENARIO_BUILT_WITH`), which the start-up error for a venv
//! of another Python minor names.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The shim's modules (py_shim/<name>.py), compiled as `<name>.bytecode` in OUT_DIR.
const SHIM: [&str; 8] = [
    "environment",
    "ops_private",
    "pebble",
    "backend",
    "capture",
    "watchdog",
    "patches",
    "driver",
];

/// Writes `importlib.util.MAGIC_NUMBER` followed by the marshalled code object.
const COMPILE: &str = "import importlib.util, marshal, sys
src, name, out = sys.argv[1:]
code = compile(open(src, encoding='utf-8').read(), name, 'exec')
open(out, 'wb').write(importlib.util.MAGIC_NUMBER + marshal.dumps(code))";

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    pyo3_build_config::print_expected_cfgs();
    pyo3_build_config::use_pyo3_cfgs();

    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let config = pyo3_build_config::get();
    let python = config.executable().map(str::to_owned);
    let version = config.version();
    let built_for = format!("{}.{}", version.major, version.minor);
    let stable_abi = matches!(
        config.target_abi().kind(),
        pyo3_build_config::PythonAbiKind::Stable(_)
    );
    println!(
        "cargo::rustc-env=OPS_SCENARIO_BUILT_WITH=Python {built_for}{}{}",
        if stable_abi { " (stable ABI)" } else { "" },
        python
            .as_deref()
            .map(|p| format!(", {p}"))
            .unwrap_or_default()
    );
    if let (Some(python), false) = (&python, stable_abi) {
        check_interpreter_unchanged(python, &built_for);
    }
    for name in SHIM {
        let src = format!("py_shim/{name}.py");
        println!("cargo::rerun-if-changed={src}");
        let out = out_dir.join(format!("{name}.bytecode"));
        let compiled = python.as_deref().is_some_and(|python| {
            Command::new(python)
                .args(["-c", COMPILE, &src, &src])
                .arg(&out)
                .status()
                .is_ok_and(|s| s.success())
        });
        if !compiled {
            // The runtime compiles the source instead.
            std::fs::write(&out, b"").expect("OUT_DIR is writable");
        }
    }
}

/// Stop the build when the interpreter pyo3 was configured with is now another Python minor.
/// pyo3 reads the interpreter again only when `PYO3_PYTHON` (or `VIRTUAL_ENV`, `PATH`) changes,
/// not when the venv it names is made anew with another Python at the same path (`uv venv
/// --python 3.13` over a 3.11 `.venv`); the build would then embed the old minor and every run
/// would stop at start-up. This script runs again whenever that venv's `pyvenv.cfg` changes.
fn check_interpreter_unchanged(python: &str, built_for: &str) {
    let venv = Path::new(python).parent().and_then(Path::parent);
    if let Some(cfg) = venv.map(|v| v.join("pyvenv.cfg")).filter(|c| c.is_file()) {
        println!("cargo::rerun-if-changed={}", cfg.display());
    }
    let Ok(out) = Command::new(python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
    else {
        return;
    };
    let now = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if out.status.success() && !now.is_empty() && now != built_for {
        eprintln!(
            "error: pyo3 is configured for Python {built_for}, but {python} is Python {now} now \
             (its venv was made anew?). pyo3 reads the interpreter again only when PYO3_PYTHON \
             changes: run `cargo clean -p pyo3-ffi`, then build again."
        );
        std::process::exit(1);
    }
}
