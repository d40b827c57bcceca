#!/usr/bin/env python3
"""A charm that reads a key no one else uses: the explorer's learned keys' test subject."""

import ops


class PickyCharm(ops.CharmBase):
    def __init__(self, framework: ops.Framework):
        super().__init__(framework)
        framework.observe(self.on.api_relation_changed, self._on_api_changed)

    def _on_api_changed(self, event: ops.RelationChangedEvent):
        if event.app is None:
            return
        version = event.relation.data[event.app].get("api-version")
        if version is None:
            return
        # The bug: a version that is not "N" or "N.M" (ValueError).
        major = int(version.split(".")[0])
        self.unit.status = ops.ActiveStatus(f"api v{major}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(PickyCharm)
