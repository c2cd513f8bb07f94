#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run them.
# Used by developers and by CI (.ci/run); safe to run again (it skips what is there).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(npm)
command -v hugo >/dev/null || missing+=(hugo)  # the benchmark's comparison (tests/test_bench.py)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# The Nu Html Checker (vnu.jar) and Lighthouse, pinned in package-lock.json; never a browser
# download (Lighthouse drives Debian's Chromium).
if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -x node_modules/.bin/lighthouse ]; then
  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest "$@"
fi
# The whole suite: on both cores (pytest-xdist), then the Lighthouse audits alone, since they time the page
# and a busy machine would slow it. Both parts run; the status is the first failure's.
status=0
.venv/bin/python -m pytest -n 2 -m "not alone" || status=$?
.venv/bin/python -m pytest -m alone || status=$((status ? status : $?))
exit $status
