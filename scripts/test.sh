#!/usr/bin/env bash
# The whole test suite: set up (system packages, .venv with the dev extras) if needed, then
# run pytest, notebooks included. Extra arguments go to pytest, e.g. `-k waste`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh" "dev"
cd "$ROOT"
# Jupyter's modern data paths (silences a deprecation warning in kernels).
export JUPYTER_PLATFORM_DIRS=1
# One worker per core, each taking whole test files (their servers and browsers are shared
# within a file); OKMO_TEST_WORKERS=0 runs everything in this process.
exec python -m pytest -n "${OKMO_TEST_WORKERS:-auto}" --dist loadfile "$@"
