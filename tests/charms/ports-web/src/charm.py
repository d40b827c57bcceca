#!/usr/bin/env python3
"""Ports-web charm: opens and closes ports with every ops API for it.

- config-changed: `open_port` 8080/tcp, 53/udp and icmp, then `close_port` each
  port the `close` option lists.
- start: `set_ports` with the ports the `set-ports` option lists (a bare number
  is a TCP port; "none" sets no ports).
- update-status: the probe named by the `probe` option.

Every handler logs `opened: <sorted ports>` from `opened_ports()`.
"""

from __future__ import annotations

import logging

import ops

logger = logging.getLogger(__name__)


def _parse(spec: str) -> tuple[str, int | None]:
    """'8080/tcp' -> ('tcp', 8080); 'icmp' -> ('icmp', None); '80' -> ('tcp', 80)."""
    if spec == "icmp":
        return "icmp", None
    port, _, protocol = spec.partition("/")
    return protocol or "tcp", int(port)


class PortsWebCharm(ops.CharmBase):
    """Charm that manages its open ports."""

    def __init__(self, framework: ops.Framework) -> None:
        super().__init__(framework)
        framework.observe(self.on.config_changed, self._on_config_changed)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.update_status, self._on_update_status)

    def _log_opened(self) -> str:
        ports = sorted(
            f"{p.port}/{p.protocol}" if p.port is not None else p.protocol
            for p in self.unit.opened_ports()
        )
        types = sorted({type(p).__name__ for p in self.unit.opened_ports()})
        logger.info(f"opened: {ports} as {types}")
        return " ".join(ports)

    def _on_config_changed(self, event: ops.ConfigChangedEvent) -> None:
        self.unit.open_port("tcp", 8080)
        self.unit.open_port("udp", 53)
        self.unit.open_port("icmp")
        for spec in filter(None, str(self.config["close"]).split(",")):
            protocol, port = _parse(spec.strip())
            self.unit.close_port(protocol, port)  # type: ignore[arg-type]
        self.unit.status = ops.ActiveStatus(f"open: {self._log_opened()}")

    def _on_start(self, event: ops.StartEvent) -> None:
        spec = str(self.config["set-ports"])
        ports: list[int | ops.Port] = []
        for item in filter(None, spec.split(",")):
            item = item.strip()
            if item == "none":
                continue
            if item.isdigit():
                ports.append(int(item))
            else:
                protocol, port = _parse(item)
                ports.append(ops.Port(protocol, port))  # type: ignore[arg-type]
        self.unit.set_ports(*ports)
        self.unit.status = ops.ActiveStatus(f"open: {self._log_opened()}")

    def _on_update_status(self, event: ops.UpdateStatusEvent) -> None:
        name = str(self.config["probe"])
        calls = {
            "icmp-with-port": lambda: self.unit.open_port("icmp", 8),
            "tcp-without-port": lambda: self.unit.open_port("tcp"),
            "out-of-range": lambda: self.unit.open_port("tcp", 70000),
            "zero": lambda: self.unit.open_port("udp", 0),
            "bad-protocol": lambda: self.unit.open_port("sctp", 80),  # type: ignore[arg-type]
            "upper-case": lambda: self.unit.open_port("TCP", 9000),  # type: ignore[arg-type]
            "close-unopened": lambda: self.unit.close_port("tcp", 1234),
            "close-bad": lambda: self.unit.close_port("icmp", 1),
        }
        try:
            calls[name]()
            result = "ok"
        except ops.ModelError as e:
            result = f"ModelError: {str(e).strip()}"
        logger.info(f"probe {name}: {result}")
        self.unit.status = ops.ActiveStatus(f"probe {name}: {self._log_opened()}")


if __name__ == "__main__":  # pragma: nocover
    ops.main(PortsWebCharm)
