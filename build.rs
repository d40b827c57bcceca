//! Records an rpath to the libpython that pyo3 links against, so binaries and tests load the
//! same interpreter at run time without LD_LIBRARY_PATH (see shared/reference/embedding-notes.md §1).
fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
