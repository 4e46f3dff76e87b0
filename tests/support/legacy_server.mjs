// Node side of tests/support/legacy_server.py (the gorilla-chat clone that
// ignores subprotocols), shared by the browser and desktop legacy tests:
// starts it, reads its JSON-lines log, and offers a plain WebSocket client
// of it (no subprotocol, like gorilla's home.html). Every wait has a deadline.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const LEGACY_SERVER_SCRIPT = path.join(here, 'legacy_server.py');

async function waitUntil(what, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Exits with 77 (ctest skip) when `python` lacks the websockets module.
export async function requireWebsocketsModule(python) {
  const ok = await new Promise((resolve) => {
    const p = spawn(python, ['-c', 'import websockets'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
  if (!ok) {
    console.log(`SKIP: ${python} cannot import websockets: install Debian's python3-websockets ` +
                '(bash scripts/install-deps.sh)');
    process.exit(77);
  }
}

// Starts the server on a free port (or `port`). `records` is its log so far
// ({port} / {open, path, requested, accepted} / {message, text} / {close}).
export async function startLegacyServer(python, logFile, { port = 0 } = {}) {
  const proc = spawn(python, [LEGACY_SERVER_SCRIPT, '--port', String(port)],
                     { stdio: ['pipe', 'pipe', 'pipe'] });
  const logStream = fs.createWriteStream(logFile);
  const records = [];
  let buffered = '';
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  proc.stderr.on('data', (d) => logStream.write(d));
  proc.stdout.on('data', (d) => {
    logStream.write(d);
    buffered += d.toString('utf8');
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim()) records.push(JSON.parse(line));
    }
  });
  const listening = await waitUntil('the legacy server to listen', () => {
    if (exited) throw new Error(`legacy server exited early: ${JSON.stringify(exited)} (see ${logFile})`);
    return records.find((r) => r.port !== undefined);
  }, 10000);
  return {
    port: listening.port,
    url: `ws://127.0.0.1:${listening.port}/ws`,
    records,
    opens: () => records.filter((r) => r.open !== undefined),
    messages: () => records.filter((r) => r.message !== undefined),
    get exited() { return exited; },
    // Closing its stdin is its stop signal; SIGTERM if that is not enough.
    async stop() {
      if (exited) return;
      proc.stdin.end();
      try {
        await waitUntil('legacy server exit', () => exited !== null, 5000);
      } catch {
        proc.kill('SIGTERM');
        await waitUntil('legacy server exit (SIGTERM)', () => exited !== null, 5000);
      }
    },
  };
}

// A plain client of the legacy server: no subprotocol, frames split on '\n'
// as gorilla's home.html does. `WebSocketImpl`: the global WebSocket (node
// --experimental-websocket) or the `ws` package's class.
export async function plainClient(WebSocketImpl, url, timeoutMs = 10000) {
  const ws = new WebSocketImpl(url);
  const frames = [];
  const received = () => frames.flatMap((f) => f.split('\n'));
  const onFrame = (data) => frames.push(typeof data === 'string' ? data : data.toString('utf8'));
  if (typeof ws.on === 'function') {
    ws.on('message', (data) => onFrame(data));
  } else {
    ws.onmessage = (e) => onFrame(e.data);
  }
  await waitUntil(`plain client open on ${url}`, () => {
    if (ws.readyState > 1) throw new Error('plain client socket closed');
    return ws.readyState === 1;
  }, timeoutMs);
  if (ws.protocol !== '') throw new Error(`plain client negotiated a subprotocol: ${ws.protocol}`);
  return {
    ws,
    frames,
    received,
    send(text) { ws.send(text); },
    close() { ws.close(); },
  };
}
