#!/usr/bin/env bash
# Installs Debian's squid-openssl (Squid built with OpenSSL, so ssl_bump works) for the Gateway
# benchmark's comparison anchor; the tests never need it, so scripts/ensure-services.sh does not
# install it. Idempotent: quiet when Squid with ssl_bump support and its cert helper are present.
set -uo pipefail
helper=/usr/lib/squid/security_file_certgen
if [ -x /usr/sbin/squid ] && [ -x "$helper" ]; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
  echo "ensure-squid: run as root: apt-get update && apt-get install -y squid-openssl" >&2
  exit 1
fi
echo "ensure-squid: installing squid-openssl (Debian package)"
if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends squid-openssl) >/tmp/moatless-squid-apt.log 2>&1; then
  echo "ensure-squid: apt-get failed; see /tmp/moatless-squid-apt.log" >&2
  exit 1
fi
# The package starts a system Squid on :3128; the benchmark runs its own, so stop that one.
if command -v systemctl >/dev/null && systemctl is-active --quiet squid 2>/dev/null; then systemctl stop squid; fi
[ -f /run/squid.pid ] && kill "$(cat /run/squid.pid)" 2>/dev/null
exit 0
