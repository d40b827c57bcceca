"""Where the time inside Context.run goes, from a py-spy profile that scripts/real-charm.sh --profile
takes (`py-spy record --format raw --full-filenames`): only the samples under runtimer's wrapper
(`-p runtimer`) count, i.e. inside `ctx.run(...)` and the manager form, on either engine.

    pyspy_summary.py PROFILE CHARM_ROOT [--top N]

Each sample inside a run is put in one bucket:
  - log handling: under logging's Logger.callHandlers (handlers the harness installs; ops-scenario
    7 leaves one more JujuLogHandler on the root logger every run, so this grows through a session)
  - the harness, called by the charm: the stack goes through the charm's code (CHARM_ROOT/src, lib,
    ...) and then into ops-scenario (`scenario/`) or our package (`ops_scenario_rs/`)
  - the charm's own code: the stack goes through the charm's code, and what it calls (ops' model,
    the standard library, ssl, yaml, cryptography, ...) except the two above
  - not the charm's code: everything else (the harness setting up and tearing down the run, ops'
    dispatch, YAML the harness writes and ops reads back, storage, imports, ...); shown by the package
    of the innermost frame (self time) and by where the stack enters a package (inclusive), so what
    is left of a run that is not the charm shows.
Standard library only."""
import collections
import re
import sys
from pathlib import Path

FRAME = re.compile(r'^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$')


def owner(path: str, charm_root: str) -> str:
    if path.startswith(charm_root + '/'):
        return 'charm'
    m = re.search(r'/site-packages/([^/]+)', path)
    if m:
        return m.group(1).removesuffix('.py')
    if path.startswith('<'):
        return 'python'
    return 'stdlib:' + '/'.join(Path(path).parts[-2:]) if Path(path).name == '__init__.py' else 'stdlib:' + Path(path).name


def main() -> int:
    args = sys.argv[1:]
    top = 15
    if '--top' in args:
        i = args.index('--top')
        top = int(args[i + 1])
        del args[i:i + 2]
    profile, charm_root = args[0], str(Path(args[1]).resolve())
    buckets: collections.Counter[str] = collections.Counter()
    rest: collections.Counter[str] = collections.Counter()
    rest_self: collections.Counter[str] = collections.Counter()
    total = inside = 0
    for line in open(profile):
        stack, _, n = line.rstrip('\n').rpartition(' ')
        if not n.isdigit():
            continue
        count = int(n)
        total += count
        frames = stack.split(';')
        starts = [i for i, f in enumerate(frames) if 'runtimer.py' in f]
        if not starts:
            continue
        inside += count
        parsed = []
        for f in frames[starts[0] + 1:]:
            m = FRAME.match(f)
            parsed.append((m.group('func'), m.group('file')) if m else (f, ''))
        owners = [owner(file, charm_root) for _, file in parsed]
        if any(func.endswith('callHandlers') for func, _ in parsed):
            buckets['log handling (Logger.callHandlers)'] += count
        elif 'charm' in owners:
            below = owners[owners.index('charm'):]
            if 'scenario' in below or 'ops_scenario_rs' in below:
                buckets['the harness, called by the charm (its backend)'] += count
            else:
                buckets["the charm's own code (and what it calls)"] += count
        else:
            buckets["not the charm's code"] += count
            # the frames where the stack enters a package (its caller is another package's)
            entries = {f'{func} [{own}]' for i, ((func, _), own) in enumerate(zip(parsed, owners))
                       if i == 0 or owners[i - 1] != own}
            for key in entries:
                rest[key] += count
            rest_self[owners[-1] if owners else '?'] += count
    if not inside:
        print(f'{profile}: no samples inside runs (was -p runtimer loaded?)')
        return 1
    print(f'{Path(profile).name}: {inside} of {total} samples inside runs')
    for name, count in buckets.most_common():
        print(f'  {100 * count / inside:5.1f}%  {name}')
    if rest:
        print("  not the charm's code, by the package of the innermost frame (self time):")
        for key, count in rest_self.most_common(8):
            print(f'    {100 * count / inside:5.1f}%  {key}')
        print("  not the charm's code, where the stack enters a package (inclusive):")
        for key, count in rest.most_common(top):
            print(f'    {100 * count / inside:5.1f}%  {key}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
