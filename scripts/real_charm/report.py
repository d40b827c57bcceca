"""The summary scripts/real-charm.sh prints: one line per run (engine, round), the medians per engine,
and, with both engines, the per-test comparison of outcomes read from pytest's JUnit XML.

    report.py RESULTS_DIR

RESULTS_DIR holds, per run, `<engine>-<round>.xml` (--junitxml), `.json` ($RUNTIMER_OUT: time inside
Context.run / the manager form and the number of runs), `.engine.json` (which Context class was in
place, from realcharm_engine.py) and `.wall` (the pytest process's wall seconds) and `.cpu.json` (the CPU time of the test's thread inside
runs and the garbage collector's wall time there, from realcharm_cputime.py). Exit status: 1 if a
run meant for our engine ran on another Context, or if the two engines' outcomes differ; else 0.
Standard library only."""
import json
import statistics
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

ENGINES = ('ops-testing', 'rust')
ORDER = ('passed', 'failed', 'error', 'skipped', 'xfailed', 'missing')


def outcomes(xml_path: Path) -> dict[str, tuple[str, str]]:
    """test id -> (outcome, first line of the failure/error/skip message)"""
    result: dict[str, tuple[str, str]] = {}
    if not xml_path.exists():
        return result
    for case in ET.parse(xml_path).getroot().iter('testcase'):
        key = f"{case.get('classname')}::{case.get('name')}"
        outcome, message = 'passed', ''
        for kind in ('error', 'failure', 'skipped'):
            el = case.find(kind)
            if el is None:
                continue
            message = (el.get('message') or el.text or '').strip().splitlines()[:1]
            message = message[0] if message else ''
            if kind == 'skipped':
                outcome = 'xfailed' if el.get('type') == 'pytest.xfail' else 'skipped'
            else:
                outcome = 'error' if kind == 'error' else 'failed'
            break
        result[key] = (outcome, message)
    return result


def junit_id(nodeid: str) -> str:
    """pytest's node id (tests/unit/test_a.py::TestA::test_b[x]) as JUnit's classname::name"""
    path, *rest = nodeid.split('::')
    module = path[:-3] if path.endswith('.py') else path
    return '.'.join([module.replace('/', '.'), *rest[:-1]]) + '::' + rest[-1]


def count_line(res: dict[str, tuple[str, str]]) -> str:
    c = Counter(o for o, _ in res.values())
    parts = [f'{c[k]} {k}' for k in ORDER if c.get(k)]
    return f"{len(res)} tests: {', '.join(parts) or 'none ran'}"


def main() -> int:
    results = Path(sys.argv[1])
    runs: dict[str, list[dict]] = {e: [] for e in ENGINES}
    status = 0
    for wall_file in sorted(results.glob('*.wall'), key=lambda p: (p.stem.rsplit('-', 1)[0], int(p.stem.rsplit('-', 1)[1]))):
        engine, rnd = wall_file.stem.rsplit('-', 1)
        base = results / wall_file.stem
        timer = json.loads(base.with_suffix('.json').read_text()) if base.with_suffix('.json').exists() else {}
        ctx = json.loads(Path(f'{base}.engine.json').read_text()) if Path(f'{base}.engine.json').exists() else {}
        cpu = json.loads(Path(f'{base}.cpu.json').read_text()) if Path(f'{base}.cpu.json').exists() else {}
        run = {
            'round': int(rnd),
            'wall': float(wall_file.read_text()),
            'inside': timer.get('seconds_in_run'),
            'runs': timer.get('runs'),
            'cpu': cpu.get('cpu_seconds_in_run'),
            'gc': cpu.get('gc_seconds_in_run'),
            'context': ctx.get('ops.testing', 'unknown (the session did not start)'),
            'outcomes': outcomes(base.with_suffix('.xml')),
        }
        if not run['outcomes'] and timer.get('outcomes'):
            # no JUnit XML (pytest could not write it): runtimer's record of each test's outcome
            print(f'{engine:11} round {rnd}: no JUnit XML; outcomes from runtimer')
            run['outcomes'] = {junit_id(k): (v, '') for k, v in timer['outcomes'].items()}
        runs[engine].append(run)
        inside = f"{run['inside']:.2f} s inside runs over {run['runs']} runs" if run['inside'] is not None else 'no runtimer output'
        if run['cpu'] is not None:
            inside += f" (CPU {run['cpu']:.2f} s, GC {run['gc']:.2f} s)"
        print(f"{engine:11} round {rnd}: {count_line(run['outcomes'])} | wall {run['wall']:.2f} s | {inside} | Context: {run['context']}")
        if engine == 'rust' and not run['context'].startswith('ops_scenario_rs'):
            print('  ** this run was meant for our engine but ops.testing.Context was not replaced: '
                  'is ops_scenario_rs installed in the venv and its pytest plugin registered?')
            status = 1
        bypasses = ctx.get('runs_on_ops_scenario_class')
        if engine == 'rust' and bypasses:
            print(f'  ** {bypasses} runs went to ops-scenario\'s own Context, not the engine\'s: a module '
                  'bound `ops.testing.Context` before the switch (a conftest.py beside the tests is '
                  'imported before pytest_configure), so the switch must happen earlier')
            status = 1

    done = [e for e in ENGINES if runs[e]]
    if len(done) == 0:
        print('no runs found in', results)
        return 1
    print()
    medians = {}
    for engine in done:
        rs = runs[engine]
        walls = [r['wall'] for r in rs]
        insides = [r['inside'] for r in rs if r['inside'] is not None]
        cpus = [r['cpu'] for r in rs if r['cpu'] is not None]
        medians[engine] = (statistics.median(walls), statistics.median(insides) if insides else None,
                           statistics.median(cpus) if cpus else None)
        inside = f'{medians[engine][1]:.2f} s' if insides else 'n/a'
        if cpus:
            inside += f' (CPU {medians[engine][2]:.2f} s)'
        print(f"{engine:11} median of {len(rs)}: wall {medians[engine][0]:.2f} s (min {min(walls):.2f}), "
              f"inside runs {inside}, runs {rs[0]['runs']}, {count_line(rs[0]['outcomes'])}")
        # the same engine should give the same outcome every round
        for r in rs[1:]:
            for test in sorted(set(r['outcomes']) | set(rs[0]['outcomes'])):
                a = rs[0]['outcomes'].get(test, ('missing', ''))[0]
                b = r['outcomes'].get(test, ('missing', ''))[0]
                if a != b:
                    print(f"  flaky on {engine}: {test}: round {rs[0]['round']} {a}, round {r['round']} {b}")

    if len(done) == 2:
        (ow, oi, oc), (rw, ri, rc) = medians['ops-testing'], medians['rust']
        speed = f'wall {ow / rw:.2f}x' if rw else ''
        if oi is not None and ri:
            speed += f', inside runs {oi / ri:.2f}x'
        if oc is not None and rc:
            speed += f' (CPU time inside runs {oc / rc:.2f}x)'
        print(f'speed-up of rust over ops-testing (medians): {speed}')
        a, b = runs['ops-testing'][0]['outcomes'], runs['rust'][0]['outcomes']
        diffs = []
        for test in sorted(set(a) | set(b)):
            oa, _ = a.get(test, ('missing', ''))
            ob, mb = b.get(test, ('missing', ''))
            if oa != ob:
                diffs.append(f'  {test}: ops-testing {oa}, rust {ob}' + (f' ({mb[:200]})' if mb else ''))
        print(f'per-test outcomes: {len(diffs)} difference(s) over {len(set(a) | set(b))} tests')
        print('\n'.join(diffs))
        if diffs:
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
