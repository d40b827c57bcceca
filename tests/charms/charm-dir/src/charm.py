#!/usr/bin/env python3
"""Charm-dir charm: files shipped with the charm, sibling modules, libs, env.

Exercises `self.charm_dir` (reads templates/motd.txt), importing a sibling
module from src/ (`helpers`) and a library from lib/
(`charms.demo.v0.banner`), and logs the JUJU_* environment variables that
dispatch sets.
"""

from __future__ import annotations

import logging
import os

import helpers
import ops
from charms.demo.v0.banner import BANNER

logger = logging.getLogger(__name__)


class CharmDirCharm(ops.CharmBase):
    """Charm that renders a template from its charm directory."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event: ops.StartEvent) -> None:
        template = (self.charm_dir / "templates" / "motd.txt").read_text()
        rendered = helpers.render(template, self.unit.name)
        for var in (
            "JUJU_UNIT_NAME",
            "JUJU_MODEL_NAME",
            "JUJU_VERSION",
            "JUJU_DISPATCH_PATH",
            "JUJU_CHARM_DIR",
        ):
            logger.info(f"env {var}={os.environ.get(var)}")
        logger.info(f"banner {BANNER}")
        self.unit.status = ops.ActiveStatus(rendered.strip())


if __name__ == "__main__":  # pragma: nocover
    ops.main(CharmDirCharm)
