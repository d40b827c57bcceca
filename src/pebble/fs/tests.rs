//! The filesystem's rules.

use super::*;

fn fs_with(files: &[(&str, ContainerFile)]) -> Filesystem {
    let files = files
        .iter()
        .map(|(p, f)| (p.to_string(), f.clone()))
        .collect();
    Filesystem::new(&files, &BTreeMap::new())
}

fn path_err(kind: &'static str, message: &str) -> PebbleError {
    PebbleError::path(kind, message)
}

fn names(infos: &[FileInfo]) -> Vec<&str> {
    infos.iter().map(|i| i.name.as_str()).collect()
}

fn mount_fs(location: &str) -> (tempfile::TempDir, Filesystem) {
    let dir = tempfile::tempdir().unwrap();
    let mounts = BTreeMap::from([("m".to_owned(), Mount::new(location, dir.path()))]);
    let fs = Filesystem::new(&BTreeMap::new(), &mounts);
    (dir, fs)
}

// Seeded files read back; their parents exist implicitly.
#[test]
fn pull_seeded_files() {
    let fs = fs_with(&[
        ("/etc/app.conf", "port: 80\n".into()),
        ("/bin/tool", vec![0u8, 1].into()),
    ]);
    assert_eq!(fs.pull("/etc/app.conf").unwrap(), b"port: 80\n");
    assert_eq!(fs.pull("/bin/tool").unwrap(), vec![0u8, 1]);
    assert_eq!(fs.pull("//etc/./app.conf").unwrap(), b"port: 80\n");
    assert!(fs.list_files("/etc", None, true).unwrap()[0].file_type == "directory");
}

// Harness's pull errors.
#[test]
fn pull_errors() {
    let fs = fs_with(&[("/etc/app.conf", "x".into())]);
    assert_eq!(
        fs.pull("/etc/missing"),
        Err(path_err(
            "not-found",
            "stat /etc/missing: no such file or directory"
        ))
    );
    assert_eq!(
        fs.pull("/etc"),
        Err(path_err(
            "generic-file-error",
            "can only read a regular file: \"/etc\""
        ))
    );
    assert_eq!(
        fs.pull("etc/app.conf"),
        Err(path_err(
            "generic-file-error",
            "paths must be absolute, got 'etc/app.conf'"
        ))
    );
    // Pebble's text where Harness lets NotADirectoryError escape.
    assert_eq!(
        fs.pull("/etc/app.conf/x"),
        Err(path_err(
            "generic-file-error",
            "stat /etc/app.conf/x: not a directory"
        ))
    );
}

// push writes into existing directories (implicit ones too) and replaces files.
#[test]
fn push_writes_and_replaces() {
    let mut fs = fs_with(&[("/etc/app.conf", "old".into())]);
    fs.push("/etc/app.conf", b"new".to_vec(), &PushOptions::default())
        .unwrap();
    fs.push("/etc/other", vec![0xff], &PushOptions::default())
        .unwrap();
    fs.push("/top", b"t".to_vec(), &PushOptions::default())
        .unwrap();
    assert_eq!(fs.pull("/etc/app.conf").unwrap(), b"new");
    let files = fs.into_files();
    assert_eq!(files["/etc/app.conf"], ContainerFile::from("new"));
    assert_eq!(files["/etc/other"], ContainerFile::from(vec![0xffu8]));
    assert_eq!(files["/top"], ContainerFile::from("t"));
    assert_eq!(files.len(), 3, "implicit /etc is not listed: {files:?}");
}

// push keeps the metadata asked for; defaults are left unset.
#[test]
fn push_metadata() {
    let mut fs = fs_with(&[]);
    let options = PushOptions {
        permissions: Some(0o600),
        user_id: Some(1000),
        user: Some("app".into()),
        ..PushOptions::default()
    };
    fs.push("/key", b"k".to_vec(), &options).unwrap();
    let info = &fs.list_files("/key", None, false).unwrap()[0];
    assert_eq!(info.permissions, 0o600);
    assert_eq!(
        (info.user_id, info.user.as_deref()),
        (Some(1000), Some("app"))
    );
    assert_eq!(
        (info.group_id, info.group.as_deref()),
        (Some(0), Some("root"))
    );
    fs.push(
        "/plain",
        b"p".to_vec(),
        &PushOptions {
            permissions: Some(0o644),
            ..PushOptions::default()
        },
    )
    .unwrap();
    let files = fs.into_files();
    assert_eq!(
        files["/key"],
        ContainerFile::from("k")
            .permissions(0o600)
            .user_id(1000)
            .user("app")
    );
    assert_eq!(files["/plain"], ContainerFile::from("p"));
}

// Without make_dirs a missing parent is an error (Harness quotes the errno).
#[test]
fn push_missing_parent() {
    let mut fs = fs_with(&[]);
    assert_eq!(
        fs.push("/a/b", vec![], &PushOptions::default()),
        Err(path_err("not-found", "parent directory not found: 2"))
    );
}

// make_dirs creates every missing parent (listed in the output State).
#[test]
fn push_make_dirs() {
    let mut fs = fs_with(&[]);
    let options = PushOptions {
        make_dirs: true,
        user: Some("app".into()),
        ..PushOptions::default()
    };
    fs.push("/a/b/c.txt", b"c".to_vec(), &options).unwrap();
    assert_eq!(fs.pull("/a/b/c.txt").unwrap(), b"c");
    let files = fs.into_files();
    assert_eq!(files["/a"], ContainerFile::directory().user("app"));
    assert_eq!(files["/a/b"], ContainerFile::directory().user("app"));
}

// Harness's push errors: relative path, permissions, a file as parent, a directory.
#[test]
fn push_errors() {
    let mut fs = fs_with(&[("/f", "x".into()), ("/d/x", "x".into())]);
    let opts = PushOptions::default();
    assert_eq!(
        fs.push("rel", vec![], &opts),
        Err(path_err(
            "generic-file-error",
            "paths must be absolute, got 'rel'"
        ))
    );
    for (perm, text) in [(0o1000, "0o1000"), (-1, "-0o1")] {
        let opts = PushOptions {
            permissions: Some(perm),
            ..PushOptions::default()
        };
        assert_eq!(
            fs.push("/x", vec![], &opts),
            Err(path_err(
                "generic-file-error",
                &format!("permissions not within 0o000 to 0o777: {text}")
            ))
        );
    }
    assert_eq!(
        fs.push("/f/x", vec![], &opts),
        Err(path_err(
            "generic-file-error",
            "open /f/x.~: not a directory"
        ))
    );
    assert_eq!(
        fs.push("/d", vec![], &opts),
        Err(path_err(
            "generic-file-error",
            "rename /d.~ /d: is a directory"
        ))
    );
    let make = PushOptions {
        make_dirs: true,
        ..PushOptions::default()
    };
    assert_eq!(
        fs.push("/f/x/y", vec![], &make),
        Err(path_err("generic-file-error", "not a directory: 20"))
    );
}

// list_files: a directory's entries by name, or the path itself.
#[test]
fn list_files_entries() {
    let fs = fs_with(&[
        ("/etc/b.conf", "bb".into()),
        ("/etc/a.conf", "a".into()),
        ("/etc/sub/x", "x".into()),
        ("/etc/empty", ContainerFile::directory().permissions(0o700)),
    ]);
    let infos = fs.list_files("/etc", None, false).unwrap();
    assert_eq!(names(&infos), ["a.conf", "b.conf", "empty", "sub"]);
    assert_eq!(infos[1].path, "/etc/b.conf");
    assert_eq!(infos[1].size, Some(2));
    assert_eq!(infos[1].permissions, 0o644);
    assert_eq!(infos[2].file_type, "directory");
    assert_eq!(infos[2].permissions, 0o700);
    assert_eq!(infos[3].size, None);
    assert_eq!(infos[3].permissions, 0o755);
    let itself = fs.list_files("/etc/", None, true).unwrap();
    assert_eq!(itself.len(), 1);
    assert_eq!(
        (itself[0].path.as_str(), itself[0].name.as_str()),
        ("/etc", "etc")
    );
    let file = fs.list_files("/etc/a.conf", None, false).unwrap();
    assert_eq!(names(&file), ["a.conf"]);
    let root = fs.list_files("/", None, true).unwrap();
    assert_eq!((root[0].path.as_str(), root[0].name.as_str()), ("/", "/"));
    assert_eq!(names(&fs.list_files("/", None, false).unwrap()), ["etc"]);
    assert!(fs.list_files("/etc/empty", None, false).unwrap().is_empty());
}

// pattern filters names like fnmatch.
#[test]
fn list_files_pattern() {
    let fs = fs_with(&[
        ("/d/a.txt", "".into()),
        ("/d/b.txt", "".into()),
        ("/d/c.log", "".into()),
        ("/d/[x", "".into()),
    ]);
    let list = |p| names(&fs.list_files("/d", Some(p), false).unwrap()).join(",");
    assert_eq!(list("*.txt"), "a.txt,b.txt");
    assert_eq!(list("?.log"), "c.log");
    assert_eq!(list("[ab].*"), "a.txt,b.txt");
    assert_eq!(list("[!ab].*"), "c.log");
    assert_eq!(list("[a-b]*"), "a.txt,b.txt");
    assert_eq!(list("[x"), "[x");
    assert_eq!(list("nothing"), "");
    assert_eq!(names(&fs.list_files("/d", Some("d"), true).unwrap()), ["d"]);
}

// A missing path is APIError 404 (Container.exists relies on it), even below a file.
#[test]
fn list_files_missing_is_404() {
    let fs = fs_with(&[("/f", "x".into())]);
    for path in ["/nope", "/f/x"] {
        assert_eq!(
            fs.list_files(path, None, true),
            Err(PebbleError::not_found(format!(
                "stat {path}: no such file or directory"
            )))
        );
    }
    assert_eq!(
        fs.list_files("f", None, false),
        Err(path_err(
            "generic-file-error",
            "paths must be absolute, got 'f'"
        ))
    );
}

// FileInfo in the dict form ops.pebble.FileInfo.from_dict reads.
#[test]
fn file_info_to_api() {
    let fs = fs_with(&[("/etc/a", ContainerFile::from("abc").permissions(0o600))]);
    let file = fs.list_files("/etc/a", None, false).unwrap()[0].to_api();
    assert_eq!(
        file,
        json!({"path": "/etc/a", "name": "a", "type": "file", "size": 3,
               "permissions": "600", "last-modified": "2026-01-01T00:00:00Z",
               "user-id": 0, "user": "root", "group-id": 0, "group": "root"})
    );
    let dir = fs.list_files("/etc", None, true).unwrap()[0].to_api();
    assert_eq!(dir["type"], "directory");
    assert_eq!(dir["permissions"], "755");
    assert!(dir.get("size").is_none());
}

// make_dir: parents needed unless make_parents; an existing path is an error without it.
#[test]
fn make_dir_rules() {
    let mut fs = fs_with(&[("/f", "x".into())]);
    let plain = MakeDirOptions::default();
    let parents = MakeDirOptions {
        make_parents: true,
        ..MakeDirOptions::default()
    };
    assert_eq!(
        fs.make_dir("/a/b", &plain),
        Err(path_err("not-found", "parent directory not found: /a/b"))
    );
    fs.make_dir("/a", &plain).unwrap();
    assert_eq!(
        fs.make_dir("/a", &plain),
        Err(path_err("generic-file-error", "mkdir /a: file exists"))
    );
    assert_eq!(
        fs.make_dir("/f", &plain),
        Err(path_err("generic-file-error", "mkdir /f: file exists"))
    );
    fs.make_dir("/a", &parents).unwrap();
    fs.make_dir("/x/y/z", &parents).unwrap();
    assert_eq!(
        fs.make_dir("/f/sub", &plain),
        Err(path_err("generic-file-error", "not a directory: 20"))
    );
    assert_eq!(
        fs.make_dir("rel", &plain),
        Err(path_err(
            "generic-file-error",
            "paths must be absolute, got 'rel'"
        ))
    );
    assert_eq!(
        fs.make_dir(
            "/p",
            &MakeDirOptions {
                permissions: Some(0o1777),
                ..MakeDirOptions::default()
            }
        ),
        Err(path_err(
            "generic-file-error",
            "permissions not within 0o000 to 0o777: 0o1777"
        ))
    );
    let files = fs.into_files();
    let dirs: Vec<&str> = files
        .iter()
        .filter(|(_, f)| f.is_dir())
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(dirs, ["/a", "/x", "/x/y", "/x/y/z"]);
}

// make_dir permissions: given (0 means default, as in Harness), parents get them too.
#[test]
fn make_dir_permissions() {
    let mut fs = fs_with(&[]);
    let options = MakeDirOptions {
        make_parents: true,
        permissions: Some(0o700),
        group_id: Some(5),
        ..MakeDirOptions::default()
    };
    fs.make_dir("/a/b", &options).unwrap();
    fs.make_dir(
        "/zero",
        &MakeDirOptions {
            permissions: Some(0),
            ..MakeDirOptions::default()
        },
    )
    .unwrap();
    let files = fs.into_files();
    assert_eq!(
        files["/a"],
        ContainerFile::directory().permissions(0o700).group_id(5)
    );
    assert_eq!(files["/a/b"], files["/a"]);
    assert_eq!(files["/zero"], ContainerFile::directory());
}

// remove_path: files, empty directories, recursive trees; missing is fine when recursive.
#[test]
fn remove_path_rules() {
    let mut fs = fs_with(&[
        ("/etc/a", "a".into()),
        ("/etc/sub/x", "x".into()),
        ("/empty", ContainerFile::directory()),
    ]);
    assert_eq!(
        fs.remove_path("/nope", false),
        Err(path_err(
            "not-found",
            "remove /nope: no such file or directory"
        ))
    );
    fs.remove_path("/nope", true).unwrap();
    assert_eq!(
        fs.remove_path("/etc", false),
        Err(path_err(
            "generic-file-error",
            "cannot remove non-empty directory without recursive=True"
        ))
    );
    assert_eq!(
        fs.remove_path("etc", false),
        Err(path_err(
            "generic-file-error",
            "paths must be absolute, got 'etc'"
        ))
    );
    fs.remove_path("/empty", false).unwrap();
    fs.remove_path("/etc/sub", true).unwrap();
    fs.remove_path("/etc/a", false).unwrap();
    // /etc was implied by its files; it stays, now empty and listed.
    assert!(fs.list_files("/etc", None, false).unwrap().is_empty());
    let files = fs.into_files();
    assert_eq!(
        files,
        BTreeMap::from([("/etc".to_owned(), ContainerFile::directory())])
    );
}

// Large files go in and out unchanged.
#[test]
fn large_files() {
    let mut fs = fs_with(&[]);
    let data: Vec<u8> = (0..8 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    fs.push("/big", data.clone(), &PushOptions::default())
        .unwrap();
    assert_eq!(fs.pull("/big").unwrap(), data);
    assert_eq!(
        fs.list_files("/big", None, false).unwrap()[0].size,
        Some(data.len() as u64)
    );
    assert_eq!(fs.into_files()["/big"].bytes(), &data[..]);
}

// Mounts read from and write to the host directory; they stay out of the output State.
#[test]
fn mounts_use_the_host() {
    let (dir, mut fs) = mount_fs("/etc/svc");
    std::fs::write(dir.path().join("seed.conf"), "seed").unwrap();
    assert_eq!(fs.pull("/etc/svc/seed.conf").unwrap(), b"seed");
    fs.push(
        "/etc/svc/new.conf",
        b"new".to_vec(),
        &PushOptions::default(),
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("new.conf")).unwrap(),
        "new"
    );
    fs.make_dir("/etc/svc/d", &MakeDirOptions::default())
        .unwrap();
    assert!(dir.path().join("d").is_dir());
    let infos = fs.list_files("/etc/svc", None, false).unwrap();
    assert_eq!(names(&infos), ["d", "new.conf", "seed.conf"]);
    assert_eq!(infos[1].path, "/etc/svc/new.conf");
    assert_eq!(infos[1].permissions, 0o644);
    assert_eq!(infos[1].size, Some(3));
    assert!(infos[1].last_modified.ends_with('Z'));
    // The mount point is a directory in its parent's listing.
    let etc = fs.list_files("/etc", None, false).unwrap();
    assert_eq!(names(&etc), ["svc"]);
    assert_eq!(etc[0].file_type, "directory");
    assert!(fs.list_files("/etc/svc", None, true).unwrap()[0].file_type == "directory");
    fs.remove_path("/etc/svc/new.conf", false).unwrap();
    assert!(!dir.path().join("new.conf").exists());
    fs.remove_path("/etc/svc/d", false).unwrap();
    fs.push("/etc/outside", b"o".to_vec(), &PushOptions::default())
        .unwrap();
    assert_eq!(fs.into_files().keys().collect::<Vec<_>>(), ["/etc/outside"]);
}

// The same errors on a mount as in memory.
#[test]
fn mount_errors() {
    let (dir, mut fs) = mount_fs("/data");
    std::fs::create_dir(dir.path().join("full")).unwrap();
    std::fs::write(dir.path().join("full/f"), "f").unwrap();
    assert_eq!(
        fs.pull("/data/missing"),
        Err(path_err(
            "not-found",
            "stat /data/missing: no such file or directory"
        ))
    );
    assert_eq!(
        fs.pull("/data/full"),
        Err(path_err(
            "generic-file-error",
            "can only read a regular file: \"/data/full\""
        ))
    );
    assert_eq!(
        fs.list_files("/data/missing", None, false),
        Err(PebbleError::not_found(
            "stat /data/missing: no such file or directory"
        ))
    );
    assert_eq!(
        fs.push("/data/no/f", vec![], &PushOptions::default()),
        Err(path_err("not-found", "parent directory not found: 2"))
    );
    assert_eq!(
        fs.make_dir("/data/full", &MakeDirOptions::default()),
        Err(path_err(
            "generic-file-error",
            "mkdir /data/full: file exists"
        ))
    );
    assert_eq!(
        fs.remove_path("/data/full", false),
        Err(path_err(
            "generic-file-error",
            "cannot remove non-empty directory without recursive=True"
        ))
    );
    assert_eq!(
        fs.remove_path("/data", true),
        Err(path_err(
            "generic-file-error",
            "remove /data: device or resource busy"
        ))
    );
    fs.remove_path("/data/full", true).unwrap();
    assert!(!dir.path().join("full").exists());
    fs.push(
        "/data/x/y",
        b"y".to_vec(),
        &PushOptions {
            make_dirs: true,
            ..PushOptions::default()
        },
    )
    .unwrap();
    assert_eq!(std::fs::read(dir.path().join("x/y")).unwrap(), b"y");
}

// Seeded files inside a mount are hidden by it (and are not in the output).
#[test]
fn mount_shadows_seeded_files() {
    let dir = tempfile::tempdir().unwrap();
    let files = BTreeMap::from([("/m/hidden".to_owned(), ContainerFile::from("h"))]);
    let mounts = BTreeMap::from([("m".to_owned(), Mount::new("/m", dir.path()))]);
    let fs = Filesystem::new(&files, &mounts);
    assert!(fs.pull("/m/hidden").is_err());
    assert!(fs.into_files().is_empty());
}

#[test]
fn helpers() {
    assert_eq!(normalize("/a//b/./c/../d/"), "/a/b/d");
    assert_eq!(normalize("/"), "/");
    assert_eq!(py_dirname("/a/b"), "/a");
    assert_eq!(py_dirname("/a"), "/");
    assert_eq!(py_dirname("/a//b"), "/a");
    assert_eq!(py_repr("it's"), "\"it's\"");
    assert_eq!(py_repr("a\nb"), "'a\\nb'");
    assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
    assert_eq!(rfc3339_utc(1_767_225_600), "2026-01-01T00:00:00Z");
    assert_eq!(rfc3339_utc(951_782_400 + 3661), "2000-02-29T01:01:01Z");
}
