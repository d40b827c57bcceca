#!/usr/bin/env python3
"""Filesystem probes: the container-filesystem test charm.

Exercises Pebble's file API and its errors, one probe per value of the `probe` option, run
on config-changed: `push` of str, bytes and file-like sources and with another encoding;
`push` without `make_dirs` under a missing directory; `pull` as text and as bytes
(`encoding=None`), of a missing file and of a directory; `list_files` of a directory, of
the directory itself, with a pattern, of a file and of a missing path; `exists` and
`isdir`; `make_dir` with and without `make_parents`, on an existing directory and under a
missing one; `remove_path` of a non-empty directory with and without `recursive` and of a
missing path; `push_path` and `pull_path` through local temporary directories; a 1 MiB
file; and reading and writing under a mount. Every result is logged as
`probe <name> <step>: <result>`, an exception as its type and Pebble kind or code.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tempfile
from collections.abc import Callable

import ops

logger = logging.getLogger(__name__)

ONE_MIB = bytes(range(256)) * 4096


def _describe(exc: Exception) -> str:
    """An exception as `Type kind` (PathError) or `Type code` (APIError)."""
    name = type(exc).__name__
    if isinstance(exc, ops.pebble.PathError):
        return f"{name} {exc.kind}"
    if isinstance(exc, ops.pebble.APIError):
        return f"{name} {exc.code}"
    return name


class FilesCharm(ops.CharmBase):
    """Runs the probe the config names against the `workload` container."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        self.container = self.unit.get_container("workload")

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        probe = str(self.config["probe"])
        if not probe:
            self.unit.status = ops.BlockedStatus("no probe")
            return
        method = getattr(self, "_probe_" + probe.replace("-", "_"), None)
        if method is None:
            self.unit.status = ops.BlockedStatus(f"unknown probe {probe}")
            return
        self._probe = probe
        method()
        self.unit.status = ops.ActiveStatus(f"probe {probe} done")

    def _log(self, step: str, result: object) -> None:
        logger.info("probe %s %s: %s", self._probe, step, result)

    def _try(self, step: str, call: Callable[[], object]) -> None:
        """Log what `call` returns, or the exception it raises."""
        try:
            result = call()
        except Exception as e:  # noqa: BLE001 - the probe reports every failure
            self._log(step, _describe(e))
        else:
            self._log(step, "ok" if result is None else result)

    def _read(self, path: str, encoding: str | None = "utf-8") -> object:
        with self.container.pull(path, encoding=encoding) as f:
            return f.read()

    def _names(self, path: str, **kwargs: object) -> list[tuple[str, str]]:
        infos = self.container.list_files(path, **kwargs)  # type: ignore[arg-type]
        return sorted((info.name, info.type.value) for info in infos)

    # --- probes ------------------------------------------------------------------------

    def _probe_push_kinds(self) -> None:
        c = self.container
        c.push("/data/str.txt", "text\n", make_dirs=True)
        c.push("/data/bytes.bin", b"\x00\x01\xff", make_dirs=True)
        c.push("/data/stringio.txt", io.StringIO("from a text stream\n"))
        c.push("/data/bytesio.bin", io.BytesIO(b"from a byte stream\n"))
        c.push("/data/latin1.txt", "café", encoding="latin-1")
        c.push("/data/secret.txt", "s3cret", permissions=0o600, user_id=1000, group_id=1000)
        for path in ["/data/str.txt", "/data/stringio.txt"]:
            self._log(f"pull {path}", repr(self._read(path)))
        for path in ["/data/bytes.bin", "/data/bytesio.bin", "/data/latin1.txt"]:
            self._log(f"pull {path}", repr(self._read(path, encoding=None)))
        latin1 = self._read("/data/latin1.txt", "latin-1")
        self._log("pull /data/latin1.txt as latin-1", repr(latin1))
        info = c.list_files("/data/secret.txt")[0]
        self._log("secret.txt", f"{info.permissions:o} {info.user_id} {info.group_id} {info.size}")

    def _probe_missing_parent(self) -> None:
        self._try("push", lambda: self.container.push("/nowhere/file.txt", "x"))
        self._log("exists /nowhere", self.container.exists("/nowhere"))

    def _probe_pull(self) -> None:
        self._log("text", repr(self._read("/etc/app.conf")))
        data = self._read("/srv/blob.bin", encoding=None)
        self._log("bytes", f"{type(data).__name__} {data!r}")
        self._try("missing", lambda: self._read("/etc/missing.conf"))
        self._try("directory", lambda: self._read("/etc"))

    def _probe_list(self) -> None:
        self._log("dir", self._names("/etc/app"))
        self._log("itself", self._names("/etc/app", itself=True))
        self._log("pattern", self._names("/etc/app", pattern="*.conf"))
        self._log("file", self._names("/etc/app/main.conf"))
        self._log("root has", [n for n, _ in self._names("/") if n == "etc"])
        self._try("missing", lambda: self._names("/nope"))
        info = self.container.list_files("/etc/app/main.conf")[0]
        self._log("main.conf", f"{info.path} {info.size} {info.permissions:o}")

    def _probe_exists(self) -> None:
        c = self.container
        for path in ["/etc/app.conf", "/etc", "/nope", "/etc/app.conf/x"]:
            self._log(f"{path}", f"exists={c.exists(path)} isdir={c.isdir(path)}")

    def _probe_make_dir(self) -> None:
        c = self.container
        self._try("existing", lambda: c.make_dir("/etc"))
        self._try("existing with parents", lambda: c.make_dir("/etc", make_parents=True))
        self._try("missing parent", lambda: c.make_dir("/a/b/c"))
        self._try(
            "with parents", lambda: c.make_dir("/a/b/c", make_parents=True, permissions=0o700)
        )
        self._try("under a file", lambda: c.make_dir("/etc/app.conf/sub"))
        self._log("isdir /a/b", c.isdir("/a/b"))

    def _probe_remove(self) -> None:
        c = self.container
        self._try("non-empty", lambda: c.remove_path("/srv/data"))
        self._log("still there", c.exists("/srv/data/one.txt"))
        self._try("recursive", lambda: c.remove_path("/srv/data", recursive=True))
        self._log("gone", not c.exists("/srv/data"))
        self._try("missing", lambda: c.remove_path("/srv/missing"))
        self._try("missing recursive", lambda: c.remove_path("/srv/missing", recursive=True))
        self._try("file", lambda: c.remove_path("/srv/keep.txt"))
        self._try("empty dir", lambda: c.remove_path("/srv/empty"))

    def _probe_push_pull_path(self) -> None:
        c = self.container
        with tempfile.TemporaryDirectory() as local:
            os.makedirs(os.path.join(local, "sub"))
            with open(os.path.join(local, "a.txt"), "w") as f:
                f.write("alpha\n")
            with open(os.path.join(local, "sub", "b.txt"), "w") as f:
                f.write("beta\n")
            c.push_path(os.path.join(local, "*"), "/opt/bundle")
        self._log("pushed", self._names("/opt/bundle"))
        self._log("pushed sub", self._names("/opt/bundle/sub"))
        with tempfile.TemporaryDirectory() as local:
            c.pull_path("/opt/bundle", local)
            pulled = []
            for root, _, files in os.walk(local):
                for name in files:
                    path = os.path.join(root, name)
                    with open(path) as f:
                        pulled.append((os.path.relpath(path, local), f.read()))
            self._log("pulled", sorted(pulled))
        try:
            with tempfile.TemporaryDirectory() as local:
                c.pull_path("/opt/missing", local)
        except ops.MultiPushPullError as e:
            self._log("pull missing", [(src, _describe(err)) for src, err in e.errors])

    def _probe_large(self) -> None:
        self.container.push("/srv/large.bin", ONE_MIB, make_dirs=True)
        data = self._read("/srv/large.bin", encoding=None)
        assert isinstance(data, bytes)
        self._log("size", len(data))
        self._log("same", data == ONE_MIB)
        self._log("sha256", hashlib.sha256(data).hexdigest())
        self._log("listed size", self.container.list_files("/srv/large.bin")[0].size)

    def _probe_mount_read(self) -> None:
        self._log("seed", repr(self._read("/var/lib/app/seed.txt")))
        self._log("nested", repr(self._read("/var/lib/app/nested/deep.txt")))
        self._log("listing", self._names("/var/lib/app"))
        self._try("missing", lambda: self._read("/var/lib/app/missing.txt"))

    def _probe_mount_file(self) -> None:
        # A mount of a single host file at /etc/app/app.conf.
        self._log("read", repr(self._read("/etc/app/app.conf")))
        self._log("listing", self._names("/etc/app"))
        self.container.push("/etc/app/app.conf", "rewritten\n")
        self._log("reads back", repr(self._read("/etc/app/app.conf")))

    def _probe_mount_write(self) -> None:
        c = self.container
        c.push("/var/lib/app/result.txt", "written by the charm\n")
        c.push("/var/lib/app/out/deep/result.bin", b"\x00\x01", make_dirs=True)
        c.make_dir("/var/lib/app/made")
        c.remove_path("/var/lib/app/old.txt")
        self._log("listing", self._names("/var/lib/app"))
        self._log("reads back", repr(self._read("/var/lib/app/result.txt")))


if __name__ == "__main__":  # pragma: nocover
    ops.main(FilesCharm)
