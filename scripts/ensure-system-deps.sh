#!/usr/bin/env bash
# Makes sure a Chromium (for Playwright) and a redis-server 7.x (for the differential tests) exist.
# Order (CONTRACTS section 1): $CHROMIUM / $REDIS_SERVER if set, else /usr/bin/..., else apt-get as
# root on Debian/Ubuntu, else Playwright's own download for Chromium.
set -euo pipefail
need_apt=()
if [[ -n "${CHROMIUM:-}" ]]; then
  [[ -x "$CHROMIUM" ]] || { echo "CHROMIUM=$CHROMIUM is not an executable" >&2; exit 1; }
elif [[ ! -x /usr/bin/chromium ]]; then
  need_apt+=(chromium)
fi
if [[ -n "${REDIS_SERVER:-}" ]]; then
  [[ -x "$REDIS_SERVER" ]] || { echo "REDIS_SERVER=$REDIS_SERVER is not an executable" >&2; exit 1; }
elif ! command -v redis-server >/dev/null 2>&1; then
  need_apt+=(redis-server)
fi
((${#need_apt[@]})) || exit 0
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing ${need_apt[*]} with apt-get ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  # Debian enables and starts a redis service on install; the tests start their own.
  if command -v service >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi
  exit 0
fi
for pkg in "${need_apt[@]}"; do
  case "$pkg" in
    chromium) .venv/bin/python -m playwright install chromium ;;
    redis-server) echo "redis-server is missing and cannot be installed here (not root or no apt-get)." >&2; exit 1 ;;
  esac
done
