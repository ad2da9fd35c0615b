#!/usr/bin/env bash
# Command 2: install what the tests need (Python packages, Debian chromium) and run them.
# SQLite by default; set DATABASE_URL=postgres://postgres@127.0.0.1:5432/keneya to run on PostgreSQL.
# Extra arguments go to pytest, e.g. scripts/test.sh -k registry
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh dev

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> Installation de chromium (tests navigateur)"
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

if ! command -v pdftotext >/dev/null 2>&1; then
  echo "==> Installation de poppler-utils (lecture des PDF dans les tests)"
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  fi
fi

if ! command -v node >/dev/null 2>&1; then
  echo "==> Installation de node (parité du moteur clinique de la tablette)"
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
  fi
fi

echo "==> Tests sur ${DATABASE_URL:+PostgreSQL}${DATABASE_URL:-SQLite}" | sed 's#postgres://[^ ]*##'
set +e
.venv/bin/python -m pytest -n 2 "$@"
status=$?
set -e
if [ "$status" = "5" ]; then
  echo "Aucun test collecté : c'est une erreur." >&2
  exit 1
fi
exit "$status"
