#!/usr/bin/env python3
"""Write the answers of the fake `juju` (tests/data/snapshot/fake-juju/juju) for tests/snapshot.rs.

Each scenario folder holds one file per command answer, and `commands.json`, which maps the
command line (the arguments after `juju`, joined by spaces) to its answer:

    "status --relations --format json": "status.json"                     print the file
    "ssh ... pebble plan": {"stderr": "x.stderr", "exit": 1}               fail
    "exec ...": {"stdout": "x.json", "stderr": "x.stderr", "exit": 1}      both
    "scp --container web web/0:/etc/x": {"copy": "x.conf"}                 (scp's destination,
                                                                             its last argument,
                                                                             is left out of the key)

The answers have the shapes the real client prints (Juju 3.6), each noted where it is
written below with the Juju source file that defines it. `juju` prints JSON with Go's
`json.Marshal` (cmd.FormatJson): compact, one line, struct fields in declaration order, map
keys sorted, and `<`, `>`, `&` escaped as \\u003c, \\u003e, \\u0026.

The units' ops state databases are made with ops itself (ops.storage.SQLiteStorage), so
run this with the project venv:

    .venv/bin/python tests/data/snapshot/make_fixtures.py
"""

from __future__ import annotations

import base64
import json
import pathlib
import tempfile

from ops.storage import SQLiteStorage

HERE = pathlib.Path(__file__).parent


def go_json(value: object) -> str:
    """JSON as Go's json.Marshal writes it, plus the newline cmd.FormatJson adds."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") + "\n"


def exec_task(unit: str, task_id: int, stdout: str = "", stderr: str = "", code: int = 0) -> str:
    """`juju exec --format json --unit <unit> -- ...`: the operation results by unit
    (cmd/juju/action/exec.go and its operation-result formatter): a map, so keys sorted."""
    results: dict[str, object] = {"return-code": code}
    if stderr:
        results["stderr"] = stderr
    if stdout:
        results["stdout"] = stdout
    return go_json(
        {unit: {"id": str(task_id), "results": results, "status": "completed", "unit": unit}}
    )


class Scenario:
    """One folder of answers."""

    def __init__(self, name: str, unit: str, model_flag: list[str]) -> None:
        self.dir = HERE / name
        self.dir.mkdir(exist_ok=True)
        for old in self.dir.iterdir():
            old.unlink()
        self.unit = unit
        self.model_flag = model_flag
        self.commands: dict[str, object] = {}
        self.task = 30

    def key(self, sub: str, *args: str) -> str:
        flag = [] if sub == "models" else self.model_flag
        return " ".join([sub, *flag, *args])

    def write(self, file: str, text: str | bytes) -> str:
        path = self.dir / file
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return file

    def answer(self, file: str, text: str, sub: str, *args: str) -> None:
        self.commands[self.key(sub, *args)] = self.write(file, text)

    def fail(self, file: str, stderr: str, sub: str, *args: str, stdout: str = "") -> None:
        entry: dict[str, object] = {"stderr": self.write(file + ".stderr", stderr), "exit": 1}
        if stdout:
            entry["stdout"] = self.write(file + ".json", stdout)
        self.commands[self.key(sub, *args)] = entry

    def exec(self, file: str, stdout: str, *command: str) -> None:
        self.task += 1
        self.answer(
            file,
            exec_task(self.unit, self.task, stdout=stdout),
            "exec",
            "--format",
            "json",
            "--unit",
            self.unit,
            "--",
            *command,
        )

    def copy(self, file: str, content: str, container: str, path: str) -> None:
        self.commands[self.key("scp", "--container", container, f"{self.unit}:{path}")] = {
            "copy": self.write(file, content)
        }

    def done(self) -> None:
        (self.dir / "commands.json").write_text(json.dumps(self.commands, indent=2) + "\n")


def unit_state_db(snapshots: dict[str, dict], notices: list[tuple[str, str, str]]) -> bytes:
    """An ops unit-state database, written by ops' own SQLiteStorage."""
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / ".unit-state.db"
        store = SQLiteStorage(path)
        for handle, data in snapshots.items():
            store.save_snapshot(handle, data)
        for notice in notices:
            store.save_notice(*notice)
        store.commit()
        store.close()
        return path.read_bytes()


def status_info(current: str, message: str = "", since: str = "05 Dec 2025 10:00:00Z") -> dict:
    """`statusInfoContents` (cmd/juju/status/formatted.go): current, message, since, version."""
    info = {"current": current}
    if message:
        info["message"] = message
    info["since"] = since
    return info


def model_summary(name: str, uuid: str, model_type: str, cloud: str, provider: str) -> dict:
    """`ModelSummary` (cmd/juju/controller/listmodels.go), fields in declaration order."""
    return {
        "name": f"admin/{name}",
        "short-name": name,
        "model-uuid": uuid,
        "model-type": model_type,
        "controller-uuid": "3d5c1c4f-8c52-4e8a-9b8e-6f0c2a7d1e90",
        "controller-name": "dev",
        "is-controller": name == "controller",
        "cloud": cloud,
        "region": "localhost",
        "credential": {"name": cloud, "owner": "admin", "cloud": cloud},
        "type": provider,
        "life": "alive",
        "status": {"current": "available", "since": "2 hours ago"},
        "access": "admin",
        "last-connection": "just now",
        "agent-version": "3.6.1",
    }


def config_setting(option_type: str, source: str, value=None, default=None, description="") -> dict:
    """One option of `juju config <app> --format json` (cmd/juju/application/config.go): a
    map, so keys sorted; no `value` when unset, no `default` when there is none."""
    setting: dict[str, object] = {}
    if default is not None:
        setting["default"] = default
    setting["description"] = description
    setting["source"] = source
    setting["type"] = option_type
    if value is not None:
        setting["value"] = value
    return setting


def relation_info(rid, endpoint, related_endpoint, app_data, local, related) -> dict:
    """`RelationData` of `juju show-unit` (cmd/juju/application/showunit.go)."""
    return {
        "relation-id": rid,
        "endpoint": endpoint,
        "related-endpoint": related_endpoint,
        "application-data": app_data,
        "local-unit": {"in-scope": True, "data": local},
        "related-units": {name: {"in-scope": True, "data": data} for name, data in related.items()},
    }


def network(address: str, cidr: str, mac: str, interface: str = "eth0") -> str:
    """`network-get --format json` (jujuc/network-get.go, `networkInfoResultDisplay`)."""
    return go_json(
        {
            "bind-addresses": [
                {
                    "mac-address": mac,
                    "interface-name": interface,
                    "addresses": [{"hostname": "", "value": address, "cidr": cidr}],
                }
            ],
            "egress-subnets": [f"{address}/32"],
            "ingress-addresses": [address],
        }
    )


def unit_bag(address: str, **more: str) -> dict:
    return {
        "egress-subnets": f"{address}/32",
        "ingress-address": address,
        "private-address": address,
        **more,
    }


# ---------------------------------------------------------------------------------------
# A machine unit: gateway/0, a subordinate of ubuntu/0 with a peer, in model `edge`.

def machine() -> None:
    s = Scenario("machine", "gateway/0", ["-m", "edge"])
    me, peer, principal, pg = "10.42.0.11", "10.42.0.12", "10.42.0.11", "10.42.0.20"

    s.answer(
        "models.json",
        go_json(
            {
                "models": [
                    model_summary("controller", "0b1e7c9a-3f51-4d7e-a2c4-5e8f9d0a1b2c", "iaas", "localhost", "lxd"),
                    model_summary("edge", "7a1d2f38-9c4b-4e6a-8f15-2b3c4d5e6f70", "iaas", "localhost", "lxd"),
                ],
                "current-model": "controller",
            }
        ),
        "models",
        "--format",
        "json",
    )

    # `formattedStatus` and its parts (cmd/juju/status/formatted.go; the subordinate's units
    # appear only under its principal's units).
    def machine_status(n: str, address: str) -> dict:
        return {
            "juju-status": status_info("started", since="05 Dec 2025 09:00:00Z") | {"version": "3.6.1"},
            "hostname": f"juju-edge-{n}",
            "dns-name": address,
            "ip-addresses": [address],
            "instance-id": f"juju-edge-{n}",
            "machine-status": status_info("running", "Running"),
            "modification-status": status_info("idle"),
            "base": {"name": "ubuntu", "channel": "24.04"},
            "network-interfaces": {
                "eth0": {"ip-addresses": [address], "mac-address": f"00:16:3e:00:00:0{n}", "gateway": "10.42.0.1", "space": "alpha", "is-up": True}
            },
            "constraints": "arch=amd64",
            "hardware": "arch=amd64 cores=0 mem=0M virt-type=container",
        }

    status = {
        "model": {
            "name": "edge",
            "type": "iaas",
            "controller": "dev",
            "cloud": "localhost",
            "region": "localhost",
            "version": "3.6.1",
            "model-status": status_info("available"),
            "sla": "unsupported",
        },
        "machines": {"0": machine_status("0", principal), "1": machine_status("1", peer), "2": machine_status("2", pg)},
        "applications": {
            "gateway": {
                "charm": "local:snapshot-machine-0",
                "base": {"name": "ubuntu", "channel": "24.04"},
                "charm-origin": "local",
                "charm-name": "snapshot-machine",
                "charm-rev": 0,
                "exposed": False,
                "application-status": status_info("active", "db at 10.42.0.20 via 10.42.0.11, 1 peer(s), on ubuntu/0, log debug"),
                "relations": {
                    "cluster": [{"related-application": "gateway", "interface": "gateway-peers", "scope": "global"}],
                    "db": [{"related-application": "postgresql", "interface": "pgsql", "scope": "global"}],
                    "host": [{"related-application": "ubuntu", "interface": "juju-info", "scope": "container"}],
                },
                "subordinate-to": ["ubuntu"],
                "endpoint-bindings": {"": "alpha", "cluster": "alpha", "db": "alpha", "host": "alpha", "metrics": "alpha"},
            },
            "postgresql": {
                "charm": "postgresql",
                "base": {"name": "ubuntu", "channel": "22.04"},
                "charm-origin": "charmhub",
                "charm-name": "postgresql",
                "charm-rev": 468,
                "charm-channel": "14/stable",
                "exposed": False,
                "application-status": status_info("active"),
                "relations": {"database": [{"related-application": "gateway", "interface": "pgsql", "scope": "global"}]},
                "units": {
                    "postgresql/0": {
                        "workload-status": status_info("active", "Primary"),
                        "juju-status": status_info("idle") | {"version": "3.6.1"},
                        "leader": True,
                        "machine": "2",
                        "open-ports": ["5432/tcp"],
                        "public-address": pg,
                    }
                },
                "version": "14.12",
                "endpoint-bindings": {"": "alpha", "database": "alpha"},
            },
            "ubuntu": {
                "charm": "ubuntu",
                "base": {"name": "ubuntu", "channel": "24.04"},
                "charm-origin": "charmhub",
                "charm-name": "ubuntu",
                "charm-rev": 25,
                "charm-channel": "latest/stable",
                "exposed": False,
                "application-status": status_info("active"),
                "relations": {"juju-info": [{"related-application": "gateway", "interface": "juju-info", "scope": "container"}]},
                "units": {
                    "ubuntu/0": {
                        "workload-status": status_info("active"),
                        "juju-status": status_info("idle") | {"version": "3.6.1"},
                        "machine": "0",
                        "public-address": principal,
                        "subordinates": {
                            "gateway/0": {
                                "workload-status": status_info("active", "db at 10.42.0.20 via 10.42.0.11, 1 peer(s), on ubuntu/0, log debug"),
                                "juju-status": status_info("idle") | {"version": "3.6.1"},
                                "leader": True,
                                "open-ports": ["8080/tcp"],
                                "public-address": me,
                            }
                        },
                    },
                    "ubuntu/1": {
                        "workload-status": status_info("active"),
                        "juju-status": status_info("idle") | {"version": "3.6.1"},
                        "leader": True,
                        "machine": "1",
                        "public-address": peer,
                        "subordinates": {
                            "gateway/1": {
                                "workload-status": status_info("active", "db at 10.42.0.20 via 10.42.0.12, 1 peer(s), on ubuntu/1, log debug"),
                                "juju-status": status_info("idle") | {"version": "3.6.1"},
                                "public-address": peer,
                            }
                        },
                    },
                },
                "endpoint-bindings": {"": "alpha", "juju-info": "alpha"},
            },
        },
        "storage": {},
        "controller": {"timestamp": "10:02:03Z"},
    }
    s.answer("status.json", go_json(status), "status", "--relations", "--format", "json")

    # `UnitInfo` (cmd/juju/application/showunit.go).
    s.answer(
        "show-unit.json",
        go_json(
            {
                "gateway/0": {
                    "workload-version": "2.1.0",
                    "machine": "0",
                    "opened-ports": ["8080/tcp"],
                    "public-address": me,
                    "charm": "local:snapshot-machine-0",
                    "leader": True,
                    "life": "alive",
                    "relation-info": [
                        relation_info(1, "host", "juju-info", {}, unit_bag(me), {"ubuntu/0": unit_bag(principal)}),
                        relation_info(
                            2,
                            "cluster",
                            "cluster",
                            {"leader-host": me},
                            unit_bag(me, ready="true"),
                            {"gateway/1": unit_bag(peer, ready="true")},
                        ),
                        relation_info(
                            3,
                            "db",
                            "database",
                            {"host": pg, "port": "5432", "database": "gateway"},
                            unit_bag(me),
                            {"postgresql/0": unit_bag(pg, role="primary")},
                        ),
                    ],
                }
            }
        ),
        "show-unit",
        "gateway/0",
        "--format",
        "json",
    )
    # What a packed charm's metadata.yaml says (read when no --charm is given).
    s.answer(
        "metadata.yaml",
        (HERE / "../../charms/snapshot-machine/charmcraft.yaml").read_text().split("config:")[0]
        .replace("type: charm\n", ""),
        "ssh",
        "gateway/0",
        "cat",
        "/var/lib/juju/agents/unit-gateway-0/charm/metadata.yaml",
    )
    s.answer(
        "config.json",
        go_json(
            {
                "application": "gateway",
                "application-config": {
                    "trust": config_setting("bool", "default", False, False, "Does this application have access to trusted credentials")
                },
                "charm": "snapshot-machine",
                "settings": {
                    "debug": config_setting("boolean", "user", True, False, "Whether to log requests."),
                    "log-level": config_setting("string", "user", "debug", "info", "How much to log."),
                    "port": config_setting("int", "default", 8080, 8080, "The port the gateway listens on."),
                    "ratio": config_setting("float", "user", 0.25, 0.5, "The share of traffic sampled."),
                },
            }
        ),
        "config",
        "gateway",
        "--format",
        "json",
    )
    # relation-get --format json: the settings map (jujuc/relation-get.go), keys sorted.
    bags = {
        1: (unit_bag(me), {}),
        2: (unit_bag(me, ready="true"), {"leader-host": me}),
        3: (unit_bag(me), {"user": "gateway"}),
    }
    for rid, (unit_data, app_data) in bags.items():
        s.exec(f"exec-relation-get-{rid}-unit.json", go_json(unit_data), "relation-get", "--format", "json", "-r", str(rid), "-", "gateway/0")
        s.exec(f"exec-relation-get-{rid}-app.json", go_json(app_data), "relation-get", "--format", "json", "-r", str(rid), "--app", "-", "gateway")
    for binding in ["juju-info", "metrics", "cluster", "db"]:
        s.exec(f"exec-network-get-{binding}.json", network(me, "10.42.0.0/24", "00:16:3e:00:00:00"), "network-get", "--format", "json", binding)
    # secret-ids with none: a nil slice, which json.Marshal writes as null.
    s.exec("exec-secret-ids.json", "null\n", "secret-ids", "--format", "json")
    s.answer("secrets.json", go_json({}), "secrets", "--format", "json")
    db = unit_state_db(
        {
            "StoredStateData[_stored]": {"event_count": 14},
            "GatewayCharm/StoredStateData[_stored]": {
                "events": 11,
                "seen": ["install", "config_changed", "db_relation_changed"],
                "flags": {"ready"},
                "last": {"host": pg},
                "ratio": 0.25,
                "blob": b"\x00\x01",
                "big": 2**70,
                "pair": (1, "one"),
                "nothing": None,
                "keyed": {1: "one"},
                "frozen": frozenset({"x"}),
            },
            "GatewayCharm/on/config_changed[7]": {},
            "GatewayCharm/on/db_relation_changed[9]": {
                "relation_name": "db",
                "relation_id": 3,
                "app_name": "postgresql",
                "unit_name": "postgresql/0",
            },
        },
        [
            ("GatewayCharm/on/config_changed[7]", "GatewayCharm", "_on_config_changed"),
            ("GatewayCharm/on/db_relation_changed[9]", "GatewayCharm", "_on_db_relation_changed"),
        ],
    )
    s.exec(
        "exec-unit-state.json",
        base64.b64encode(db).decode(),
        "base64",
        "-w0",
        "/var/lib/juju/agents/unit-gateway-0/charm/.unit-state.db",
    )
    s.done()


# ---------------------------------------------------------------------------------------
# A Kubernetes unit: web/0, with two containers and secrets, in the current model `shop`.

OWNED = "d4ksbi7mp25c76e01vhg"
VAULT = "d4ksbjnmp25c76e01vi0"
OTHER = "d4ksbkfmp25c76e01vig"


def k8s() -> None:
    s = Scenario("k8s", "web/0", [])
    me, peer, traefik = "10.1.24.5", "10.1.24.6", "10.1.24.9"
    s.answer(
        "models.json",
        go_json(
            {
                "models": [
                    model_summary("controller", "c0ffee00-1111-4222-8333-444455556666", "caas", "microk8s", "kubernetes"),
                    model_summary("shop", "5e1f7a2b-8c3d-4e9f-a0b1-c2d3e4f5a6b7", "caas", "microk8s", "kubernetes"),
                ],
                "current-model": "shop",
            }
        ),
        "models",
        "--format",
        "json",
    )
    status = {
        "model": {
            "name": "shop",
            "type": "caas",
            "controller": "dev",
            "cloud": "microk8s",
            "region": "localhost",
            "version": "3.6.12",
            "model-status": status_info("available"),
            "sla": "unsupported",
        },
        "machines": {},
        "applications": {
            "traefik": {
                "charm": "traefik-k8s",
                "base": {"name": "ubuntu", "channel": "20.04"},
                "charm-origin": "charmhub",
                "charm-name": "traefik-k8s",
                "charm-rev": 203,
                "charm-channel": "latest/stable",
                "scale": 1,
                "provider-id": "4e1b3f5a-0000-4000-8000-000000000001",
                "address": "10.152.183.40",
                "exposed": False,
                "application-status": status_info("active", "Serving at 10.1.24.9"),
                "relations": {"ingress": [{"related-application": "web", "interface": "ingress", "scope": "global"}]},
                "units": {
                    "traefik/0": {
                        "workload-status": status_info("active", "Serving at 10.1.24.9"),
                        "juju-status": status_info("idle") | {"version": "3.6.12"},
                        "leader": True,
                        "address": traefik,
                        "provider-id": "traefik-0",
                    }
                },
                "version": "2.11.0",
                "endpoint-bindings": {"": "alpha", "ingress": "alpha"},
            },
            "web": {
                "charm": "local:snapshot-k8s-3",
                "base": {"name": "ubuntu", "channel": "22.04"},
                "charm-origin": "local",
                "charm-name": "snapshot-k8s",
                "charm-rev": 3,
                "scale": 2,
                "provider-id": "4e1b3f5a-0000-4000-8000-000000000002",
                "address": "10.152.183.20",
                "exposed": False,
                "application-status": status_info("active"),
                "relations": {"ingress": [{"related-application": "traefik", "interface": "ingress", "scope": "global"}]},
                "units": {
                    "web/0": {
                        "workload-status": status_info("active", "serving"),
                        "juju-status": status_info("idle") | {"version": "3.6.12"},
                        "leader": True,
                        "address": me,
                        "provider-id": "web-0",
                    },
                    "web/1": {
                        "workload-status": status_info("maintenance", "restarting"),
                        "juju-status": status_info("executing", "running web-pebble-ready hook") | {"version": "3.6.12"},
                        "address": peer,
                        "provider-id": "web-1",
                    },
                },
                "version": "1.4.2",
                "endpoint-bindings": {"": "alpha", "ingress": "alpha"},
            },
        },
        "storage": {},
        "controller": {"timestamp": "10:02:03Z"},
    }
    s.answer("status.json", go_json(status), "status", "--relations", "--format", "json")
    s.answer(
        "show-unit.json",
        go_json(
            {
                "web/0": {
                    "workload-version": "1.4.2",
                    "opened-ports": ["8080/tcp"],
                    "charm": "local:snapshot-k8s-3",
                    "leader": True,
                    "life": "alive",
                    "relation-info": [
                        relation_info(
                            4,
                            "ingress",
                            "ingress",
                            {"url": "http://10.1.24.9/shop-web"},
                            unit_bag(me),
                            {"traefik/0": unit_bag(traefik)},
                        )
                    ],
                    "provider-id": "web-0",
                    "address": me,
                }
            }
        ),
        "show-unit",
        "web/0",
        "--format",
        "json",
    )
    s.answer(
        "config.json",
        go_json(
            {
                "application": "web",
                "application-config": {
                    "trust": config_setting("bool", "user", True, False, "Does this application have access to trusted credentials")
                },
                "charm": "snapshot-k8s",
                "settings": {
                    "log-level": config_setting("string", "default", "info", "info", "How much to log."),
                    "port": config_setting("int", "user", 8081, 8080, "The port the web server listens on."),
                    "vault-secret": config_setting("string", "user", f"secret:{VAULT}", "", "The id of the secret (granted by vault) holding the database password."),
                },
            }
        ),
        "config",
        "web",
        "--format",
        "json",
    )
    s.exec("exec-relation-get-4-unit.json", go_json(unit_bag(me)), "relation-get", "--format", "json", "-r", "4", "-", "web/0")
    s.exec("exec-relation-get-4-app.json", go_json({"name": "web", "model": "shop"}), "relation-get", "--format", "json", "-r", "4", "--app", "-", "web")
    for binding in ["juju-info", "ingress"]:
        s.exec(f"exec-network-get-{binding}.json", network(me, "10.1.24.0/24", "6a:1f:2e:3d:4c:5b"), "network-get", "--format", "json", binding)

    # Pebble, in the containers (canonical/pebble: cmd_plan.go prints the plan's YAML with
    # 4-space indentation; cmd_services.go a tabwriter table).
    pebble = "/charm/bin/pebble"
    s.answer(
        "pebble-plan-web.yaml",
        "services:\n"
        "    web:\n"
        "        summary: web server\n"
        "        startup: enabled\n"
        "        override: replace\n"
        "        command: /usr/bin/web --port 8081\n"
        "        environment:\n"
        "            LOG_LEVEL: info\n"
        "checks:\n"
        "    up:\n"
        "        override: replace\n"
        "        level: alive\n"
        "        http:\n"
        "            url: http://localhost:8081/health\n",
        "ssh",
        "--container",
        "web",
        "web/0",
        pebble,
        "plan",
    )
    s.answer(
        "pebble-services-web.txt",
        "Service  Startup   Current   Since\n"
        "web      enabled   active    today at 09:58 UTC\n"
        "metrics  disabled  inactive  -\n",
        "ssh",
        "--container",
        "web",
        "web/0",
        pebble,
        "services",
    )
    # cmd_notices.go: a tabwriter table (its header spells "Occurences"); cmd_notice.go: one
    # notice as yaml.v3 writes it (times RFC 3339, durations as Go's Duration.String).
    s.answer(
        "pebble-notices-web.txt",
        "ID   Type    Key                       First               Repeated            Occurences\n"
        "3    custom  example.com/web/reloaded  today at 09:58 UTC  today at 10:12 UTC  2\n",
        "ssh",
        "--container",
        "web",
        "web/0",
        pebble,
        "notices",
    )
    s.answer(
        "pebble-notice-web-3.yaml",
        'id: "3"\n'
        "user-id: null\n"
        "type: custom\n"
        "key: example.com/web/reloaded\n"
        "first-occurred: 2025-12-05T09:58:01.412948172Z\n"
        "last-occurred: 2025-12-05T10:12:44.090316577Z\n"
        "last-repeated: 2025-12-05T10:12:44.090316577Z\n"
        "occurrences: 2\n"
        "last-data:\n"
        "    config: /etc/web/web.conf\n"
        "expire-after: 168h0m0s\n",
        "ssh",
        "--container",
        "web",
        "web/0",
        pebble,
        "notice",
        "3",
    )
    # cmd_checks.go (Pebble 1.14 and later): a failing check's change is followed by its last
    # task log line, cut to 70 bytes with a pointer to `pebble tasks`.
    log = 'Get "http://localhost:8081/health": dial tcp [::1]:8081: connect: connection refused'
    for_more = '... run "pebble tasks 7" for more'
    change = f"7 ({log[: 70 - len(for_more)]}{for_more})"
    s.answer(
        "pebble-checks-web.txt",
        "Check  Level  Startup  Status  Failures  Change\n"
        f"up     alive  enabled  down    3/3       {change}\n",
        "ssh",
        "--container",
        "web",
        "web/0",
        pebble,
        "checks",
    )
    s.fail(
        "pebble-plan-sidecar",
        'error: cannot communicate with server: Get "http://localhost/v1/plan?format=yaml": '
        "dial unix /charm/container/pebble.socket: connect: connection refused\n"
        "ERROR command terminated with exit code 1\n",
        "ssh",
        "--container",
        "sidecar",
        "web/0",
        pebble,
        "plan",
    )
    s.copy("web.conf", "listen: 8081\nlog: info\n", "web", "/etc/web/web.conf")

    # Secrets. In the unit (jujuc/secret-ids.go, secret-info-get.go, secret-get.go):
    s.exec("exec-secret-ids.json", go_json([OWNED]), "secret-ids", "--format", "json")
    s.exec(
        "exec-secret-info-get.json",
        go_json(
            {
                OWNED: {
                    "revision": 2,
                    "label": "api-token",
                    "owner": "application",
                    "description": "The token the web server signs with",
                    "rotation": "monthly",
                    "expiry": "2026-06-01T00:00:00Z",
                    "rotates": "2026-01-01T00:00:00Z",
                    "access": [
                        {"target": "application-web", "scope": "application-web", "role": "manage"},
                        {"target": "application-traefik", "scope": "relation-traefik.ingress#web.ingress", "role": "view"},
                    ],
                }
            }
        ),
        "secret-info-get",
        f"secret:{OWNED}",
        "--format",
        "json",
    )
    s.exec("exec-secret-get-owned.json", go_json({"token": "t0k3n-rev2"}), "secret-get", f"secret:{OWNED}", "--format", "json")
    s.exec("exec-secret-get-owned-peek.json", go_json({"token": "t0k3n-rev2"}), "secret-get", f"secret:{OWNED}", "--peek", "--format", "json")
    s.exec("exec-secret-get-vault.json", go_json({"password": "hunter2", "username": "web"}), "secret-get", f"secret:{VAULT}", "--format", "json")
    s.exec("exec-secret-get-vault-peek.json", go_json({"password": "correct-horse", "username": "web"}), "secret-get", f"secret:{VAULT}", "--peek", "--format", "json")

    # In the model (cmd/juju/secrets/list.go and show.go, `secretDisplayDetails`).
    def details(revision: int, owner: str, **more: object) -> dict:
        record: dict[str, object] = {"revision": revision}
        for key in ("expires", "rotation", "rotates"):
            if key in more:
                record[key] = more.pop(key)
        record["owner"] = owner
        for key in ("description", "name", "label"):
            if key in more:
                record[key] = more.pop(key)
        record["created"] = "2025-11-20T08:00:00Z"
        record["updated"] = "2025-12-04T08:00:00Z"
        record.update(more)
        return record

    s.answer(
        "secrets.json",
        go_json(
            {
                OWNED: details(2, "web", expires="2026-06-01T00:00:00Z", rotation="monthly", rotates="2026-01-01T00:00:00Z", description="The token the web server signs with", label="api-token"),
                VAULT: details(4, "vault"),
                OTHER: details(1, "<model>", name="admin-password"),
            }
        ),
        "secrets",
        "--format",
        "json",
    )
    vault_access = [{"target": "application-web", "scope": "relation-vault.secrets#web.vault", "role": "view"}]
    s.answer("show-secret-vault.json", go_json({VAULT: details(4, "vault", access=vault_access)}), "show-secret", VAULT, "--format", "json")
    s.answer(
        "show-secret-other.json",
        go_json({OTHER: details(1, "<model>", name="admin-password", access=[{"target": "application-shop-admin", "scope": "model-5e1f7a2b-8c3d-4e9f-a0b1-c2d3e4f5a6b7", "role": "view"}])}),
        "show-secret",
        OTHER,
        "--format",
        "json",
    )
    revealed = {3: "battery-staple", 2: "hunter2"}
    for revision, password in revealed.items():
        s.answer(
            f"show-secret-vault-revision-{revision}.json",
            go_json({VAULT: details(4, "vault", content={"Data": {"password": password, "username": "web"}}, access=vault_access)}),
            "show-secret",
            VAULT,
            "--reveal",
            "--revision",
            str(revision),
            "--format",
            "json",
        )

    db = unit_state_db(
        {
            "StoredStateData[_stored]": {"event_count": 11},
            "WebCharm/StoredStateData[_stored]": {"restarts": 2},
            "WebCharm/on/web_pebble_ready[8]": {"container_name": "web"},
        },
        [("WebCharm/on/web_pebble_ready[8]", "WebCharm", "_on_web_pebble_ready")],
    )
    s.exec(
        "exec-unit-state.json",
        base64.b64encode(db).decode(),
        "base64",
        "-w0",
        "/var/lib/juju/agents/unit-web-0/charm/.unit-state.db",
    )
    # storage-list --format json: the ids of the unit's storage instances
    # (jujuc/storage-list.go); the number is the model's, not a count per unit.
    s.exec("exec-storage-list.json", go_json(["data/3", "cache/5", "cache/4"]), "storage-list", "--format", "json")
    # credential-get --format json (jujuc/credential-get.go writes params.CloudSpec: empty
    # fields left out); `web` is trusted, and the model runs Juju 3.6.12 (Kubernetes models
    # answer credential-get from 3.6.10). The certificate and key are shortened stand-ins.
    s.exec(
        "exec-credential-get.json",
        go_json(
            {
                "type": "kubernetes",
                "name": "microk8s",
                "region": "localhost",
                "endpoint": "https://10.0.0.10:16443",
                "credential": {
                    "auth-type": "clientcertificate",
                    "attrs": {"ClientCertificateData": "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n", "ClientKeyData": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"},
                },
                "cacertificates": ["-----BEGIN CERTIFICATE-----\nMIIDB\n-----END CERTIFICATE-----\n"],
                "is-controller-cloud": True,
            }
        ),
        "credential-get",
        "--format",
        "json",
    )
    s.done()


# ---------------------------------------------------------------------------------------
# Failures, each laid over another scenario's answers (FAKE_JUJU_DIR lists folders).

def failures() -> None:
    s = Scenario("failures", "gateway/0", ["-m", "edge"])
    # The controller refuses (juju's own error line, on stderr).
    s.fail(
        "status",
        'ERROR model "admin/edge" not found (not found)\n',
        "status",
        "--relations",
        "--format",
        "json",
    )
    s.done()
    t = Scenario("truncated", "gateway/0", ["-m", "edge"])
    t.answer(
        "show-unit.json",
        '{"gateway/0":{"workload-version":"2.1.0","machine":"0","opened-ports":["8080/tcp"],"relation-info":[{"relation-id":"one"',
        "show-unit",
        "gateway/0",
        "--format",
        "json",
    )
    t.done()


if __name__ == "__main__":
    machine()
    k8s()
    failures()
