//! An rpath to the libpython pyo3 links against, as the main crate's build.rs records, so the
//! fuzz binaries load without LD_LIBRARY_PATH (none of them starts Python).
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
