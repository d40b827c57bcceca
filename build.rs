//! Records an rpath to the libpython that pyo3 links against, so binaries and tests load the
//! same interpreter at run time without LD_LIBRARY_PATH (see shared/reference/embedding-notes.md §1).
//! Also sets pyo3's `Py_3_x` cfgs, for code that depends on the interpreter's version, and
//! compiles the Python shim to bytecode with that interpreter, so that a process does not
//! parse it at start-up (each test process under `cargo nextest` starts one). The runtime
//! falls back to the source when the bytecode is missing or for another Python.

use std::path::PathBuf;
use std::process::Command;

/// The shim's modules (py_shim/<name>.py), compiled as `<name>.bytecode` in OUT_DIR.
const SHIM: [&str; 6] = [
    "environment",
    "ops_private",
    "pebble",
    "backend",
    "capture",
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
    let python = pyo3_build_config::get().executable().map(str::to_owned);
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
