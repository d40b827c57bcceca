//! A charm root: a directory the charm sees as its charm dir. Its files are the charm's; the
//! metadata files it lacks are written for the charm and removed with the Context; nothing
//! the user put there is changed; by default no directory is made at all.

use crate::common::{charm, eval};
use ops_scenario::{Context, Error, Event, State, Status};

/// The charm-dir charm renders `templates/motd.txt` from its charm dir on start.
fn ctx_with_root(root: &std::path::Path) -> Context {
    Context::new(charm("charm-dir")).unwrap().charm_root(root)
}

#[test]
fn the_charm_reads_its_files_from_the_root_and_finds_its_metadata_there() {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("templates")).unwrap();
    std::fs::write(
        root.path().join("templates/motd.txt"),
        "from the root: {unit}\n",
    )
    .unwrap();
    let ctx = ctx_with_root(root.path());
    let mut seen = None;
    let out = ctx
        .run_inspected(
            Event::start(),
            &State::default(),
            ops_scenario::Inspect::new().after(|charm| {
                seen = Some((
                    charm.eval_repr("str(self.charm_dir)")?,
                    charm.eval_repr("(self.charm_dir / 'metadata.yaml').read_text()")?,
                ));
                Ok(())
            }),
        )
        .unwrap();
    let (dir, meta) = seen.expect("the closure ran");
    assert_eq!(dir, format!("'{}'", root.path().display()));
    assert!(meta.contains("name: charm-dir"), "{meta}");
    assert_eq!(
        out.state.unit_status,
        Status::active("from the root: charm-dir/0")
    );
    let names = |dir: &std::path::Path| {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert!(names(root.path()).contains(&"metadata.yaml".to_owned()));
    drop(ctx);
    assert_eq!(
        names(root.path()),
        ["templates"],
        "only what the user put there"
    );
}

#[test]
fn files_already_in_the_root_are_never_overwritten_or_removed() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("metadata.yaml"), "name: mine\n").unwrap();
    let ctx = ctx_with_root(root.path());
    ctx.run(Event::update_status(), &State::default()).unwrap();
    drop(ctx);
    assert_eq!(
        std::fs::read_to_string(root.path().join("metadata.yaml")).unwrap(),
        "name: mine\n"
    );
    // A root with a charmcraft.yaml gets nothing written.
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("charmcraft.yaml"), "name: mine\n").unwrap();
    let ctx = ctx_with_root(root.path());
    ctx.run(Event::update_status(), &State::default()).unwrap();
    assert!(!root.path().join("metadata.yaml").exists());
}

#[test]
fn the_juju_environment_names_the_root() {
    let root = tempfile::tempdir().unwrap();
    let ctx = ctx_with_root(root.path());
    let seen = eval(
        &ctx,
        &State::default(),
        "__import__('os').environ['JUJU_CHARM_DIR']",
    );
    assert_eq!(seen, root.path().display().to_string().into());
}

#[test]
fn by_default_the_charm_sees_its_own_directory() {
    let ctx = Context::new(charm("charm-dir")).unwrap();
    let out = ctx.run(Event::start(), &State::default()).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("Welcome to charm-dir/0!")
    );
}

#[test]
fn a_root_that_is_not_a_directory_is_an_error_naming_it() {
    let ctx = ctx_with_root(std::path::Path::new("/no/such/root"));
    let err = ctx
        .run(Event::update_status(), &State::default())
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    insta::assert_snapshot!("root_that_does_not_exist", err);
}
