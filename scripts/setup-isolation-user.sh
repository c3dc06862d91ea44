#!/usr/bin/env bash
# Creates the unprivileged account remote browsers run as when Moatless runs as root (Chromium
# refuses its sandbox as root, and isolation must not run without it). Idempotent.
set -euo pipefail
NAME="${1:-moatless-rbi}"
if id "$NAME" >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then echo "setup-isolation-user: run as root to create $NAME"; exit 1; fi
useradd --system --no-create-home --shell /usr/sbin/nologin "$NAME"
echo "setup-isolation-user: created $NAME"
