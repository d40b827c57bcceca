#!/usr/bin/env python3
"""Exec probes: the `container.exec` test charm.

Exercises, one probe per value of the `probe` option, run on config-changed: which result
the longest matching command prefix gives (`wait_output`); a non-zero exit code raising
`ExecError` from `wait()` and from `wait_output()` with the output; stdin given as a
string, as bytes and written to `process.stdin`; stdout and stderr streams the charm
passes in; `encoding=None` giving bytes; every argument `exec` takes (environment,
working_dir, user and group by name and id, timeout, combine_stderr); and a command with
no result in the State. Results are logged as `probe <name> <step>: <result>`.
"""

from __future__ import annotations

import io
import logging

import ops

logger = logging.getLogger(__name__)


class ExecCharm(ops.CharmBase):
    """Runs the exec probe the config names in the `workload` container."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        self.container = self.unit.get_container("workload")

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        probe = str(self.config["probe"])
        method = getattr(self, "_probe_" + probe.replace("-", "_"), None)
        if method is None:
            self.unit.status = ops.BlockedStatus(f"unknown probe {probe!r}")
            return
        self._probe = probe
        method()
        self.unit.status = ops.ActiveStatus(f"probe {probe} done")

    def _log(self, step: str, result: object) -> None:
        logger.info("probe %s %s: %s", self._probe, step, result)

    def _output(self, command: list[str]) -> str:
        """`command`'s stdout and stderr, or how it failed."""
        try:
            stdout, stderr = self.container.exec(command).wait_output()
        except ops.pebble.ExecError as e:
            return f"ExecError exit={e.exit_code} stdout={e.stdout!r} stderr={e.stderr!r}"
        return f"stdout={stdout!r} stderr={stderr!r}"

    # --- probes ------------------------------------------------------------------------

    def _probe_prefixes(self) -> None:
        for command in (
            ["git", "log", "--oneline"],
            ["git", "log"],
            ["git", "status"],
            ["git"],
            ["ls", "-l"],
        ):
            self._log(" ".join(command), self._output(command))

    def _probe_failures(self) -> None:
        process = self.container.exec(["migrate", "--apply"])
        try:
            process.wait()
        except ops.pebble.ExecError as e:
            self._log("wait", f"ExecError exit={e.exit_code} command={e.command}")
        else:
            self._log("wait", "no error")
        self._log("wait_output", self._output(["migrate", "--apply"]))

    def _probe_unmocked(self) -> None:
        try:
            self.container.exec(["rm", "-rf", "/tmp/cache"]).wait()
        except ops.pebble.ExecError as e:
            self._log("exit", e.exit_code)
            self._log("has a hint", bool(e.stderr))
            self._log("stderr", e.stderr)
        else:
            self._log("exit", "no error")

    def _probe_stdin(self) -> None:
        c = self.container
        c.exec(["psql"], stdin="SELECT 1;").wait_output()
        c.exec(["psql", "--binary"], stdin=b"\x00bytes", encoding=None).wait_output()
        c.exec(["psql", "--stream"], stdin=io.StringIO("from a stream")).wait_output()
        process = c.exec(["psql", "--interactive"])
        assert process.stdin is not None
        process.stdin.write("typed in")
        process.stdin.close()
        process.wait_output()
        c.exec(["psql", "--quiet"]).wait_output()  # read an empty stdin
        c.exec(["psql", "--idle"])  # never waited for: nothing read yet

    def _probe_streams(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        self.container.exec(["report"], stdout=out, stderr=err).wait()
        self._log("stdout stream", repr(out.getvalue()))
        self._log("stderr stream", repr(err.getvalue()))
        raw, _ = self.container.exec(["report"], encoding=None).wait_output()
        self._log("bytes", f"{type(raw).__name__} {raw!r}")

    def _probe_arguments(self) -> None:
        c = self.container
        c.exec(
            ["backup", "--all"],
            environment={"PGHOST": "db", "PGUSER": "backup"},
            working_dir="/var/backups",
            user="postgres",
            group="postgres",
            timeout=30.5,
            combine_stderr=True,
        ).wait_output()
        c.exec(["backup", "--list"], user_id=70, group_id=71, encoding=None).wait_output()
        c.exec(["backup"]).wait()


if __name__ == "__main__":  # pragma: nocover
    ops.main(ExecCharm)
