#!/usr/bin/env bash
# rcprov aka diagnose on vectors with known mistakes, and bad-input handling.
set -euo pipefail
exec python3 "$(dirname "$0")/aka_diagnose.py"
