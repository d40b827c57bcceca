"""Interpreter set-up, once per process: make the venv importable ahead of the global
site-packages, and explain precisely why it cannot be used, or why `ops` cannot be imported,
when that happens (a venv of another Python minor than the one this build embeds, above all)."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig


def use_venv(venv: str, why: str, built_with: str) -> str | None:
    """Put the venv's site-packages (and its .pth entries) first, and drop the global ones,
    as a venv without `include-system-site-packages` would; or, when the venv cannot serve
    this interpreter, return why and what fixes it. `why` says why this venv, `built_with`
    the interpreter the build was configured with (pyo3's choice)."""
    minor = _minor()
    if not os.path.isdir(venv):
        return (
            f'the venv {venv} ({why}) does not exist\n'
            f'  Python: this build of ops-scenario embeds {embedded_python()}\n'
            f'  fix: python{minor} -m venv "{venv}" && "{venv}/bin/pip" install ops'
        )
    site_packages = os.path.join(venv, 'lib', f'python{minor}', 'site-packages')
    if not os.path.isdir(site_packages):
        venv_minor, said = venv_python(venv)
        if venv_minor is not None and venv_minor != minor:
            return minor_mismatch(venv, why, venv_minor, said, built_with)
        return (
            f'the venv {venv} ({why}) has no python{minor} site-packages ({site_packages})\n'
            f'  Python: this build of ops-scenario embeds {embedded_python()}, so the venv '
            f'must be made with Python {minor}\n'
            f'  fix: python{minor} -m venv --clear "{venv}" && "{venv}/bin/pip" install ops '
            f'(or the charm\'s own requirements)'
        )
    global_dirs = set(site.getsitepackages()) | {site.getusersitepackages()}
    sys.path[:] = [p for p in sys.path if p not in global_dirs]
    before = set(sys.path)
    site.addsitedir(site_packages)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + [p for p in sys.path if p in before]
    sys.prefix = sys.exec_prefix = venv
    sys.executable = os.path.join(venv, 'bin', 'python3')
    return None


def _minor() -> str:
    """The embedded interpreter's minor: `3.11`."""
    return f'{sys.version_info[0]}.{sys.version_info[1]}'


def embedded_python() -> str:
    """This interpreter, as a person would name it: `CPython 3.11.7
    (/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0)`, with the libpython the process loaded."""
    library = loaded_libpython()
    version = sys.version.split()[0]
    return f'CPython {version} ({library})' if library else f'CPython {version}'


def loaded_libpython() -> str | None:
    """The path of the libpython this process loaded (from /proc/self/maps), else the one the
    interpreter's build says it installs."""
    try:
        with open('/proc/self/maps', encoding='utf-8', errors='replace') as maps:
            for line in maps:
                fields = line.split(maxsplit=5)
                if len(fields) == 6 and os.path.basename(fields[5].strip()).startswith('libpython3'):
                    return fields[5].strip()
    except OSError:
        pass
    libdir, name = sysconfig.get_config_var('LIBDIR'), sysconfig.get_config_var('INSTSONAME')
    if isinstance(libdir, str) and isinstance(name, str):
        return os.path.join(libdir, name)
    return None


def venv_python(venv: str) -> tuple[str | None, str]:
    """The Python minor a venv was made with, and where that was read: its `pyvenv.cfg`
    (`version` as `python -m venv` writes it, `version_info` as uv and virtualenv do), else
    its one `lib/python3.X` folder. (None, '') if neither says."""
    try:
        with open(os.path.join(venv, 'pyvenv.cfg'), encoding='utf-8') as cfg:
            for line in cfg:
                key, _, value = line.partition('=')
                if key.strip() in ('version', 'version_info'):
                    parts = value.strip().split('.')
                    if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                        return f'{parts[0]}.{parts[1]}', f'its pyvenv.cfg: {key.strip()} = {value.strip()}'
    except OSError:
        pass
    try:
        found = sorted(d for d in os.listdir(os.path.join(venv, 'lib')) if d.startswith('python3.'))
    except OSError:
        found = []
    if len(found) == 1:
        return found[0][len('python'):], f'it has lib/{found[0]}'
    return None, ''


# Run by the venv's own interpreter: its version and whether it has the shared libpython that
# embedding needs (the file a linker takes, as pyo3 links it).
_PROBE = """import json, os, sys, sysconfig
v = sysconfig.get_config_var
libdir, library = v('LIBDIR') or '', v('LDLIBRARY') or ''
print(json.dumps({
    'version': sys.version.split()[0],
    'base': getattr(sys, '_base_executable', '') or sys.executable,
    'shared': bool(v('Py_ENABLE_SHARED')) and library.endswith('.so')
              and os.path.exists(os.path.join(libdir, library)),
    'library': os.path.join(libdir, library),
}))"""


def probe_venv_python(venv: str) -> dict[str, object] | None:
    """What the venv's own `bin/python` says of itself (see `_PROBE`), or None if it does not
    run or says nothing readable."""
    python = os.path.join(venv, 'bin', 'python')
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONHOME', 'PYTHONPATH')}
    try:
        done = subprocess.run(
            [python, '-c', _PROBE], capture_output=True, text=True, timeout=30, env=env, check=False
        )
        answer = json.loads(done.stdout)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return answer if isinstance(answer, dict) else None


def minor_mismatch(venv: str, why: str, venv_minor: str, said: str, built_with: str) -> str:
    """The report for a venv of another Python minor than the embedded one: both, and the two
    ways out (build for the venv's Python; make the venv with the embedded one)."""
    minor = _minor()
    python = os.path.join(venv, 'bin', 'python')
    probe = probe_venv_python(venv)
    base = f' (CPython {probe["version"]}, {probe["base"]})' if probe else ''
    lines = [
        f'the venv {venv} ({why}) is Python {venv_minor} ({said}), but this build of '
        f'ops-scenario embeds {embedded_python()}: a build runs the one Python minor it was '
        f'built against, and a venv\'s packages are made for its own',
        f'  built against: {built_with} (pyo3 takes PYO3_PYTHON, else $VIRTUAL_ENV/bin/python, '
        f'else python, then python3, on PATH, when it builds)',
        f'  the venv\'s Python: {python}{base}',
    ]
    if probe is not None and not probe.get('shared'):
        lines += [
            f'  its Python has no shared libpython ({probe.get("library")} is missing, or the '
            f'build is static), and embedding needs one: make the venv with a Python {venv_minor} '
            f'that has it first: uv\'s (uv python install {venv_minor}; uv venv --python '
            f'{venv_minor}), pyenv\'s built with PYTHON_CONFIGURE_OPTS=--enable-shared, or '
            f'Debian\'s and Ubuntu\'s with the package libpython{venv_minor}-dev',
        ]
    lines += [
        f'  fix: build for the venv\'s Python {venv_minor} (cargo rebuilds pyo3 and the engine '
        f'once):',
        f'    cargo test in the charm\'s repository: in {_config_file(venv)}',
        f'        [env]',
        f'        PYO3_PYTHON = {_config_value(venv)}',
        f'      or for one run: PYO3_PYTHON="{python}" cargo test',
        f'    the scenario CLI, from a clone of ops-scenario: PYO3_PYTHON="{python}" '
        f'cargo install --locked --path cli --root ~/.local/scenario-py{venv_minor}',
        f'  or make the venv with Python {minor}: uv venv --python {minor} "{venv}" (or '
        f'python{minor} -m venv --clear "{venv}"), then install its packages again',
    ]
    return '\n'.join(lines)


# A charm's own environments (runtime/python_env.rs tries them): the charm's root is above.
_CHARM_VENVS = ('.venv', os.path.join('.tox', 'unit'))


def _charm_venv(venv: str) -> tuple[str, str] | None:
    """(the charm's root, the venv relative to it) when `venv` is one of a charm's own."""
    for relative in _CHARM_VENVS:
        suffix = os.sep + relative
        if venv.rstrip(os.sep).endswith(suffix):
            return venv.rstrip(os.sep)[: -len(suffix)] or os.sep, relative
    return None


def _config_file(venv: str) -> str:
    own = _charm_venv(venv)
    if own:
        return os.path.join(own[0], '.cargo', 'config.toml')
    return 'the .cargo/config.toml at the charm\'s root'


def _config_value(venv: str) -> str:
    own = _charm_venv(venv)
    if own:
        return f'{{ value = "{os.path.join(own[1], "bin", "python")}", relative = true }}'
    return json.dumps(os.path.join(venv, 'bin', 'python'))


def ops_import_problem(venv: str | None, why: str) -> str | None:
    """None if `ops` imports; otherwise a report of what was tried and how to fix it. `venv` is
    the environment in use (None: the interpreter's own), `why` why it was chosen."""
    try:
        import ops  # noqa: F401
    except Exception as e:  # ImportError, or a broken install
        if venv:
            python = os.path.join(venv, 'bin', 'python')
            fix = f'"{python}" -m pip install ops'
            if not os.path.exists(os.path.join(venv, 'bin', 'pip')):
                fix = f'"{python}" -m ensurepip && {fix}'
        else:
            fix = (
                'python3 -m venv .venv && .venv/bin/pip install ops '
                '&& export VIRTUAL_ENV="$PWD/.venv"'
            )
        paths = '\n'.join(f'    {p}' for p in sys.path)
        return (
            f'the embedded Python cannot import ops ({type(e).__name__}: {e})\n'
            f'  Python: {sys.version.split()[0]} (prefix {sys.prefix}, '
            f'executable {sys.executable or "unknown"})\n'
            f'  venv: {venv or "none"} ({why})\n'
            f'  searched sys.path:\n{paths}\n'
            f'  fix: {fix}'
        )
    return None
