#!/usr/bin/env bash
# Runs Chromium ($CHROMIUM, default /usr/bin/chromium) with every --disable-features switch merged
# into one: Chromium keeps only the last one, and Playwright passes its own list before the
# caller's, so a test's extra features would otherwise switch Playwright's back on (HttpsUpgrades…).
set -euo pipefail
args=()
disabled=()
for a in "$@"; do
  case "$a" in
    --disable-features=*) disabled+=("${a#--disable-features=}") ;;
    *) args+=("$a") ;;
  esac
done
if ((${#disabled[@]})); then
  args+=("--disable-features=$(IFS=,; echo "${disabled[*]}")")
fi
exec "${CHROMIUM:-/usr/bin/chromium}" "${args[@]}"
