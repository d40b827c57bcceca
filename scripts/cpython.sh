#!/usr/bin/env bash
# Print the path of a CPython MINOR (for example 3.13) that has its shared libpython, which the
# engine embeds; get one first if the machine has none. The first of these that has it:
#   1. the one this script built before, in $OPS_SCENARIO_PYTHONS/MINOR (default
#      ~/.cache/ops-scenario/python/MINOR);
#   2. pythonMINOR on PATH, then pyenv's MINOR.x builds (newest first);
#   3. else it builds one there (--enable-shared) from Debian 13's source package of CPython
#      MINOR, which is the upstream release tarball (trixie has 3.13): about 5 minutes on 2 cores,
#      once per machine. Debian 12's packages stop at 3.11, Debian 13's binaries need a newer C
#      library than Debian 12's, and PyPI has no CPython build of its own (uv and the like
#      download theirs from elsewhere), so the registries' way to a second minor is the source.
# apt runs with a sources list and state of its own, in a temporary folder: the system's apt
# configuration is read (for its Debian mirror) but never changed. Building needs gcc, make and
# the -dev packages of OpenSSL, zlib and libffi (a rust-pyo3 machine has them).
#
#   scripts/cpython.sh 3.13        # prints e.g. /root/.cache/ops-scenario/python/3.13/bin/python3.13
set -euo pipefail
minor=${1:?usage: scripts/cpython.sh MINOR (for example 3.13)}
prefix="${OPS_SCENARIO_PYTHONS:-${XDG_CACHE_HOME:-$HOME/.cache}/ops-scenario/python}/$minor"
suite=trixie

# True if $1 runs as CPython $minor with a shared libpython that a linker can take.
shared() {
    "$1" - "$minor" >/dev/null 2>&1 <<'EOF'
import os, sys, sysconfig
v = sysconfig.get_config_var
library = os.path.join(v('LIBDIR') or '', v('LDLIBRARY') or '')
sys.exit(not (f'{sys.version_info[0]}.{sys.version_info[1]}' == sys.argv[1]
              and v('Py_ENABLE_SHARED') and library.endswith('.so') and os.path.exists(library)))
EOF
}

candidates=("$prefix/bin/python$minor")
if command -v "python$minor" >/dev/null; then candidates+=("$(command -v "python$minor")"); fi
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
while read -r dir; do
    [ -n "$dir" ] && candidates+=("$dir/bin/python$minor")
done < <(ls -d "$pyenv_root/versions/$minor".* 2>/dev/null | sort -rV)
for python in "${candidates[@]}"; do
    if [ -x "$python" ] && shared "$python"; then
        echo "$python"
        exit 0
    fi
done

# The Debian archive the system's apt uses (deb822 .sources files, then one-line lists).
mirror=$(
    {
        awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
    } | grep -E '/debian/?$' | head -n 1 || true
)
if [ -z "$mirror" ]; then
    echo "cpython.sh: no CPython $minor with a shared libpython here, and apt names no Debian archive to get its source from" >&2
    exit 1
fi
echo "cpython.sh: no CPython $minor with a shared libpython here: building one into $prefix from Debian $suite's source package (once per machine)" >&2
start=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb-src $mirror $suite main" >"$work/sources.list"
apt=(apt-get -qq -o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=-
    -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o Dir::State::status=/dev/null
    -o APT::Sandbox::User=root)
"${apt[@]}" update
(cd "$work" && "${apt[@]}" source --download-only "python$minor" >/dev/null)
tarball=$(ls "$work"/python"$minor"_*.orig.tar.[gx]z | head -n 1)
tar -xf "$tarball" -C "$work"
src=$(ls -d "$work"/Python-"$minor".* | head -n 1)
rm -rf "$prefix"
if ! (
    cd "$src"
    ./configure --prefix="$prefix" --enable-shared --with-ensurepip=no LDFLAGS="-Wl,-rpath,$prefix/lib"
    make -j"$(nproc)"
    make install
) >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    echo "cpython.sh: building CPython $minor failed (above: the end of its log)" >&2
    exit 1
fi
python="$prefix/bin/python$minor"
# What pip and the charms' packages need from the standard library.
if ! shared "$python" || ! "$python" -c 'import ssl, zlib, ctypes, sqlite3' 2>/dev/null; then
    echo "cpython.sh: the CPython $minor built in $prefix lacks its shared libpython or ssl, zlib, ctypes or sqlite3: install libssl-dev zlib1g-dev libffi-dev libsqlite3-dev, then run this again" >&2
    rm -rf "$prefix"
    exit 1
fi
echo "cpython.sh: built $("$python" -c 'import sys; print(sys.version.split()[0])') in $((SECONDS - start))s" >&2
echo "$python"
