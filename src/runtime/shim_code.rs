//! Where the shim's code objects come from: the bytecode build.rs compiled, when it was
//! compiled for the interpreter running; else a per-user cache of the code compiled once on
//! this machine; else the source, compiled here (and cached when the cache can be written).
//!
//! The Python package is built for the stable ABI, with no interpreter at build time, so its
//! shim has no bytecode, and compiling the shim's 2,500 lines costs 50-80 ms in every process
//! (inside the first run of every pytest session). The cache is keyed by the source's hash
//! and the interpreter's cache tag (`cpython-311`), and each file starts with
//! `importlib.util.MAGIC_NUMBER`, so a stale or foreign file is never used. Where it lives:
//! `OPS_SCENARIO_CACHE_DIR`, else `$XDG_CACHE_HOME/ops-scenario`, else
//! `~/.cache/ops-scenario`. A cache that cannot be read or written (a read-only home, a
//! sandbox) only means compiling the source.

use std::path::{Path, PathBuf};

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use super::interpreter::ShimModule;

/// `importlib.util.MAGIC_NUMBER`: the first bytes of every code file for this interpreter.
pub(super) fn magic_number(py: Python<'_>) -> PyResult<Vec<u8>> {
    py.import("importlib.util")?
        .getattr("MAGIC_NUMBER")?
        .extract()
}

/// The module's code object.
pub(super) fn code_object<'py>(
    py: Python<'py>,
    module: &ShimModule,
) -> PyResult<Bound<'py, PyAny>> {
    let magic = magic_number(py)?;
    if let Some(code) = module.bytecode().strip_prefix(magic.as_slice()) {
        if !code.is_empty() {
            return loads(py, code);
        }
    }
    cached_or_compiled(py, module, &magic, cache_dir().as_deref())
}

/// The code from the cache in `dir` if it has it, else compiled from the source and written
/// there.
fn cached_or_compiled<'py>(
    py: Python<'py>,
    module: &ShimModule,
    magic: &[u8],
    dir: Option<&Path>,
) -> PyResult<Bound<'py, PyAny>> {
    let path = match dir {
        Some(dir) => cache_file(py, module, dir)?,
        None => None,
    };
    if let Some(bytes) = path.as_deref().and_then(|p| std::fs::read(p).ok()) {
        if let Some(code) = bytes.strip_prefix(magic) {
            if let Ok(code) = loads(py, code) {
                return Ok(code);
            }
        }
    }
    let code = py.import("builtins")?.getattr("compile")?.call1((
        module.source().to_str().unwrap_or_default(),
        module.file().to_str().unwrap_or_default(),
        "exec",
    ))?;
    if let Some(path) = path {
        let dumped: Vec<u8> = py
            .import("marshal")?
            .call_method1("dumps", (&code,))?
            .extract()?;
        write_atomically(&path, &[magic, &dumped].concat());
    }
    Ok(code)
}

fn loads<'py>(py: Python<'py>, code: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    py.import("marshal")?
        .call_method1("loads", (PyBytes::new(py, code),))
}

/// The cache directory, if the environment names one.
fn cache_dir() -> Option<PathBuf> {
    let from = |var: &str| {
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    from("OPS_SCENARIO_CACHE_DIR")
        .or_else(|| from("XDG_CACHE_HOME").map(|d| d.join("ops-scenario")))
        .or_else(|| from("HOME").map(|d| d.join(".cache").join("ops-scenario")))
}

/// `<dir>/<module>-<source hash>.<cache tag>.bytecode`; `None` for an interpreter without a
/// cache tag (one that caches no bytecode).
fn cache_file(py: Python<'_>, module: &ShimModule, dir: &Path) -> PyResult<Option<PathBuf>> {
    let tag = py
        .import("sys")?
        .getattr("implementation")?
        .getattr("cache_tag")?;
    if tag.is_none() {
        return Ok(None);
    }
    let tag: String = tag.extract()?;
    let name = module.name().to_str().unwrap_or("shim");
    let hash = fnv1a(module.source().to_bytes());
    Ok(Some(dir.join(format!("{name}-{hash:016x}.{tag}.bytecode"))))
}

/// FNV-1a, 64 bits: a stable hash of the source (std's hashers may change between releases).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Write through a file of this process's own and a rename, so that a process reading the
/// cache never sees half a file; any failure leaves the cache as it was.
fn write_atomically(path: &Path, bytes: &[u8]) {
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let partial = path.with_extension(format!("partial.{}", std::process::id()));
    if std::fs::write(&partial, bytes).is_ok() && std::fs::rename(&partial, path).is_err() {
        let _ = std::fs::remove_file(&partial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shim_compiled_once_is_read_back_from_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        super::super::lock::with_python(|py| {
            let magic = magic_number(py).unwrap();
            let module = &super::super::interpreter::SHIM_MODULES[0];
            let first = cached_or_compiled(py, module, &magic, Some(dir.path())).unwrap();
            let files: Vec<_> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            assert_eq!(files.len(), 1, "{files:?}");
            let bytes = std::fs::read(&files[0]).unwrap();
            assert!(bytes.starts_with(&magic));
            // Read back: the same code.
            let again = cached_or_compiled(py, module, &magic, Some(dir.path())).unwrap();
            assert!(first.eq(&again).unwrap());
            // A file that is not this interpreter's code is compiled over, not used.
            std::fs::write(&files[0], b"garbage").unwrap();
            let compiled = cached_or_compiled(py, module, &magic, Some(dir.path())).unwrap();
            assert!(first.eq(&compiled).unwrap());
            assert!(std::fs::read(&files[0]).unwrap().starts_with(&magic));
            // No directory: compiled, nothing written.
            let code = cached_or_compiled(py, module, &magic, None).unwrap();
            assert!(first.eq(&code).unwrap());
            // An unwritable directory is no error.
            let nowhere = Path::new("/proc/ops-scenario-no-such-dir");
            assert!(cached_or_compiled(py, module, &magic, Some(nowhere)).is_ok());
        });
    }

    #[test]
    fn the_hash_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
