#!/usr/bin/env bash
# Main job on the bundled example: set up (system packages, .venv) if needed, print the
# tariff calculation of the Teploklyuchenka waste scenario and write its PDF justification
# to reports/. Extra arguments go to both commands: `bash scripts/example.sh --lang ky` (or --force).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/bootstrap.sh" "report"
cd "$ROOT"
okmo tariff scenarios/teploklyuchenka/waste.yaml "$@"
exec okmo report scenarios/teploklyuchenka/waste.yaml --output reports "$@"
