#!/usr/bin/env python3
"""Self-test of compare.py: hand it Output pairs that differ on purpose, so it cannot pass
silently. Each test builds two Outputs from one base and checks exactly what is reported
(unaccepted) or accepted, and under which rule name.

Run: python3 conformance/test_compare.py   (stdlib unittest; needs no venv)
"""

from __future__ import annotations

import copy
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


if __name__ == "__main__":
    unittest.main()
