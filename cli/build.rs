//! An rpath to the libpython pyo3 links against, so `scenario` loads the interpreter it was
//! built for without LD_LIBRARY_PATH. `rustc-link-arg` applies only to the package whose build
//! script emits it, so the CLI needs its own (see the engine's build.rs).

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
