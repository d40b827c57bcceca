"""Interpreter set-up, once per process: make the venv importable ahead of the global
site-packages, and explain precisely why `ops` cannot be imported when it cannot."""

from __future__ import annotations

import os
import site
import sys


def use_venv(venv: str, why: str) -> None:
    """Put the venv's site-packages (and its .pth entries) first, and drop the global ones,
    as a venv without `include-system-site-packages` would. `why` says why this venv."""
    version = f'python{sys.version_info[0]}.{sys.version_info[1]}'
    site_packages = os.path.join(venv, 'lib', version, 'site-packages')
    if not os.path.isdir(site_packages):
        raise RuntimeError(
            f'the venv {venv} ({why}) has no {version} site-packages ({site_packages}); '
            f'the embedded interpreter is Python {sys.version.split()[0]}, so the venv must be '
            f'made with it: python{sys.version_info[0]}.{sys.version_info[1]} -m venv {venv}'
        )
    global_dirs = set(site.getsitepackages()) | {site.getusersitepackages()}
    sys.path[:] = [p for p in sys.path if p not in global_dirs]
    before = set(sys.path)
    site.addsitedir(site_packages)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + [p for p in sys.path if p in before]
    sys.prefix = sys.exec_prefix = venv
    sys.executable = os.path.join(venv, 'bin', 'python3')


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
