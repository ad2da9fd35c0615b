#!/usr/bin/env bash
# Install Kènèya into ./.venv from the hash-locked requirements, then compile the translations.
# Usage: scripts/install.sh [base|dev]   (dev adds the test and lint tools)
# Needs only Python 3.11 and, for gettext's msgfmt when missing, apt (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-base}"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

stamp=".venv/.installed-$profile"
lock="requirements/$profile.txt"
if [ ! -x .venv/bin/python ]; then
  echo "==> Création de l'environnement Python (.venv)"
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian's python3 ships venv/ensurepip separately.
    rm -rf .venv
    echo "==> Installation de python3-venv"
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    "$PYTHON" -m venv .venv
  fi
fi
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "==> Installation des dépendances ($lock)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes -r "$lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  touch "$stamp"
fi

if ! command -v msgfmt >/dev/null 2>&1; then
  echo "==> Installation de gettext (msgfmt)"
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && apt-get install -y -qq gettext >/dev/null) || echo "gettext indisponible"
  else
    sudo apt-get install -y -qq gettext >/dev/null 2>&1 || echo "gettext indisponible"
  fi
fi
if command -v msgfmt >/dev/null 2>&1; then
  DEBUG=1 .venv/bin/python manage.py compilemessages --ignore=.venv -v 0
fi
