#!/usr/bin/env bash
# Shared set-up for the README's two commands: make sure the system has what the project
# needs (installing missing Debian/Ubuntu packages with apt), then create .venv and install
# the package with the requested extras. Re-running is cheap: nothing is reinstalled unless
# pyproject.toml changed. Usage: source scripts/bootstrap.sh EXTRAS  (e.g. "dev").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
EXTRAS="${1:-}"

say() { printf '[okmo setup] %s\n' "$*" >&2; }

# --- system packages (Debian/Ubuntu) ----------------------------------------------------
python_ok() {
  command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null
}

apt_install() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      say "need root or sudo to install: $*"; exit 1; fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "this is not a Debian/Ubuntu system; install these yourself: $*"; exit 1
  fi
  say "installing system packages: $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
python_ok || missing+=(python3 python3-venv python3-pip)
command -v git >/dev/null 2>&1 || missing+=(git)
# The PDF report: Debian's Chromium prints it, Noto fonts cover Cyrillic and Kyrgyz letters,
# poppler reads it back (tests, table of contents). Never a downloaded browser or font.
if [ "${OKMO_NEEDS_PDF:-1}" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 ||
    [ -n "${OKMO_CHROMIUM:-}" ] || missing+=(chromium)
  [ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || missing+=(fonts-noto-core)
  [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
  python_ok || { say "python3 >= 3.10 with venv is still missing"; exit 1; }
fi

# --- virtual environment and the package ------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  python3 -m venv "$VENV"
fi

stamp="$VENV/.okmo-installed-${EXTRAS:-core}"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing okmo-models${EXTRAS:+[$EXTRAS]} and its dependencies (first run takes a few minutes)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT${EXTRAS:+[$EXTRAS]}"
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
