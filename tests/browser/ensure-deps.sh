#!/usr/bin/env bash
# Installs the browser tests' npm packages (playwright-core, ws) exactly as
# pinned in package-lock.json, with `npm ci` — only when they are missing or the
# lock file changed (a stamp in node_modules remembers the lock's hash).
# Never downloads a browser: the tests drive Debian's /usr/bin/chromium.
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
stamp="$dir/node_modules/.hubchat-lock.sha256"
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" && -d $dir/node_modules/playwright-core ]]; then
  exit 0
fi
echo "installing browser test dependencies (npm ci --prefix $dir)"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
echo "$want" >"$stamp"
