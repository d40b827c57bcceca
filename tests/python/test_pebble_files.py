"""Container files: push and pull through Pebble, seen from the test through
`Container.get_filesystem(ctx)` and through `tmp_path` mounts."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from ops import testing

from conftest import load_charm, log_messages

FILES = load_charm("pebble-files")
FilesCharm = FILES.charm_class("FilesCharm")
ONE_MIB = bytes(range(256)) * 4096


@pytest.fixture
def ctx() -> testing.Context[Any]:
    return testing.Context(FilesCharm, meta=FILES.meta, config=FILES.config)


def run_probe(
    ctx: testing.Context[Any], probe: str, container: testing.Container
) -> tuple[testing.State, dict[str, str]]:
    """Run the charm's `probe` on config-changed; the output State and its `step: result` lines."""
    state_out = ctx.run(
        ctx.on.config_changed(), testing.State(containers={container}, config={"probe": probe})
    )
    assert state_out.unit_status == testing.ActiveStatus(f"probe {probe} done")
    prefix = f"probe {probe} "
    lines = {}
    for message in log_messages(ctx.juju_log, "INFO"):
        if message.startswith(prefix):
            step, _, result = message[len(prefix) :].partition(": ")
            lines[step] = result
    return state_out, lines


def workload(**kwargs: Any) -> testing.Container:
    return testing.Container("workload", can_connect=True, **kwargs)


def test_push_of_every_source_kind(ctx: testing.Context[Any]) -> None:
    state_out, lines = run_probe(ctx, "push-kinds", workload())

    assert lines["pull /data/str.txt"] == "'text\\n'"
    assert lines["pull /data/stringio.txt"] == "'from a text stream\\n'"
    assert lines["pull /data/bytes.bin"] == "b'\\x00\\x01\\xff'"
    assert lines["pull /data/bytesio.bin"] == "b'from a byte stream\\n'"
    assert lines["pull /data/latin1.txt"] == "b'caf\\xe9'"
    assert lines["pull /data/latin1.txt as latin-1"] == "'café'"
    root = state_out.get_container("workload").get_filesystem(ctx)
    assert (root / "data" / "str.txt").read_text() == "text\n"
    assert (root / "data" / "bytes.bin").read_bytes() == b"\x00\x01\xff"


def test_pull_through_mounts(ctx: testing.Context[Any], tmp_path: Path) -> None:
    etc, srv = tmp_path / "etc", tmp_path / "srv"
    etc.mkdir()
    srv.mkdir()
    (etc / "app.conf").write_text("mounted\n")
    (srv / "blob.bin").write_bytes(b"\xff")
    container = workload(
        mounts={
            "etc": testing.Mount(location="/etc", source=etc),
            "srv": testing.Mount(location="/srv", source=srv),
        }
    )

    _, lines = run_probe(ctx, "pull", container)

    assert lines["text"] == "'mounted\\n'"
    assert lines["bytes"] == "bytes b'\\xff'"
    assert lines["missing"] == "PathError not-found"


def test_list_files(ctx: testing.Context[Any], tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "main.conf").write_text("12345")
    (tmp_path / "app" / "extra.conf").write_text("")
    (tmp_path / "app" / "README").write_text("")
    (tmp_path / "app" / "conf.d").mkdir()
    container = workload(mounts={"etc": testing.Mount(location="/etc", source=tmp_path)})

    _, lines = run_probe(ctx, "list", container)

    assert lines["dir"] == (
        "[('README', 'file'), ('conf.d', 'directory'), ('extra.conf', 'file'),"
        " ('main.conf', 'file')]"
    )
    assert lines["pattern"] == "[('extra.conf', 'file'), ('main.conf', 'file')]"
    assert lines["file"] == "[('main.conf', 'file')]"
    assert lines["missing"] == "APIError 404"
    assert lines["main.conf"].startswith("/etc/app/main.conf 5 ")


def test_exists_and_isdir(ctx: testing.Context[Any], tmp_path: Path) -> None:
    # ops.testing empties a container's filesystem at the start of every run: files a test
    # wants the charm to find come in through mounts.
    (tmp_path / "app.conf").write_text("x")
    container = workload(mounts={"etc": testing.Mount(location="/etc", source=tmp_path)})

    _, lines = run_probe(ctx, "exists", container)

    assert lines["/etc/app.conf"] == "exists=True isdir=False"
    # Not `isdir=True`: ops.testing makes a mount point a symlink, which isdir() does not follow.
    assert lines["/etc"].startswith("exists=True ")
    assert lines["/nope"] == "exists=False isdir=False"


def test_make_dir(ctx: testing.Context[Any]) -> None:
    container = workload()
    root = container.get_filesystem(ctx)
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "app.conf").write_text("x")

    state_out, lines = run_probe(ctx, "make-dir", container)

    assert lines["with parents"] == "ok"
    assert lines["missing parent"] == "PathError not-found"
    assert lines["isdir /a/b"] == "True"
    assert (state_out.get_container("workload").get_filesystem(ctx) / "a" / "b" / "c").is_dir()


def test_remove_path(ctx: testing.Context[Any], tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "one.txt").write_text("1")
    (tmp_path / "keep.txt").write_text("k")
    (tmp_path / "empty").mkdir()
    container = workload(mounts={"srv": testing.Mount(location="/srv", source=tmp_path)})

    _, lines = run_probe(ctx, "remove", container)

    assert lines["still there"] == "True"
    assert lines["recursive"] == "ok"
    assert lines["gone"] == "True"
    assert lines["file"] == "ok"
    assert lines["empty dir"] == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_push_path_and_pull_path(ctx: testing.Context[Any]) -> None:
    state_out, lines = run_probe(ctx, "push-pull-path", workload())

    assert lines["pushed"] == "[('a.txt', 'file'), ('sub', 'directory')]"
    assert lines["pushed sub"] == "[('b.txt', 'file')]"
    assert lines["pulled"] == "[('bundle/a.txt', 'alpha\\n'), ('bundle/sub/b.txt', 'beta\\n')]"
    bundle = state_out.get_container("workload").get_filesystem(ctx) / "opt" / "bundle"
    assert (bundle / "sub" / "b.txt").read_text() == "beta\n"


def test_a_large_file_round_trips(ctx: testing.Context[Any]) -> None:
    state_out, lines = run_probe(ctx, "large", workload())

    assert lines["size"] == str(len(ONE_MIB))
    assert lines["same"] == "True"
    assert lines["sha256"] == hashlib.sha256(ONE_MIB).hexdigest()
    pushed = state_out.get_container("workload").get_filesystem(ctx) / "srv" / "large.bin"
    assert pushed.read_bytes() == ONE_MIB


def test_charm_writes_land_in_the_mounted_directory(
    ctx: testing.Context[Any], tmp_path: Path
) -> None:
    (tmp_path / "old.txt").write_text("stale")
    container = workload(mounts={"data": testing.Mount(location="/var/lib/app", source=tmp_path)})

    _, lines = run_probe(ctx, "mount-write", container)

    assert (tmp_path / "result.txt").read_text() == "written by the charm\n"
    assert (tmp_path / "out" / "deep" / "result.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "made").is_dir()
    assert not (tmp_path / "old.txt").exists()
    assert lines["reads back"] == "'written by the charm\\n'"


def test_mount_read(ctx: testing.Context[Any], tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_text("seeded\n")
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "deep.txt").write_text("deep\n")
    container = workload(mounts={"data": testing.Mount(location="/var/lib/app", source=tmp_path)})

    _, lines = run_probe(ctx, "mount-read", container)

    assert lines["seed"] == "'seeded\\n'"
    assert lines["nested"] == "'deep\\n'"
    assert lines["listing"] == "[('nested', 'directory'), ('seed.txt', 'file')]"
    assert lines["missing"] == "PathError not-found"


def test_a_mount_of_a_single_file(ctx: testing.Context[Any], tmp_path: Path) -> None:
    conf = tmp_path / "app.conf"
    conf.write_text("from the host\n")
    container = workload(mounts={"conf": testing.Mount(location="/etc/app/app.conf", source=conf)})

    _, lines = run_probe(ctx, "mount-file", container)

    assert lines["read"] == "'from the host\\n'"
    # The listing differs: ops.testing mounts with a symlink, which Pebble would list as a file.
    assert lines["reads back"] == "'rewritten\\n'"
    assert conf.read_text() == "rewritten\n"
