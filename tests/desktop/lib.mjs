// Shared helpers of the desktop tests (desktop_smoke.mjs, desktop_legacy.mjs,
// desktop_settings.mjs, desktop_ca.mjs): command line, deadline-bound polling,
// child processes with their output in a log file, Xvfb on a free display
// (-displayfd), screen captures and pixel comparison (ImageMagick), temp
// directories (each client run gets its own config home, so no test reads or
// writes the settings of whoever runs it), the client's --trace records, the
// relay started and probed until healthy. Polling, free ports and main()
// come from the harness both drivers share (tests/support/harness.mjs). Every
// wait has a deadline; nothing sleeps and hopes.
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, main as harnessMain, waitFor } from '../support/harness.mjs';

export { freePort, log, recentClockTexts, sleep, waitFor } from '../support/harness.mjs';

// --name value pairs; exits 2 when one of `required` is missing.
export function parseArgs(required, argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of required) {
    if (!args[k]) {
      console.error(`missing --${k}`);
      process.exit(2);
    }
  }
  return args;
}

export function run(cmd, argv, env = {}) {
  return new Promise((resolve) => {
    execFile(cmd, argv, { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

// Spawns a process with its output in `logFile`; tracks its exit.
export function start(cmd, argv, logFile, env = {}, extraStdio = []) {
  const out = fs.openSync(logFile, 'a');
  const proc = spawn(cmd, argv, {
    stdio: ['ignore', out, out, ...extraStdio],
    env: { ...process.env, ...env },
  });
  fs.closeSync(out);
  const handle = { proc, exit: null };
  proc.on('exit', (code, signal) => { handle.exit = { code, signal }; });
  handle.stop = async () => {
    if (handle.exit) return;
    proc.kill('SIGTERM');
    await waitFor(`${path.basename(cmd)} exit`, () => handle.exit !== null, 10000).catch(() => {
      proc.kill('SIGKILL');
    });
  };
  return handle;
}

// Xvfb on a display it picks itself; resolves to { xvfb, display: ':N' }.
export async function startXvfb(outDir) {
  const xvfb = start('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
                     path.join(outDir, 'xvfb.log'), {}, ['pipe']);
  let text = '';
  xvfb.proc.stdio[3].on('data', (d) => { text += d.toString(); });
  const display = await waitFor('Xvfb display number', () => {
    if (xvfb.exit) throw new Error(`Xvfb exited: ${JSON.stringify(xvfb.exit)}`);
    const m = text.match(/^(\d+)\n/);
    return m && `:${m[1]}`;
  }, 15000, null, 50);
  return { xvfb, display };
}

export async function capture(display, file) {
  const r = await run('import', ['-window', 'root', file], { DISPLAY: display });
  if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
  return file;
}

// Number of differing pixels (compare -metric AE prints it on stderr).
export async function pixelsDiffering(a, b) {
  const r = await run('compare', ['-metric', 'AE', a, b, 'null:']);
  const n = Number.parseFloat(r.stderr);
  if (r.code > 1 || Number.isNaN(n)) throw new Error(`compare failed: ${r.stderr}`);
  return n;
}

// Captures until two captures in a row agree (the frame is stable) and the
// capture differs from `blank` in more than 2% of its pixels; returns that count.
export async function stableNonBlankShot(display, blank, shot) {
  const previous = `${shot}.previous.png`;
  await capture(display, previous);
  const minDiff = 1280 * 800 * 0.02;
  const diff = await waitFor('a stable, non-blank screenshot', async () => {
    await capture(display, shot);
    const stable = (await pixelsDiffering(previous, shot)) === 0;
    fs.copyFileSync(shot, previous);
    const n = await pixelsDiffering(blank, shot);
    return stable && n > minDiff && n;
  }, 15000, null, 200);
  fs.rmSync(previous, { force: true });
  return diff;
}

// A fresh directory under the system temp dir, removed at cleanup.
export function tempDir(onCleanup, prefix = 'hubchat-desktop-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Environment for a client run whose settings live under `dir` (HOME and
// XDG_CONFIG_HOME both point there, so the real ones are never touched).
export function clientEnv(display, dir, extra = {}) {
  return { DISPLAY: display, HOME: path.join(dir, 'home'), XDG_CONFIG_HOME: path.join(dir, 'xdg'),
           ...extra };
}

// The --trace records of a client log: [{kind: 'status'|'line'|'ui', ...json}]
// (status: the status document; line: one chat message; ui: what the view drew).
export function traces(logFile) {
  const out = [];
  if (!fs.existsSync(logFile)) return out;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    const m = line.match(/^hubchat_client: (status|line|ui) (\{.*\})$/);
    if (m) out.push({ kind: m[1], ...JSON.parse(m[2]) });
  }
  return out;
}

// GET http(s)://127.0.0.1:port/path through curl (trusting `caFile` for
// https); resolves to the body, or null when it did not answer 2xx.
export async function httpGet(port, urlPath, { caFile } = {}) {
  const url = `${caFile ? 'https' : 'http'}://127.0.0.1:${port}${urlPath}`;
  const r = await run('curl', ['-sSf', '--max-time', '5', ...(caFile ? ['--cacert', caFile] : []), url]);
  return r.code === 0 ? r.stdout : null;
}

// The relay on a free loopback port (`extra`: more flags; `caFile`: it serves
// TLS with a certificate that CA signed), once /healthz answers.
export async function startRelay(bin, logFile, { extra = [], caFile } = {}) {
  const port = await freePort();
  const relay = start(bin, ['--host', '127.0.0.1', '--port', String(port), ...extra], logFile);
  await waitFor('relay healthz', async () => {
    if (relay.exit) throw new Error(`relay exited: ${JSON.stringify(relay.exit)}`);
    return (await httpGet(port, '/healthz', { caFile })) === 'ok\n';
  });
  return { relay, port };
}

// One value of the relay's /metrics (a series without labels), or null.
export async function metric(port, name, { caFile } = {}) {
  const text = await httpGet(port, '/metrics', { caFile });
  const m = text && text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  return m ? Number(m[1]) : null;
}

// A lossless (hubchat.v1) peer in `room` through Node's built-in WebSocket
// (node --experimental-websocket): { ws, events } once welcomed. `nick`, and
// `token` to join signed in (then it waits for a verified welcome).
export async function listener(url, room, { nick, token } = {}) {
  if (typeof WebSocket === 'undefined') throw new Error('run node with --experimental-websocket');
  const ws = new WebSocket(url, 'hubchat.v1');
  const events = [];
  ws.onmessage = (e) => {
    for (const line of String(e.data).split('\n')) if (line.trim()) events.push(JSON.parse(line));
  };
  await waitFor('listener open', () => {
    if (ws.readyState > 1) throw new Error('listener socket closed');
    return ws.readyState === 1;
  });
  ws.send(JSON.stringify({ type: 'join', room, nick, token }));
  await waitFor('listener welcome', () => events.some((e) => e.type === 'welcome' && (!token || e.uid)));
  return { ws, events };
}

// The harness's main() with the desktop tests' whole-test deadline.
export function main(name, body, deadlineMs = 150000) {
  return harnessMain(name, body, deadlineMs);
}
