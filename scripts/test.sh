#!/usr/bin/env bash
# The whole test suite: set up (system packages, .venv with the dev extras) if needed, then
# run pytest, notebooks included. Extra arguments go to pytest, e.g. `-k waste`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh" "dev"
cd "$ROOT"
# Keep test runs reproducible and quiet: no plotting window, Jupyter paths inside the venv.
export MPLBACKEND=Agg
export JUPYTER_PLATFORM_DIRS=1
exec python -m pytest "$@"
