//! A container's filesystem through Pebble: pushing and pulling every kind of content, listing,
//! `exists`/`isdir`, making and removing directories, `push_path`/`pull_path`, a large file,
//! mounts read from and written to the host, every file error Pebble raises, and the files
//! the output State holds.

use std::collections::BTreeMap;

use super::{probe_results, run_probe, workload};
use crate::common::ctx;
use ops_scenario::{ContainerFile, FileKind, Mount, Output};

const CHARM: &str = "pebble-files";

fn directory() -> ContainerFile {
    ContainerFile {
        kind: FileKind::Directory,
        ..ContainerFile::from("")
    }
}

fn output_files(out: &Output) -> &BTreeMap<String, ContainerFile> {
    &out.state.container("workload").unwrap().files
}

#[test]
fn text_bytes_and_streams_are_pushed_as_given_and_pull_back_unchanged() {
    let (out, results) = run_probe(CHARM, "push-kinds", workload());
    assert_eq!(results["pull /data/str.txt"], r"'text\n'");
    assert_eq!(
        results["pull /data/stringio.txt"],
        r"'from a text stream\n'"
    );
    assert_eq!(results["pull /data/bytes.bin"], r"b'\x00\x01\xff'");
    assert_eq!(
        results["pull /data/bytesio.bin"],
        r"b'from a byte stream\n'"
    );
    // A str pushed with another encoding is stored in that encoding.
    assert_eq!(results["pull /data/latin1.txt"], r"b'caf\xe9'");
    assert_eq!(results["pull /data/latin1.txt as latin-1"], "'café'");
    assert_eq!(results["secret.txt"], "600 1000 1000 6");

    let files = output_files(&out);
    assert_eq!(files["/data/str.txt"].text(), Some("text\n"));
    assert_eq!(files["/data/bytes.bin"].bytes(), b"\x00\x01\xff");
    assert_eq!(
        files["/data/stringio.txt"].text(),
        Some("from a text stream\n")
    );
    assert_eq!(files["/data/bytesio.bin"].bytes(), b"from a byte stream\n");
    assert_eq!(files["/data/latin1.txt"].bytes(), b"caf\xe9");
    assert_eq!(files["/data/latin1.txt"].kind, FileKind::File);
    let secret = &files["/data/secret.txt"];
    assert_eq!(secret.permissions, Some(0o600));
    assert_eq!(secret.user_id, Some(1000));
    assert_eq!(secret.group_id, Some(1000));
    assert_eq!(
        files["/data"].kind,
        FileKind::Directory,
        "make_dirs made the parent"
    );
}

#[test]
fn pushing_under_a_missing_directory_without_make_dirs_is_a_not_found_path_error() {
    let (out, results) = run_probe(CHARM, "missing-parent", workload());
    assert_eq!(results["push"], "PathError not-found");
    assert_eq!(results["exists /nowhere"], "False");
    assert!(!output_files(&out).keys().any(|p| p.starts_with("/nowhere")));
}

#[test]
fn files_pull_as_text_or_bytes_and_missing_files_or_directories_are_path_errors() {
    let container = workload().files([
        ("/etc/app.conf", ContainerFile::from("port: 80\n")),
        (
            "/srv/blob.bin",
            ContainerFile::from(b"\x00\xffblob".to_vec()),
        ),
    ]);
    let (out, results) = run_probe(CHARM, "pull", container.clone());
    assert_eq!(results["text"], r"'port: 80\n'");
    assert_eq!(results["bytes"], r"bytes b'\x00\xffblob'");
    assert_eq!(results["missing"], "PathError not-found");
    assert_eq!(results["directory"], "PathError generic-file-error");
    // Reading changes nothing: the State's files come back as they were.
    let files = output_files(&out);
    for (path, file) in &container.files {
        assert_eq!(files.get(path), Some(file), "{path}");
    }
}

#[test]
fn list_files_gives_a_directory_s_entries_itself_a_pattern_or_a_file_and_404_when_missing() {
    let container = workload().files([
        ("/etc/app/main.conf", ContainerFile::from("main = 1\n")),
        ("/etc/app/extra.conf", ContainerFile::from("")),
        ("/etc/app/README", ContainerFile::from("read me")),
        ("/etc/app/conf.d", directory()),
    ]);
    let (_, results) = run_probe(CHARM, "list", container);
    assert_eq!(
        results["dir"],
        "[('README', 'file'), ('conf.d', 'directory'), ('extra.conf', 'file'), ('main.conf', 'file')]"
    );
    assert_eq!(results["itself"], "[('app', 'directory')]");
    assert_eq!(
        results["pattern"],
        "[('extra.conf', 'file'), ('main.conf', 'file')]"
    );
    assert_eq!(results["file"], "[('main.conf', 'file')]");
    assert_eq!(
        results["root has"], "['etc']",
        "parents of the State's files exist"
    );
    assert_eq!(results["missing"], "APIError 404");
    assert_eq!(
        results["main.conf"], "/etc/app/main.conf 9 644",
        "path, size, Pebble's default permissions"
    );
}

#[test]
fn exists_and_isdir_tell_files_directories_and_missing_paths_apart() {
    let container = workload().files([("/etc/app.conf", "x")]);
    let (_, results) = run_probe(CHARM, "exists", container);
    assert_eq!(results["/etc/app.conf"], "exists=True isdir=False");
    assert_eq!(results["/etc"], "exists=True isdir=True");
    assert_eq!(results["/nope"], "exists=False isdir=False");
}

#[test]
fn make_dir_refuses_an_existing_directory_unless_making_parents_and_needs_its_parent() {
    let container = workload().files([("/etc/app.conf", "x")]);
    let (out, results) = run_probe(CHARM, "make-dir", container);
    assert_eq!(results["existing"], "PathError generic-file-error");
    assert_eq!(results["existing with parents"], "ok");
    assert_eq!(results["missing parent"], "PathError not-found");
    assert_eq!(results["with parents"], "ok");
    assert_eq!(results["under a file"], "PathError generic-file-error");
    assert_eq!(results["isdir /a/b"], "True");
    let files = output_files(&out);
    let made = &files["/a/b/c"];
    assert_eq!(made.kind, FileKind::Directory);
    assert_eq!(made.permissions, Some(0o700));
    assert_eq!(files["/a"].kind, FileKind::Directory);
    assert_eq!(files["/etc/app.conf"].text(), Some("x"));
}

#[test]
fn remove_path_needs_recursive_for_a_non_empty_directory_and_an_existing_path() {
    let container = workload().files([
        ("/srv/data/one.txt", ContainerFile::from("1")),
        ("/srv/data/two/three.txt", ContainerFile::from("3")),
        ("/srv/keep.txt", ContainerFile::from("k")),
        ("/srv/empty", directory()),
        ("/etc/untouched", ContainerFile::from("u")),
    ]);
    let (out, results) = run_probe(CHARM, "remove", container);
    assert_eq!(results["non-empty"], "PathError generic-file-error");
    assert_eq!(results["still there"], "True");
    assert_eq!(results["recursive"], "ok");
    assert_eq!(results["gone"], "True");
    assert_eq!(results["missing"], "PathError not-found");
    assert_eq!(results["missing recursive"], "ok");
    assert_eq!(results["file"], "ok");
    assert_eq!(results["empty dir"], "ok");
    let files = output_files(&out);
    let left_in_srv: Vec<&String> = files.keys().filter(|p| p.starts_with("/srv/")).collect();
    assert!(left_in_srv.is_empty(), "{left_in_srv:?}");
    assert_eq!(files["/etc/untouched"].text(), Some("u"));
}

#[test]
fn push_path_and_pull_path_copy_trees_between_the_charm_and_the_container() {
    let (out, results) = run_probe(CHARM, "push-pull-path", workload());
    assert_eq!(
        results["pushed"],
        "[('a.txt', 'file'), ('sub', 'directory')]"
    );
    assert_eq!(results["pushed sub"], "[('b.txt', 'file')]");
    assert_eq!(
        results["pulled"],
        r"[('bundle/a.txt', 'alpha\n'), ('bundle/sub/b.txt', 'beta\n')]"
    );
    assert_eq!(
        results["pull missing"],
        "[('/opt/missing', 'APIError 404')]"
    );
    let files = output_files(&out);
    assert_eq!(files["/opt/bundle/a.txt"].text(), Some("alpha\n"));
    assert_eq!(files["/opt/bundle/sub/b.txt"].text(), Some("beta\n"));
    assert_eq!(files["/opt/bundle/sub"].kind, FileKind::Directory);
}

#[test]
fn a_one_mebibyte_file_goes_through_intact() {
    let (out, results) = run_probe(CHARM, "large", workload());
    assert_eq!(results["size"], "1048576");
    assert_eq!(results["same"], "True");
    assert_eq!(
        results["sha256"],
        "fbbab289f7f94b25736c58be46a994c441fd02552cc6022352e3d86d2fab7c83"
    );
    assert_eq!(results["listed size"], "1048576");
    let expected: Vec<u8> = (0..4096).flat_map(|_| 0..=255u8).collect();
    assert_eq!(output_files(&out)["/srv/large.bin"].bytes(), expected);
}

#[test]
fn files_under_a_mount_are_read_from_the_host_directory() {
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("seed.txt"), "seeded\n").unwrap();
    std::fs::create_dir(host.path().join("nested")).unwrap();
    std::fs::write(host.path().join("nested/deep.txt"), "deep\n").unwrap();
    let container = workload().mounts([("data", Mount::new("/var/lib/app", host.path()))]);
    let (out, results) = run_probe(CHARM, "mount-read", container);
    assert_eq!(results["seed"], r"'seeded\n'");
    assert_eq!(results["nested"], r"'deep\n'");
    assert_eq!(
        results["listing"],
        "[('nested', 'directory'), ('seed.txt', 'file')]"
    );
    assert_eq!(results["missing"], "PathError not-found");
    // Mounted files stay on the host: the output State's files leave them out.
    let under_mount: Vec<&String> = output_files(&out)
        .keys()
        .filter(|p| p.starts_with("/var/lib/app/"))
        .collect();
    assert!(under_mount.is_empty(), "{under_mount:?}");
    assert_eq!(
        out.state.container("workload").unwrap().mounts["data"],
        Mount::new("/var/lib/app", host.path())
    );
}

#[test]
fn writes_under_a_mount_land_in_the_host_directory() {
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("old.txt"), "stale").unwrap();
    let container = workload().mounts([("data", Mount::new("/var/lib/app", host.path()))]);
    let (out, results) = run_probe(CHARM, "mount-write", container);
    assert_eq!(
        results["listing"],
        "[('made', 'directory'), ('out', 'directory'), ('result.txt', 'file')]"
    );
    assert_eq!(results["reads back"], r"'written by the charm\n'");
    assert_eq!(
        std::fs::read_to_string(host.path().join("result.txt")).unwrap(),
        "written by the charm\n"
    );
    assert_eq!(
        std::fs::read(host.path().join("out/deep/result.bin")).unwrap(),
        b"\x00\x01"
    );
    assert!(host.path().join("made").is_dir());
    assert!(!host.path().join("old.txt").exists(), "removed on the host");
    let under_mount: Vec<&String> = output_files(&out)
        .keys()
        .filter(|p| p.starts_with("/var/lib/app"))
        .collect();
    assert!(under_mount.is_empty(), "{under_mount:?}");
}

#[test]
fn a_mount_of_a_single_host_file() {
    let host = tempfile::tempdir().unwrap();
    let conf = host.path().join("app.conf");
    std::fs::write(&conf, "from the host\n").unwrap();
    let container = workload().mounts([("conf", Mount::new("/etc/app/app.conf", &conf))]);
    let (out, results) = run_probe(CHARM, "mount-file", container);
    assert_eq!(results["read"], r"'from the host\n'");
    assert_eq!(results["listing"], "[('app.conf', 'file')]");
    assert_eq!(results["reads back"], r"'rewritten\n'");
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "rewritten\n");
    assert!(!output_files(&out).contains_key("/etc/app/app.conf"));
}

#[test]
fn files_pushed_in_one_run_are_there_in_the_next() {
    let (first, _) = run_probe(CHARM, "push-kinds", workload());
    let mut next = first.state.clone();
    next.config.insert("probe".into(), "exists".into());
    // The exists probe looks at /etc/app.conf: put it in, as a test would between runs.
    next.containers[0]
        .files
        .insert("/etc/app.conf".into(), ContainerFile::from("x"));
    let out = ctx(CHARM)
        .run(ops_scenario::Event::config_changed(), &next)
        .unwrap();
    let files = output_files(&out);
    assert_eq!(files["/data/str.txt"].text(), Some("text\n"));
    assert_eq!(files["/data/secret.txt"].permissions, Some(0o600));
    assert_eq!(
        probe_results(&out, "exists")["/etc/app.conf"],
        "exists=True isdir=False"
    );
}
