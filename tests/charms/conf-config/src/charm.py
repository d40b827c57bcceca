#!/usr/bin/env python3
"""Conf-config charm: every config option type, read back and logged.

Exercises config-get: each option's value and Python type (str, int, float,
bool, unset options without a default), `self.config.get`, `in`, and
iterating the config; the status summarises what was read.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


class ConfConfigCharm(ops.CharmBase):
    """Charm that logs its whole config on every lifecycle event it observes."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.start, self._on_config_changed)

    def _on_config_changed(self, event: ops.EventBase) -> None:
        for key in sorted(self.config.keys()):
            value = self.config[key]
            logger.info(f"{key}={value!r} ({type(value).__name__})")
        logger.info(f"name in config: {'name' in self.config}")
        logger.info(f"count: {self.config.get('count', 'unset')!r}")
        self.unit.status = ops.ActiveStatus(
            f"{self.config['greeting']} {self.config['port']} {self.config['debug']}"
        )


if __name__ == "__main__":  # pragma: nocover
    ops.main(ConfConfigCharm)
