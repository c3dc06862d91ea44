#!/usr/bin/env bash
# Starts PostgreSQL if it is down and installs what the tests drive that is missing (Debian packages:
# Chromium; nginx and Caddy for forward-auth and deploy tests; systemd-analyze for the unit check),
# so a fresh machine can run the suite with one command. Idempotent and quiet when all is well.
set -uo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && break; sleep 1; done
fi
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/caddy ] || missing+=(caddy)
[ -x /usr/bin/systemd-analyze ] || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  echo "ensure-services: installing ${missing[*]} (Debian packages)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/tmp/moatless-apt.log 2>&1 \
    || echo "ensure-services: could not install ${missing[*]}; see /tmp/moatless-apt.log"
fi
# Remote browsers run as this account, sandbox on (src/isolation/run-as.ts).
[ "$(id -u)" = "0" ] && bash "$(dirname "$0")/setup-isolation-user.sh" moatless-rbi
exit 0
