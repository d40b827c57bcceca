#!/usr/bin/env python3
"""Self-test of compare.py: hand it Output pairs that differ on purpose, so it cannot pass
silently. Each test builds two Outputs from one base and checks exactly what is reported
(unaccepted) or accepted, and under which rule name.

Run: python3 conformance/test_compare.py   (stdlib unittest; needs no venv)
"""

from __future__ import annotations

import copy
import json
import pathlib
import sys
import unittest
from typing import Any

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import compare  # noqa: E402

JSON = dict[str, Any]
CASE = pathlib.Path("/nowhere/cases/area/case.json")


def base_output() -> JSON:
    """A plausible full Output, the same on both sides unless a test changes it."""
    return {
        "state": {
            "config": {"port": 80},
            "leader": True,
            "unit_status": {"name": "active", "message": "ready"},
            "app_status": {"name": "unknown", "message": ""},
            "workload_version": "",
            "planned_units": 1,
            "model": {"name": "test-model", "uuid": "u", "type": "kubernetes", "cloud_spec": None},
            "relations": [
                {"type": "regular", "endpoint": "db", "id": 3, "local_app_data": {"host": "a"}},
                {"type": "peer", "endpoint": "cluster", "id": 7, "peers_data": {}},
            ],
            "stored_states": [
                {"owner_path": None, "name": "_stored", "content": {"event_count": 4}},
                {"owner_path": "C", "name": "_stored", "content": {"tags": {"$set": ["a", "b"]}}},
            ],
            "deferred": [],
        },
        "unit_status_history": [{"name": "unknown", "message": ""}],
        "app_status_history": [],
        "workload_version_history": [],
        "juju_log": [{"level": "DEBUG", "message": "Emitting Juju event start."}],
        "emitted_events": [{"name": "start", "type": "StartEvent", "deferred": False}],
        "error": None,
    }


def judge(ours: JSON, ref: JSON, spec: JSON | None = None) -> compare.Verdict:
    spec = spec if spec is not None else {"charm": "x", "event": {"name": "start"}, "state": {}}
    return compare.judge(CASE, spec, {"output": ours}, {"output": ref})


class Unaccepted(unittest.TestCase):
    """Real differences must be reported, with their path and both values."""

    def test_identical_outputs_are_the_same(self) -> None:
        verdict = judge(base_output(), base_output())
        self.assertTrue(verdict.same, verdict)

    def test_changed_status_is_reported_with_both_values(self) -> None:
        ref = base_output()
        ref["state"]["unit_status"]["message"] = "not ready"
        verdict = judge(base_output(), ref)
        self.assertEqual(
            verdict.unaccepted, [("output.state.unit_status.message", "ready", "not ready")]
        )
        self.assertEqual(
            compare.report(verdict, {"output": base_output()}, {"output": ref}),
            ['  output.state.unit_status.message: ours "ready" vs reference "not ready"'],
        )

    def test_extra_relation_key_is_reported_by_relation_id(self) -> None:
        ref = base_output()
        ref["state"]["relations"][0]["local_app_data"]["port"] = "5432"
        verdict = judge(base_output(), ref)
        self.assertEqual(
            verdict.unaccepted,
            [("output.state.relations[id=3].local_app_data.port", "<absent>", "5432")],
        )

    def test_int_and_float_or_bool_are_not_equal(self) -> None:
        ref = base_output()
        ref["state"]["config"]["port"] = 80.0
        self.assertEqual(len(judge(base_output(), ref).unaccepted), 1)
        ref["state"]["leader"] = 1
        self.assertEqual(len(judge(base_output(), ref).unaccepted), 2)

    def test_one_extra_log_line_is_one_difference(self) -> None:
        ref = base_output()
        ref["juju_log"].insert(0, {"level": "INFO", "message": "extra"})
        verdict = judge(base_output(), ref)
        self.assertEqual([p for p, _, _ in verdict.unaccepted], ["output.juju_log[ref:0]"])

    def test_rejected_against_ran_is_reported(self) -> None:
        verdict = compare.judge(
            CASE, {}, {"rejected": "inconsistent", "message": "m"}, {"output": base_output()}
        )
        self.assertTrue(verdict.unaccepted)

    def test_rejection_kinds_must_match_but_messages_need_not(self) -> None:
        same = compare.judge(
            CASE, {}, {"rejected": "inconsistent", "message": "a"}, {"rejected": "inconsistent", "message": "b"}
        )
        self.assertTrue(same.same)
        other = compare.judge(
            CASE, {}, {"rejected": "inconsistent", "message": "a"}, {"rejected": "unknown-event", "message": "a"}
        )
        self.assertEqual(other.unaccepted, [("rejected", "inconsistent", "unknown-event")])


class Normalised(unittest.TestCase):
    """Same meaning, different shape: must match without any rule."""

    def test_reordered_relations_and_stored_states_still_match(self) -> None:
        ref = base_output()
        ref["state"]["relations"].reverse()
        ref["state"]["stored_states"].reverse()
        self.assertTrue(judge(base_output(), ref).same)

    def test_set_members_are_unordered_but_lists_are_not(self) -> None:
        ref = base_output()
        ref["state"]["stored_states"][1]["content"]["tags"] = {"$set": ["b", "a"]}
        self.assertTrue(judge(base_output(), ref).same)
        ref["state"]["stored_states"][1]["content"]["tags"] = ["b", "a"]
        self.assertFalse(judge(base_output(), ref).same)

    def test_memory_addresses_are_masked(self) -> None:
        ours, ref = base_output(), base_output()
        ours["juju_log"][0]["message"] = "<ops.Foo object at 0x7f3a2b1c0d90>"
        ref["juju_log"][0]["message"] = "<ops.Foo object at 0x7fe012345678>"
        self.assertTrue(judge(ours, ref).same)
        ref["juju_log"][0]["message"] = "<ops.Bar object at 0x7fe012345678>"
        self.assertFalse(judge(ours, ref).same)

    def test_trace_lines_compare_without_their_timestamp(self) -> None:
        ours, ref = base_output(), base_output()
        line = '{{"datetime": "{}", "type": "security", "event": "sys_crash:KeyError"}}'
        ours["juju_log"].append({"level": "TRACE", "message": line.format("2026-01-01T00:00:00")})
        ref["juju_log"].append({"level": "TRACE", "message": line.format("2026-01-01T00:00:09")})
        self.assertTrue(judge(ours, ref).same)
        ref["juju_log"][-1]["message"] = ref["juju_log"][-1]["message"].replace("KeyError", "ValueError")
        self.assertFalse(judge(ours, ref).same)

    def test_omitted_state_fields_mean_their_defaults(self) -> None:
        ours = base_output()
        del ours["state"]["deferred"]
        del ours["state"]["model"]["cloud_spec"]
        ref = base_output()
        ref["state"]["containers"] = []
        self.assertTrue(judge(ours, ref).same)
        ref["state"]["containers"] = [{"name": "workload"}]
        self.assertFalse(judge(ours, ref).same)

    def test_tracebacks_compare_the_charm_frames_only(self) -> None:
        def failing(engine_frame: str, charm_line: int) -> JSON:
            out = base_output()
            out["state"] = None
            out["error"] = {
                "type": "KeyError",
                "message": "'k'",
                "traceback": (
                    "Traceback (most recent call last):\n"
                    f'  File "{engine_frame}", line 10, in run\n    emit()\n'
                    f'  File "/nowhere/cases/area/x/src/charm.py", line {charm_line}, in _on_start\n'
                    "    raise KeyError('k')\nKeyError: 'k'\n"
                ),
            }
            return out

        spec = {"charm": "x", "event": {"name": "start"}}
        ours, ref = failing("py_shim/driver.py", 5), failing("/venv/scenario/_runtime.py", 5)
        self.assertTrue(compare.judge(CASE, spec, {"output": ours}, {"output": ref}).same)
        moved = failing("/venv/scenario/_runtime.py", 6)
        self.assertFalse(compare.judge(CASE, spec, {"output": ours}, {"output": moved}).same)


class Rules(unittest.TestCase):
    """Each named rule accepts its difference, and nothing broader."""

    def test_warnings_are_accepted_as_checker_warnings(self) -> None:
        ours = base_output()
        ours["warnings"] = [{"rule": "event.custom", "message": "m"}]
        verdict = judge(ours, base_output())
        self.assertEqual(verdict.unaccepted, [])
        self.assertEqual(list(verdict.accepted), ["checker-warnings"])

    def test_deferred_order_is_accepted_but_a_missing_event_is_not(self) -> None:
        a = {"handle_path": "C/on/start[1]", "owner": "C", "observer": "_s", "snapshot_data": {}}
        b = {"handle_path": "C/on/config_changed[2]", "owner": "C", "observer": "_c", "snapshot_data": {}}
        ours, ref = base_output(), base_output()
        ours["state"]["deferred"], ref["state"]["deferred"] = [a, b], [b, a]
        verdict = judge(ours, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["deferred-queue-order"]))
        ref["state"]["deferred"] = [b]
        self.assertTrue(judge(ours, ref).unaccepted)

    def test_framework_event_count_shift_is_accepted_only_by_our_seed(self) -> None:
        spec = {
            "charm": "x",
            "event": {"name": "update_status"},
            "state": {"stored_states": [{"owner_path": None, "name": "_stored", "content": {"event_count": 10}}]},
        }
        ours, ref = base_output(), base_output()
        ours["state"]["stored_states"][0]["content"]["event_count"] = 14
        ours["state"]["deferred"] = [{"handle_path": "C/on/update_status[11]", "owner": "C", "observer": "_u", "snapshot_data": {}}]
        ref["state"]["deferred"] = [{"handle_path": "C/on/update_status[1]", "owner": "C", "observer": "_u", "snapshot_data": {}}]
        ref["state"]["stored_states"].append({"owner_path": "", "name": "_stored", "content": {"event_count": 10}})
        verdict = judge(ours, ref, spec)
        self.assertEqual(verdict.unaccepted, [])
        self.assertEqual(list(verdict.accepted), ["framework-event-count"])
        # A counter off by anything but the seed is still a difference.
        ours["state"]["stored_states"][0]["content"]["event_count"] = 15
        self.assertEqual(
            [p for p, _, _ in judge(ours, ref, spec).unaccepted],
            ["output.state.stored_states[owner_path=None,name=_stored].content.event_count"],
        )

    def test_custom_event_log_line_only_for_custom_events(self) -> None:
        ours, ref = base_output(), base_output()
        ours["juju_log"] = []
        ref["juju_log"] = [{"level": "DEBUG", "message": "Emitting Juju event greeted."}]
        custom = {"charm": "x", "event": {"name": "greeter.on.greeted"}, "state": {}}
        verdict = judge(ours, ref, custom)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["custom-event-log-line"]))
        start = {"charm": "x", "event": {"name": "greeted_relation_changed"}, "state": {}}
        self.assertTrue(judge(ours, ref, start).unaccepted)

    def test_sqlite_line_is_accepted_but_other_missing_lines_are_not(self) -> None:
        ref = base_output()
        ref["juju_log"].insert(0, {"level": "DEBUG", "message": "Initializing SQLite local storage: :memory:."})
        verdict = judge(base_output(), ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["sqlite-init-log-line"]))
        ref["juju_log"].insert(0, {"level": "DEBUG", "message": "Initializing something else."})
        self.assertEqual(len(judge(base_output(), ref).unaccepted), 1)

    def test_hook_tool_security_event_lines_of_ours_are_accepted_and_no_others(self) -> None:
        event = {
            "appid": "x-app/0",
            "description": "Hook command 'status-set' failed with code 1: 'ERROR this unit is not the leader'. ",
            "event": "authz_fail:status-set",
            "level": "CRITICAL",
            "type": "security",
        }
        ours = base_output()
        ours["juju_log"].insert(0, {"level": "TRACE", "message": json.dumps(event)})
        verdict = judge(ours, base_output())
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["hook-tool-security-event"]))
        # A security event ops logs for anything else, or one only the reference has, is not.
        other = base_output()
        other["juju_log"].insert(0, {"level": "TRACE", "message": json.dumps({**event, "event": "authz_fail:config"})})
        self.assertEqual(len(judge(other, base_output()).unaccepted), 1)
        self.assertEqual(len(judge(base_output(), ours).unaccepted), 1)

    def test_non_leader_app_status_needs_the_exact_model_error(self) -> None:
        spec = {"charm": "x", "event": {"name": "update_status"}, "state": {"leader": False}}
        ours, ref = base_output(), base_output()
        ours["state"] = None
        ours["error"] = {
            "type": "ops.model.ModelError",
            "message": "ERROR setting application status: this unit is not the leader\n",
            "traceback": "",
        }
        ref["state"]["app_status"] = {"name": "blocked", "message": "direct"}
        ref["app_status_history"] = [{"name": "unknown", "message": ""}]
        verdict = judge(ours, ref, spec)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["non-leader-app-status"]))
        leader = copy.deepcopy(spec)
        leader["state"]["leader"] = True
        self.assertTrue(judge(ours, ref, leader).unaccepted)
        other = copy.deepcopy(ours)
        other["error"]["type"] = "KeyError"
        self.assertTrue(judge(other, ref, spec).unaccepted)

    def test_every_rule_is_documented(self) -> None:
        text = (pathlib.Path(__file__).resolve().parent / "DIFFERENCES.md").read_text()
        for name in compare.RULES:
            self.assertIn(f"`{name}`", text)


# The charm of the relation-rule tests (judge() resolves "x" next to CASE).
META = {
    "name": "app",
    "requires": {"db": {"interface": "pgsql"}, "host": {"interface": "juju-info", "scope": "container"}},
    "peers": {"cluster": {"interface": "cluster"}},
    "extra-bindings": {"metrics": None},
    "config": {"options": {"ratio": {"type": "float"}, "port": {"type": "int"}}},
}
compare._META_CACHE[str((CASE.parent / "x").resolve())] = META


def log(*messages: str, level: str = "INFO") -> list[JSON]:
    return [{"level": level, "message": m} for m in messages]


def rel_spec(event: JSON, relation: JSON) -> JSON:
    return {"charm": "x", "event": event, "state": {"relations": [relation]}}


PG = {"endpoint": "db", "id": 1, "remote_app_name": "pg", "remote_units_data": {"0": {}, "1": {}}}


class RelationRules(unittest.TestCase):
    """The relation rules: each accepts its difference, and nothing broader."""

    def pair(self, ours_log: list[JSON], ref_log: list[JSON]) -> tuple[JSON, JSON]:
        ours, ref = base_output(), base_output()
        ours["juju_log"], ref["juju_log"] = ours_log, ref_log
        return ours, ref

    def test_departed_leaves_out_exactly_the_departing_unit(self) -> None:
        spec = rel_spec({"name": "db_relation_departed", "relation_id": 1, "remote_unit": 1}, PG)
        ours, ref = self.pair(
            log("units=['pg/0']", "pg/0 data={}"),
            log("units=['pg/0', 'pg/1']", "pg/0 data={}", "pg/1 data={}"),
        )
        verdict = judge(ours, ref, spec)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["departed-relation-list"]))
        # Leaving out another unit than the departing one is a difference.
        other = rel_spec({"name": "db_relation_departed", "relation_id": 1, "remote_unit": 0}, PG)
        self.assertTrue(judge(ours, ref, other).unaccepted)
        # So is the same list on a changed event.
        changed = rel_spec({"name": "db_relation_changed", "relation_id": 1, "remote_unit": 1}, PG)
        self.assertTrue(judge(ours, ref, changed).unaccepted)

    def test_departed_peer_unit_missing_from_relation_data(self) -> None:
        peer = {"type": "peer", "endpoint": "cluster", "id": 2, "peers_data": {"1": {}, "2": {}}}
        spec = rel_spec({"name": "cluster_relation_departed", "relation_id": 2, "remote_unit": 2}, peer)
        ours, ref = self.pair(
            log("units=['app/1']", "event unit data failed: KeyError: <ops.model.Unit app/2>"),
            log("units=['app/1', 'app/2']", 'event unit data={"p": "2"}'),
        )
        self.assertEqual(judge(ours, ref, spec).unaccepted, [])
        ours["juju_log"][1]["message"] = "event unit data failed: KeyError: <ops.model.Unit app/1>"
        self.assertTrue(judge(ours, ref, spec).unaccepted)

    def test_broken_has_no_units_but_only_then(self) -> None:
        spec = rel_spec({"name": "db_relation_broken", "relation_id": 1}, PG)
        ours, ref = self.pair(log("units=[]"), log("units=['pg/0', 'pg/1']", "pg/0 data={}", "pg/1 data={}"))
        verdict = judge(ours, ref, spec)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["broken-relation-list"]))
        ref["juju_log"][0]["message"] = "units=['pg/0', 'pg/1', 'pg/2']"
        self.assertTrue(judge(ours, ref, spec).unaccepted)

    def test_departing_unit_zero_only_when_given_explicitly(self) -> None:
        event = {"name": "db_relation_departed", "relation_id": 1, "remote_unit": 1, "departing_unit": 0}
        ours, ref = self.pair(log("departing=pg/0"), log("departing=pg/1"))
        verdict = judge(ours, ref, rel_spec(event, PG))
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["departing-unit-zero"]))
        event["departing_unit"] = 1
        self.assertTrue(judge(ours, ref, rel_spec(event, PG)).unaccepted)

    def test_network_refusal_lines_only_for_names_that_are_no_binding(self) -> None:
        line = "cannot get network binding for {}: is not a valid relation endpoint name nor an extra-binding."
        ours, ref = self.pair([], log(line.format("nope"), level="ERROR"))
        verdict = judge(ours, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["network-get-refusal"]))
        ours, ref = self.pair([], log(line.format("db"), level="ERROR"))  # db is a binding
        self.assertTrue(judge(ours, ref).unaccepted)

    def test_network_refusal_is_model_error_for_a_name_that_is_no_binding(self) -> None:
        ours, ref = self.pair(
            log("binding nope failed: ModelError", level="WARNING"),
            log("binding nope failed: RelationNotFoundError", level="WARNING"),
        )
        verdict = judge(ours, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["network-get-refusal"]))
        # For a binding (db), the types must agree.
        ours, ref = self.pair(
            log("binding db failed: ModelError", level="WARNING"),
            log("binding db failed: RelationNotFoundError", level="WARNING"),
        )
        self.assertTrue(judge(ours, ref).unaccepted)

    def test_uncaught_network_refusal(self) -> None:
        ours, ref = base_output(), base_output()
        ours["state"] = ref["state"] = None
        ours["error"] = {"type": "ops.model.ModelError", "message": 'ERROR no network config found for binding "nope"\n', "traceback": ""}
        ref["error"] = {"type": "ops.model.RelationNotFoundError", "message": "", "traceback": ""}
        self.assertEqual(judge(ours, ref).unaccepted, [])
        ours["error"]["message"] = "ERROR permission denied"
        self.assertTrue(judge(ours, ref).unaccepted)

    def test_container_scoped_endpoints_are_bindings(self) -> None:
        line = "cannot get network binding for host: is not a valid relation endpoint name nor an extra-binding."
        ours, ref = self.pair(
            log("binding host=192.0.2.0"),
            log(line, level="ERROR") + log("binding host failed: RelationNotFoundError", level="WARNING"),
        )
        verdict = judge(ours, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["network-get-container-scoped"]))
        # db is not container-scoped: a refusal there is a difference.
        ours, ref = self.pair(log("binding db=192.0.2.0"), log("binding db failed: RelationNotFoundError", level="WARNING"))
        self.assertTrue(judge(ours, ref).unaccepted)
        # In an event of the container-scoped relation, the relation's own binding.
        host = {"type": "subordinate", "endpoint": "host", "id": 2, "remote_app_name": "p"}
        spec = rel_spec({"name": "host_relation_changed", "relation_id": 2}, host)
        ours, ref = self.pair(log("address=192.0.2.0"), log("network-get failed: RelationNotFoundError", level="WARNING"))
        verdict = judge(ours, ref, spec)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["network-get-container-scoped"]))
        self.assertTrue(judge(ours, ref, rel_spec({"name": "db_relation_changed", "relation_id": 1}, PG)).unaccepted)

    def test_a_network_for_a_container_scoped_endpoint_is_consistent(self) -> None:
        spec = {"charm": "x", "event": {"name": "update_status"}, "state": {"networks": [{"binding_name": "host"}]}}
        message = "Inconsistent scenario. The following errors were found: Some network bindings defined in State are not in the metadata: {'host'}."
        ref = {"rejected": "inconsistent", "message": message}
        verdict = compare.judge(CASE, spec, {"output": base_output()}, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["network-get-container-scoped"]))
        ref["message"] = message.replace("'host'", "'host', 'nope'")
        self.assertTrue(compare.judge(CASE, spec, {"output": base_output()}, ref).unaccepted)

    def test_extra_binding_warning(self) -> None:
        ours, ref = self.pair([], log("extra-bindings is a deprecated feature", level="WARNING"))
        verdict = judge(ours, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["extra-binding-log-line"]))
        ours, ref = self.pair([], log("extra-bindings is deprecated", level="WARNING"))
        self.assertTrue(judge(ours, ref).unaccepted)

    def test_our_extra_checker_rules_need_the_case_shape(self) -> None:
        def rejected(rule: str) -> JSON:
            return {"rejected": "inconsistent", "message": f"scenario: inconsistent scenario: 1 rule violated\n  - {rule}: m"}

        created = rel_spec({"name": "db_relation_created", "relation_id": 1, "remote_unit": 0}, PG)
        verdict = compare.judge(CASE, created, rejected("relation.remote_unit"), {"output": base_output()})
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["relation-checker-rules"]))
        changed = rel_spec({"name": "db_relation_changed", "relation_id": 1, "remote_unit": 0}, PG)
        self.assertTrue(compare.judge(CASE, changed, rejected("relation.remote_unit"), {"output": base_output()}).unaccepted)
        # relation.interface is a warning now: a rejection for it is never accepted.
        mysql = rel_spec({"name": "db_relation_changed", "relation_id": 1}, {**PG, "interface": "mysql"})
        self.assertTrue(compare.judge(CASE, mysql, rejected("relation.interface"), {"output": base_output()}).unaccepted)
        status = {"charm": "x", "event": {"name": "update_status", "relation_id": 1}, "state": {}}
        self.assertEqual(compare.judge(CASE, status, rejected("event.args"), {"output": base_output()}).unaccepted, [])
        self.assertTrue(compare.judge(CASE, status, rejected("relation.kind"), {"output": base_output()}).unaccepted)
        dep = rel_spec({"name": "db_relation_changed", "relation_id": 1, "departing_unit": 0}, PG)
        self.assertEqual(compare.judge(CASE, dep, rejected("relation.departing_unit"), {"output": base_output()}).unaccepted, [])

    def test_name_rules_are_ours_in_the_checker_and_ops_testing_s_when_built(self) -> None:
        spec = {"charm": "x", "event": {"name": "do_backup_action"}, "state": {}}
        ours = {
            "rejected": "inconsistent",
            "message": "scenario: inconsistent scenario: 2 rules violated\n  - action.name: m\n  - container.name: m",
        }
        ref = {"rejected": "StateValidationError", "message": "invalid action name 'do_backup': Juju requires ..."}
        verdict = compare.judge(CASE, spec, ours, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["name-rules-in-checker"]))
        # The reference's kind must be one ours lists, and ours must list name rules only.
        storage = {**ref, "message": "invalid storage name 'x': ..."}
        self.assertTrue(compare.judge(CASE, spec, ours, storage).unaccepted)
        other = {**ours, "message": ours["message"] + "\n  - config.type: m"}
        self.assertTrue(compare.judge(CASE, spec, other, ref).unaccepted)

    def test_interface_is_filled_from_metadata(self) -> None:
        ours, ref = base_output(), base_output()
        ours["state"]["relations"][0]["interface"] = "pgsql"
        ref["state"]["relations"][0]["interface"] = None
        self.assertTrue(judge(ours, ref).same)
        ref["state"]["relations"][0]["interface"] = "mysql"
        self.assertTrue(judge(ours, ref).unaccepted)


class OtherRules(unittest.TestCase):
    def test_int_for_float_config(self) -> None:
        msg = ("Inconsistent scenario. The following errors were found: config invalid; option 'ratio' "
               "should be of type <class 'float'> but is of type <class 'int'>.")
        spec = {"charm": "x", "event": {"name": "config_changed"}, "state": {"config": {"ratio": 2}}}
        verdict = compare.judge(CASE, spec, {"output": base_output()}, {"rejected": "inconsistent", "message": msg})
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["int-for-float-config"]))
        as_float = {**spec, "state": {"config": {"ratio": 2.5}}}
        self.assertTrue(compare.judge(CASE, as_float, {"output": base_output()}, {"rejected": "inconsistent", "message": msg}).unaccepted)
        other = msg.replace("'ratio'", "'port'").replace("'float'", "'int'").replace("'int'>.", "'str'>.")
        self.assertTrue(compare.judge(CASE, spec, {"output": base_output()}, {"rejected": "inconsistent", "message": other}).unaccepted)

    def test_sys_exit_zero(self) -> None:
        ours, ref = base_output(), base_output()
        ours["state"]["stored_states"] = []
        ref["state"] = None
        ref["error"] = {"type": "SystemExit", "message": "0", "traceback": ""}
        verdict = judge(ours, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["sys-exit-zero"]))
        ref["error"]["message"] = "3"
        self.assertTrue(judge(ours, ref).unaccepted)
        ref["error"]["message"] = "0"
        committed = copy.deepcopy(ours)
        committed["state"]["stored_states"] = [{"owner_path": "C", "name": "_stored", "content": {"n": 1}}]
        self.assertTrue(judge(committed, ref).unaccepted)


# The charm of the Pebble-rule tests ("p" next to CASE): tests/charms/conf-pebble's shape.
compare._META_CACHE[str((CASE.parent / "p").resolve())] = {
    "name": "conf-pebble", "containers": {"workload": {}, "sidecar": {}},
}


def pebble_spec(**container: Any) -> JSON:
    return {"charm": "p", "event": {"name": "config_changed"},
            "state": {"containers": [{"name": "workload", "can_connect": True, **container}]}}


def containers(**fields: Any) -> list[JSON]:
    return [{"name": "workload", "can_connect": True, "layers": {}, "service_statuses": {}, "mounts": {},
             "execs": [], "notices": [], "check_infos": [], "files": {}, **fields}]


class PebbleRules(unittest.TestCase):
    """The Pebble rules: each accepts its difference, and nothing broader."""

    def logs(self, ours_lines: list[str], ref_lines: list[str], ours_level: str = "INFO",
             ref_level: str = "INFO") -> tuple[JSON, JSON]:
        ours, ref = base_output(), base_output()
        ours["juju_log"] = log("before") + log(*ours_lines, level=ours_level) + log("after")
        ref["juju_log"] = log("before") + log(*ref_lines, level=ref_level) + log("after")
        return ours, ref

    def accepts(self, rule: str, ours: JSON, ref: JSON, spec: JSON) -> None:
        verdict = judge(ours, ref, spec)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], [rule]))

    def rejects(self, ours: JSON, ref: JSON, spec: JSON) -> None:
        self.assertTrue(judge(ours, ref, spec).unaccepted)

    def test_pebble_unreachable(self) -> None:
        down = pebble_spec(can_connect=False)
        ours, ref = self.logs(["get_plan failed: ConnectionError"], ["get_plan={}"], "WARNING")
        self.accepts("pebble-unreachable", ours, ref, down)
        self.rejects(ours, ref, pebble_spec())  # the container can connect
        ours, ref = self.logs(["exec failed: ConnectionError"], ["exec failed: ExecError", "exec exit=127 stdout='' stderr=''"], "WARNING", "WARNING")
        self.accepts("pebble-unreachable", ours, ref, down)
        ours, ref = self.logs(["get_plan failed: APIError"], ["get_plan={}"], "WARNING")
        self.rejects(ours, ref, down)  # not a ConnectionError

    def test_connection_error_message(self) -> None:
        pre = "Pebble API is not ready; ConnectionError: "
        ours, ref = self.logs([pre + 'Cannot connect to Pebble; did you forget to set can_connect(true) for container "workload"?'],
                              [pre + "Cannot connect to Pebble; did you forget to set can_connect=True for container workload?"])
        self.accepts("connection-error-message", ours, ref, pebble_spec(can_connect=False))
        ours, ref = self.logs([pre + 'Cannot connect to Pebble for container "workload"'], [pre + "Something else for workload"])
        self.rejects(ours, ref, pebble_spec(can_connect=False))

    def test_pebble_api_errors(self) -> None:
        ours, ref = self.logs(["add_layer same label failed: APIError"], ["add_layer same label failed: RuntimeError"], "WARNING", "WARNING")
        self.accepts("pebble-api-errors", ours, ref, pebble_spec())
        ours, ref = self.logs(["start ghost failed: APIError"], ["start ghost failed: RuntimeError"], "WARNING", "WARNING")
        self.rejects(ours, ref, pebble_spec())  # not add_layer

    def test_layer_override_required(self) -> None:
        ours, ref = self.logs(["add_layer x failed: APIError"], ["add_layer x=null"], "WARNING")
        ours["state"]["containers"] = containers()
        ref["state"]["containers"] = containers(layers={"x": {"services": {"web": {"command": "/w"}}}})
        self.accepts("layer-override-required", ours, ref, pebble_spec())
        ref["state"]["containers"] = containers(layers={"x": {"services": {"web": {"override": "replace", "command": "/w"}}}})
        self.rejects(ours, ref, pebble_spec())  # that layer was valid

    def test_autostart_no_default_services(self) -> None:
        ours, ref = self.logs(["autostart failed: APIError"], ["autostart=null"], "WARNING")
        ours["state"]["containers"] = ref["state"]["containers"] = containers(layers={"b": {"services": {"w": {"override": "replace"}}}})
        self.accepts("autostart-no-default-services", ours, ref, pebble_spec())
        enabled = containers(layers={"b": {"services": {"w": {"override": "replace", "startup": "enabled"}}}})
        ours["state"]["containers"] = ref["state"]["containers"] = enabled
        self.rejects(ours, ref, pebble_spec())

    def test_exec_combine_stderr(self) -> None:
        ours, ref = self.logs(['combined=["out\\nerr\\n", null]'], ['combined=["out\\n", "err\\n"]'])
        history = {"workload": [{"command": ["warn"], "combine_stderr": True}]}
        ours["exec_history"] = ref["exec_history"] = history
        self.accepts("exec-combine-stderr", ours, ref, pebble_spec())
        ours["exec_history"] = ref["exec_history"] = {"workload": [{"command": ["warn"], "combine_stderr": False}]}
        self.rejects(ours, ref, pebble_spec())
        ours, ref = self.logs(['combined=["other", null]'], ['combined=["out\\n", "err\\n"]'])
        ours["exec_history"] = ref["exec_history"] = history
        self.rejects(ours, ref, pebble_spec())

    def test_unmocked_exec_hint(self) -> None:
        ours, ref = self.logs(["x exit=127 stdout='' stderr='mock for cmd [\\'ls\\'] not found. Use Exec::new([\"ls\"])'"],
                              ["x exit=127 stdout='' stderr=\"mock for cmd ['ls'] not found. Use scenario.Exec\""])
        self.accepts("unmocked-exec-hint", ours, ref, pebble_spec())
        ours, ref = self.logs(["x exit=127 stdout='' stderr='mock for cmd [\\'cat\\'] not found. Use Exec::new'"],
                              ["x exit=127 stdout='' stderr=\"mock for cmd ['ls'] not found. Use scenario.Exec\""])
        self.rejects(ours, ref, pebble_spec())  # another command

    def test_mount_point_directory(self) -> None:
        ours, ref = self.logs(["isdir mount point=true"], ["isdir mount point=false"])
        self.accepts("mount-point-directory", ours, ref, pebble_spec(mounts={"d": {"location": "/srv", "source": "."}}))
        self.rejects(ours, ref, pebble_spec())  # no mounts

    def test_notice_type_filter(self) -> None:
        notices = [{"id": "1", "key": "a.com/x"}, {"id": "2", "key": "a.com/y", "user_id": 1000},
                   {"id": "3", "key": "a.com/z", "type": "warning"}]
        ours, ref = self.logs(['custom=["1"]'], ["custom=[]"])
        self.accepts("notice-type-filter", ours, ref, pebble_spec(notices=notices))
        ours, ref = self.logs(['custom=["1", "3"]'], ["custom=[]"])
        self.rejects(ours, ref, pebble_spec(notices=notices))  # a warning is no custom notice

    def test_plan_check_infos(self) -> None:
        ours, ref = base_output(), base_output()
        info = {"name": "alive", "level": "alive", "startup": "", "status": "up", "successes": 0,
                "failures": 0, "threshold": 3, "change_id": "1"}
        ours["state"]["containers"] = containers(check_infos=[info])
        ref["state"]["containers"] = containers(check_infos=[{**info, "successes": None, "change_id": "u-u-i-d"}])
        self.accepts("plan-check-infos", ours, ref, pebble_spec())
        given = pebble_spec(check_infos=[{"name": "alive", "change_id": "7"}])
        self.rejects(ours, ref, given)  # the input has this check info

    def test_drawn_change_ids_are_normalised_but_given_ones_compared(self) -> None:
        ours, ref = base_output(), base_output()
        info = {"name": "alive", "status": "up", "change_id": "1"}
        ours["state"]["containers"] = containers(check_infos=[info])
        ref["state"]["containers"] = containers(check_infos=[{**info, "change_id": "7"}])
        self.assertTrue(judge(ours, ref, pebble_spec()).same)
        self.assertTrue(judge(ours, ref, pebble_spec(check_infos=[{"name": "alive", "change_id": "7"}])).unaccepted)

    def test_new_output_fields_only_at_their_defaults(self) -> None:
        ours = base_output()
        ours.update({"added_metrics": [], "pod_spec": None, "reboot_requested": None})
        self.assertTrue(judge(ours, base_output()).same)
        ours["reboot_requested"] = "now"
        self.assertTrue(judge(ours, base_output()).unaccepted)

    def test_check_infos_follow_plan(self) -> None:
        ours, ref = base_output(), base_output()
        layers = {"b": {"checks": {"alive": {"override": "replace", "level": "alive"}}}}
        info = {"name": "alive", "level": "alive", "startup": "", "status": "up", "successes": 0,
                "failures": 0, "threshold": 3, "change_id": "7"}
        ours["state"]["containers"] = containers(layers=layers, check_infos=[info])
        ref["state"]["containers"] = containers(layers=layers, check_infos=[{**info, "startup": "enabled"}])
        spec = pebble_spec(layers=layers, check_infos=[{"name": "alive", "change_id": "7"}])
        self.accepts("check-infos-follow-plan", ours, ref, spec)
        disabled = {"b": {"checks": {"alive": {"override": "replace", "startup": "disabled"}}}}
        ours["state"]["containers"][0]["layers"] = ref["state"]["containers"][0]["layers"] = disabled
        self.rejects(ours, ref, spec)  # ours is not the plan's startup

    def test_container_not_in_state(self) -> None:
        ours, ref = base_output(), base_output()
        ref["state"] = None
        ref["error"] = {"type": "RuntimeError", "message": "container with name='sidecar' not found. Did you forget ...", "traceback": ""}
        self.accepts("container-not-in-state", ours, ref, pebble_spec())
        self.rejects(ours, ref, {**pebble_spec(), "state": {"containers": [{"name": "workload"}, {"name": "sidecar"}]}})
        ref["error"]["message"] = "container with name='ghost' not found. Did you forget ..."
        self.rejects(ours, ref, pebble_spec())  # not in the metadata


ID = "secret:0123456789abcdefghij"
compare._META_CACHE[str((CASE.parent / "m").resolve())] = {
    "name": "m",
    "resources": {"bin": {"type": "file"}, "extra": {"type": "file"}},
    "actions": {"backup": {"params": {"target": {"type": "string"}, "level": {"type": "integer", "default": 3}},
                           "required": ["target"]}},
}


def model_spec(state: JSON | None = None, event: JSON | None = None, **case: Any) -> JSON:
    return {"charm": "m", "event": event or {"name": "update_status"}, "state": state or {}, **case}


def secret(owner: str | None = "unit", **fields: Any) -> JSON:
    return {"id": ID, "owner": owner, "label": "creds", "tracked_content": {"password": "a"},
            "latest_content": {"password": "a"}, "tracked_revision": 1, "latest_revision": 1,
            "description": None, "expire": None, "rotate": None, "remote_grants": {}, **fields}


def with_log(out: JSON, *lines: str) -> JSON:
    out["juju_log"] = [{"level": "INFO", "message": line} for line in lines]
    return out


class ModelRules(unittest.TestCase):
    """The secret, action, storage, resource and cloud rules and normalisations."""

    accepts = PebbleRules.accepts
    rejects = PebbleRules.rejects

    def test_drawn_secret_ids_are_paired_by_label(self) -> None:
        ours, ref = base_output(), base_output()
        ours["state"]["secrets"] = [secret(id="secret:abcdefghijabcdefghij", label="new")]
        ref["state"]["secrets"] = [secret(id="secret:zzzzzzzzzzzzzzzzzzzz", label="new")]
        with_log(ours, "added secret:abcdefghijabcdefghij")
        with_log(ref, "added secret:zzzzzzzzzzzzzzzzzzzz")
        self.assertTrue(judge(ours, ref, model_spec()).same)
        ref["state"]["secrets"][0]["label"] = "other"
        self.assertTrue(judge(ours, ref, model_spec()).unaccepted)
        # An id the input gives is compared as it is.
        given = model_spec({"secrets": [{"id": "secret:zzzzzzzzzzzzzzzzzzzz", "tracked_content": {"a": "b"}}]})
        ref["state"]["secrets"][0]["label"] = "new"
        self.assertTrue(judge(ours, ref, given).unaccepted)

    def test_storage_locations_are_masked(self) -> None:
        ours = with_log(base_output(), "at /tmp/ops-scenario-storage-AbC123/data-0")
        ref = with_log(base_output(), "at /tmp/scenario-x1y2/storages/data-0")
        self.assertTrue(judge(ours, ref, model_spec()).same)
        ref = with_log(base_output(), "at /tmp/scenario-x1y2/storages/data-1")
        self.assertTrue(judge(ours, ref, model_spec()).unaccepted)

    def test_secret_refused_at_commit(self) -> None:
        ours, ref = with_log(base_output(), "set-content: None"), with_log(base_output(), "set-content: SecretNotFoundError")
        ours["state"] = None
        ours["error"] = {"type": "CommitRefused", "message": f"secret-set {ID}: ERROR permission denied", "traceback": ""}
        ref["state"]["secrets"] = [secret(owner=None)]
        spec = model_spec({"secrets": [{"id": ID, "tracked_content": {"password": "a"}}]})
        self.accepts("secret-refused-at-commit", ours, ref, spec)
        owned = model_spec({"secrets": [{"id": ID, "owner": "unit", "tracked_content": {"password": "a"}}]})
        self.rejects(ours, ref, owned)  # this unit manages it
        # The application's secret on a non-leader: the leadership check's text, not "permission
        # denied" (and not the other way round).
        app = model_spec({"leader": False, "secrets": [{"id": ID, "owner": "app", "tracked_content": {"password": "a"}}]})
        self.rejects(ours, ref, app)
        not_leader = copy.deepcopy(ours)
        not_leader["error"]["message"] = f'secret-set {ID}: ERROR "m/0" is not leader of "m"'
        ref_app = copy.deepcopy(ref)
        ref_app["state"]["secrets"] = [secret(owner="app")]
        ref_app["state"]["leader"] = False
        self.accepts("secret-refused-at-commit", not_leader, ref_app, app)
        self.rejects(not_leader, ref, spec)
        ref["state"]["secrets"][0]["latest_revision"] = 2
        self.rejects(ours, ref, spec)  # the reference changed it

    def test_secret_checker_rules(self) -> None:
        ours, ref = {"rejected": "inconsistent"}, {"output": base_output()}
        event = {"name": "secret_changed", "secret_id": ID}
        owned = model_spec(
            {"leader": True, "secrets": [{"id": ID, "owner": "app", "tracked_content": {"a": "b"}}]}, event
        )
        raw = {"rejected": "inconsistent", "message": "  - secret.owned: ..."}
        verdict = compare.judge(CASE.parent / "m.json", owned, raw, ref)
        self.assertEqual((verdict.unaccepted, list(verdict.accepted)), ([], ["secret-checker-rules"]))
        observed = model_spec({"secrets": [{"id": ID, "tracked_content": {"a": "b"}}]}, event)
        self.assertTrue(compare.judge(CASE.parent / "m.json", observed, raw, ref).unaccepted)
        # A non-leader consumes its application's secrets: Juju sends it secret-changed.
        follower = model_spec({"secrets": [{"id": ID, "owner": "app", "tracked_content": {"a": "b"}}]}, event)
        self.assertTrue(compare.judge(CASE.parent / "m.json", follower, raw, ref).unaccepted)
        del ours

    def test_secret_revisions(self) -> None:
        ours, ref = base_output(), base_output()
        ours["state"]["secrets"] = [secret(latest_content={"password": "b"}, latest_revision=2)]
        ref["state"]["secrets"] = [secret(latest_content={"password": "b"}, latest_revision=3)]
        spec = model_spec({"secrets": [{"id": ID, "owner": "unit", "tracked_content": {"password": "a"}}]})
        self.accepts("secret-revisions", ours, ref, spec)
        ours["state"]["secrets"][0]["latest_revision"] = 3
        ref["state"]["secrets"][0]["latest_revision"] = 4
        self.rejects(ours, ref, spec)  # ours is not Juju's one revision

    def test_secret_label_taken(self) -> None:
        ours = with_log(base_output(), "add-app: {'t': 'a'}", "add-app: ModelError")
        ref = with_log(base_output(), "add-app: {'t': 'a'}", "add-app: {'t': 'a'}")
        ours["state"]["secrets"] = [secret(id="secret:aaaaaaaaaaaaaaaaaaaa", label="fresh")]
        ref["state"]["secrets"] = [secret(id="secret:bbbbbbbbbbbbbbbbbbbb", label="fresh"),
                                   secret(id="secret:cccccccccccccccccccc", label="fresh")]
        spec = model_spec({"config": {"label": "fresh"}})
        self.accepts("secret-label-taken", ours, ref, spec)
        ours["state"]["secrets"][0]["label"] = "other"
        self.rejects(ours, ref, spec)

    def test_secret_label_taken_at_commit(self) -> None:
        ours = with_log(base_output(), "add-app: {'token': 'added'}")
        ref = with_log(base_output(), "add-app: {'password': 'a'}")
        ours["state"] = None
        ours["error"] = {"type": "CommitRefused", "traceback": "",
                         "message": 'secret-add secret:<drawn:creds#1>: ERROR secret with label "creds" already exists'}
        ref["state"]["secrets"] = [secret(), secret(id="secret:<drawn:creds#1>")]
        spec = model_spec({"secrets": [{"id": ID, "owner": "unit", "label": "creds", "tracked_content": {"a": "b"}}]})
        self.accepts("secret-label-taken", ours, ref, spec)
        observed = model_spec({"secrets": [{"id": ID, "label": "creds", "tracked_content": {"a": "b"}}]})
        self.rejects(ours, ref, observed)  # an observed secret's label is another namespace
        ours["error"]["message"] += "\nsecret-set x: ERROR permission denied"
        self.rejects(ours, ref, spec)  # another refusal too

    def grant_case(self, steps: str, grants: list[str] | None = None) -> JSON:
        state = {"leader": True, "config": {"steps": steps},
                 "secrets": [{"id": ID, "owner": "app", "tracked_content": {"a": "b"},
                              "remote_grants": {"1": grants} if grants else {}}],
                 "relations": [{"endpoint": "db", "id": 1, "remote_app_name": "pg",
                                "remote_units_data": {"0": {}, "1": {}}}]}
        return model_spec(state)

    def grant_outputs(self, ours_grants: list[str], ref_grants: list[str], *lines: tuple[str, str]) -> tuple[JSON, JSON]:
        ours = with_log(base_output(), *(a for a, _ in lines))
        ref = with_log(base_output(), *(b for _, b in lines))
        ours["state"]["secrets"] = [secret(owner="app", remote_grants={"1": ours_grants})]
        ref["state"]["secrets"] = [secret(owner="app", remote_grants={"1": ref_grants})]
        return ours, ref

    def test_secret_grants_in_one_hook(self) -> None:
        two_units = self.grant_case("grant-unit,grant-last-unit")
        ours, ref = self.grant_outputs(["pg/1"], ["pg/0", "pg/1"])
        self.accepts("secret-grants-in-one-hook", ours, ref, two_units)
        self.rejects(ours, ref, {**two_units, "context": {"juju_version": "3.3.0"}})  # every grant kept then
        ours, ref = self.grant_outputs(["pg/0"], ["pg/0", "pg/1"])
        self.rejects(ours, ref, two_units)  # Juju keeps the last grant, not the first
        # A grant from an earlier hook stays.
        ours, ref = self.grant_outputs(["pg/0", "pg/1"], ["pg/0", "pg/1"])
        self.assertTrue(judge(ours, ref, self.grant_case("grant-last-unit", ["pg/0"])).same)
        unit_then_app = self.grant_case("grant-unit,grant-app")
        ours, ref = self.grant_outputs(["pg/0"], ["pg", "pg/0"], ("grant-unit: None", "grant-unit: None"),
                                       ("grant-app: ModelError", "grant-app: None"))
        self.accepts("secret-grants-in-one-hook", ours, ref, unit_then_app)
        ours, ref = self.grant_outputs(["pg/0"], ["pg", "pg/0"], ("grant-unit: ModelError", "grant-unit: None"),
                                       ("grant-app: ModelError", "grant-app: None"))
        self.rejects(ours, ref, unit_then_app)  # Juju refuses the application grant only

    def test_secret_grants_go_with_the_relation(self) -> None:
        spec = self.grant_case("", ["pg"])
        spec["event"] = {"name": "db_relation_broken", "relation_id": 1}
        ours, ref = base_output(), base_output()
        ours["state"]["secrets"] = [secret(owner="app")]
        ref["state"]["secrets"] = [secret(owner="app", remote_grants={"1": ["pg"]})]
        self.accepts("secret-grants-go-with-the-relation", ours, ref, spec)
        self.rejects(ours, ref, self.grant_case("", ["pg"]))  # not relation-broken
        ref["state"]["secrets"][0]["remote_grants"] = {"1": ["pg", "pg/0"]}
        self.rejects(ours, ref, spec)  # the reference's grants are not the input's

    def test_secret_info_not_found(self) -> None:
        ours, ref = with_log(base_output(), "info-id: SecretNotFoundError"), with_log(base_output(), "info-id: ModelError")
        app = {"secrets": [{"id": ID, "owner": "app", "tracked_content": {"a": "b"}}]}
        self.accepts("secret-info-not-found", ours, ref, model_spec(app))
        self.rejects(ours, ref, model_spec({**app, "leader": True}))

    def test_action_rules(self) -> None:
        event = {"name": "backup_action", "action": {"name": "backup", "params": {"target": "t"}}}
        ours, ref = base_output(), base_output()
        ours["action_results"] = {"params": {"target": "t", "level": 3}}
        ref["action_results"] = {"params": {"target": "t"}}
        self.accepts("action-param-defaults", ours, ref, model_spec(event=event))
        ours["action_results"]["params"]["level"] = 4
        self.rejects(ours, ref, model_spec(event=event))  # not the default
        ours["action_results"], ref["action_results"] = {"a": {"b": "c"}}, {"a.b": "c"}
        self.accepts("action-results-nested", ours, ref, model_spec(event=event))
        ours["action_results"] = {"a": {"b": "d"}}
        self.rejects(ours, ref, model_spec(event=event))
        missing = model_spec(event={"name": "backup_action", "action": {"name": "backup"}})
        raw = {"rejected": "inconsistent", "message": "  - action.param_required: ..."}
        verdict = compare.judge(CASE.parent / "m.json", missing, raw, {"output": base_output()})
        self.assertEqual(list(verdict.accepted), ["action-required-param"])
        verdict = compare.judge(CASE.parent / "m.json", model_spec(event=event), raw, {"output": base_output()})
        self.assertTrue(verdict.unaccepted)  # the case gives the required param
        extra = model_spec(event={"name": "backup_action", "action": {"name": "backup", "params": {"target": "t", "x": 1}}})
        ref_raw = {"rejected": "inconsistent", "message": "param x is not a valid parameter for backup: missing from action specification"}
        verdict = compare.judge(CASE.parent / "m.json", extra, {"output": base_output()}, ref_raw)
        self.assertEqual(list(verdict.accepted), ["action-undeclared-param"])
        verdict = compare.judge(CASE.parent / "m.json", {**extra, "context": {"juju_version": "4.0.0"}}, {"output": base_output()}, ref_raw)
        self.assertTrue(verdict.unaccepted)

    def test_storage_rules(self) -> None:
        ours = with_log(base_output(), "probe request-twice: requested")
        ref = with_log(base_output(), "probe request-twice: requested")
        ours["requested_storages"], ref["requested_storages"] = {"data": 2}, {"data": 1}
        self.accepts("storage-add-accumulates", ours, ref, model_spec())
        ours["requested_storages"] = {"data": 3}
        self.rejects(ours, ref, model_spec())
        two = model_spec({"storages": [{"name": "data", "index": 0}, {"name": "data", "index": 1}]})
        ours, ref = with_log(base_output(), "data=[0, 1]"), with_log(base_output(), "data=[1, 0]")
        self.accepts("storage-list-order", ours, ref, two)
        self.rejects(ours, with_log(base_output(), "data=[1, 2]"), two)

    def test_resource_and_credential_rules(self) -> None:
        ours, ref = base_output(), base_output()
        ref["state"] = None
        ref["error"] = {"type": "RuntimeError", "message": "Inconsistent state: resource extra not found in State. please pass it.", "traceback": ""}
        self.accepts("resource-not-in-state", ours, ref, model_spec())
        self.rejects(ours, ref, model_spec({"resources": [{"name": "extra", "path": "x"}]}))
        pre = "credential-get failed: ERROR "
        ours = with_log(base_output(), pre + "cannot access cloud credentials: permission denied")
        ref = with_log(base_output(), pre + "charm is not trusted, initialise Context with `app_trusted=True`")
        self.accepts("credential-get-refusal", ours, ref, model_spec())
        ours = with_log(base_output(), pre + "something else")
        self.rejects(ours, ref, model_spec())


class MergeAndBrokenRules(unittest.TestCase):
    """ops.testing's in-place plan merge, ops' check-level merge, a follower's own app bag."""

    accepts = PebbleRules.accepts
    rejects = PebbleRules.rejects

    def test_service_merge_in_place(self) -> None:
        base = {"services": {"web": {"override": "replace", "command": "/w", "environment": {"A": "1"}}}}
        over = {"services": {"web": {"override": "merge", "environment": {"B": "2"}}}}
        ours, ref = base_output(), base_output()
        ours["state"]["containers"] = containers(layers={"base": base, "over": over})
        merged = {"services": {"web": {"override": "merge", "command": "/w", "environment": {"A": "1", "B": "2"}}}}
        ref["state"]["containers"] = containers(layers={"base": merged, "over": over})
        self.accepts("service-merge-in-place", ours, ref, pebble_spec())
        wrong = {"services": {"web": {"override": "merge", "command": "/w", "environment": {"B": "2"}}}}
        ref["state"]["containers"] = containers(layers={"base": wrong, "over": over})
        self.rejects(ours, ref, pebble_spec())

    def test_check_level_merge(self) -> None:
        base = {"checks": {"alive": {"override": "replace", "level": "alive", "threshold": 3}}}
        over = {"checks": {"alive": {"override": "merge", "threshold": 5}}}
        info = {"name": "alive", "level": "alive", "startup": "", "status": "up", "successes": 0,
                "failures": 0, "threshold": 5, "change_id": "1"}
        ours, ref = base_output(), base_output()
        ours["state"]["containers"] = containers(layers={"base": base, "over": over}, check_infos=[info])
        ref["state"]["containers"] = containers(layers={"base": base, "over": over}, check_infos=[{**info, "level": ""}])
        plan = {"alive": {"override": "merge", "level": "alive", "threshold": 5}}
        ours["juju_log"] = [{"level": "INFO", "message": "plan checks=" + compare.json.dumps(plan)}]
        ref["juju_log"] = [{"level": "INFO", "message": "plan checks=" + compare.json.dumps({"alive": {"override": "merge", "threshold": 5}})}]
        self.accepts("check-level-merge", ours, ref, pebble_spec())
        ours["state"]["containers"] = containers(layers={"base": base}, check_infos=[info])
        ref["state"]["containers"] = containers(layers={"base": base}, check_infos=[{**info, "level": ""}])
        self.rejects(ours, ref, pebble_spec())  # no layer merges the check

    def test_broken_follower_own_app_data(self) -> None:
        spec = {"charm": "x", "event": {"name": "db_relation_broken", "relation_id": 3},
                "state": {"relations": [{"endpoint": "db", "id": 3}]}}
        ours, ref = base_output(), base_output()
        ours["juju_log"] = [{"level": "WARNING", "message": "local app data failed: ModelError"}]
        ref["juju_log"] = [{"level": "INFO", "message": "local app data={}"}]
        self.accepts("broken-follower-own-app-data", ours, ref, spec)
        self.rejects(ours, ref, {**spec, "state": {**spec["state"], "leader": True}})
        changed = {**spec, "event": {"name": "db_relation_changed", "relation_id": 3}}
        self.rejects(ours, ref, changed)


if __name__ == "__main__":
    unittest.main()
