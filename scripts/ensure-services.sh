#!/usr/bin/env bash
# Starts PostgreSQL if it is down and installs Chromium if it is missing (Debian packages), so a
# fresh machine can run the suite with one command. Idempotent and quiet when all is well.
set -uo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break; sleep 1; done
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "ensure-services: installing Chromium (Debian package)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/moatless-apt.log 2>&1 || echo "ensure-services: could not install chromium; see /tmp/moatless-apt.log"
fi
# Remote browsers run as this account, sandbox on (src/isolation/run-as.ts).
[ "$(id -u)" = "0" ] && bash "$(dirname "$0")/setup-isolation-user.sh" moatless-rbi
exit 0
