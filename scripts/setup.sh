#!/usr/bin/env bash
# The README's first command: install, build native + browser client, and
# start the relay on port 8080 serving the web client (in the background;
# log in build/relay.log, pid in build/relay.pid). PORT=... to change the port.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-8080}

bash scripts/install-deps.sh
bash scripts/build.sh

if [ -f build/relay.pid ] && kill -0 "$(cat build/relay.pid)" 2>/dev/null; then
  echo "== stopping the previous relay (pid $(cat build/relay.pid))"
  kill -TERM "$(cat build/relay.pid)" || true
  for _ in $(seq 50); do kill -0 "$(cat build/relay.pid)" 2>/dev/null || break; sleep 0.1; done
fi
echo "== starting relay on port $port"
setsid nohup build/native/relay/relay --port "$port" --web-root build/wasm/web \
  >build/relay.log 2>&1 </dev/null &
echo $! >build/relay.pid
for _ in $(seq 100); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
    echo "hubchat is up: open http://localhost:$port/ (relay pid $(cat build/relay.pid), log build/relay.log)"
    echo "desktop client: build/native/client/hubchat_client --server ws://localhost:$port/ws --nick you --room lobby"
    exit 0
  fi
  sleep 0.1
done
echo "relay did not come up; see build/relay.log" >&2
cat build/relay.log >&2
exit 1
