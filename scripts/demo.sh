#!/usr/bin/env bash
# Command 1: install, then run the demo of Commune IV (Bamako) on SQLite at http://127.0.0.1:8000
# Another address or port: scripts/demo.sh --bind 127.0.0.1:8001 (or KENEYA_BIND=127.0.0.1:8001).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh base
exec .venv/bin/keneya demo "$@"
