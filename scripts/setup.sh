#!/usr/bin/env bash
# Set up the project on a fresh machine: a Python 3.12 virtual environment in
# .venv with the package and its extras. With --dev also the GIS extra (district
# files, tested), the test tools,
# Debian's Chromium (browser tests) and a CJK font (Chinese labels in figures).
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[ "${1:-}" = "--dev" ] && dev=1

find_python() {
  for candidate in python3.12 python3 "$HOME/.pyenv/versions/3.12"*/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] < (3, 12))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  py=$(find_python) || { echo "setup: Python >= 3.12 not found (Mesa 3.5 needs it); install python3.12" >&2; exit 1; }
  echo "setup: creating .venv with $($py --version)"
  "$py" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ $dev = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[experiments,app,gis,dev]"
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      echo "setup: installing ${need[*]} with apt-get"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      echo "setup: please install ${need[*]} (sudo apt-get install -y ${need[*]}); browser tests need them" >&2
    fi
  fi
else
  .venv/bin/python -m pip install -q -e ".[experiments,app]"
fi
# Compile the model's kernels once (sim/jit.py): later runs and workers load them from the cache.
.venv/bin/python -c "import sim.warmup; print(f'setup: model kernels compiled in {sim.warmup.warm():.1f} s')"
echo "setup: done (.venv ready)"
