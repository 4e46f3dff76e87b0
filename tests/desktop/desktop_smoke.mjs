// Desktop smoke test: starts Xvfb on a free display (-displayfd), the real
// relay, and a listener (a lossless hubchat.v1 WebSocket client; Node's
// built-in WebSocket, run with --experimental-websocket), then runs
// `hubchat_client --say` (GLFW + OpenGL 3 on Mesa's llvmpipe) and asserts that
// the listener, in the same room, received the message intact from the
// client's nick. A screenshot of the display (`import -window root`) goes to
// --out and must differ clearly from a blank capture taken before the client
// started (`compare -metric AE`). A second run checks --exit-after-say exits 0,
// and a third chats over wss:// with a relay using a self-signed certificate.
//   node --experimental-websocket desktop_smoke.mjs --client BIN --relay BIN --out DIR
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['client', 'relay', 'out']) {
  if (!args[k]) {
    console.error(`missing --${k}`);
    process.exit(2);
  }
}
fs.mkdirSync(args.out, { recursive: true });

const log = (...a) => console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what, fn, timeoutMs = 15000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${
        last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(intervalMs);
  }
}

function run(cmd, argv, env = {}) {
  return new Promise((resolve) => {
    execFile(cmd, argv, { env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// Spawns a process with its output in `logFile`; tracks its exit.
function start(cmd, argv, logFile, env = {}, extraStdio = []) {
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

async function startXvfb() {
  const xvfb = start('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x800x24', '-nolisten', 'tcp'],
                     path.join(args.out, 'xvfb.log'), {}, ['pipe']);
  let text = '';
  xvfb.proc.stdio[3].on('data', (d) => { text += d.toString(); });
  const display = await waitFor('Xvfb display number', () => {
    if (xvfb.exit) throw new Error(`Xvfb exited: ${JSON.stringify(xvfb.exit)}`);
    const m = text.match(/^(\d+)\n/);
    return m && `:${m[1]}`;
  }, 15000, 50);
  return { xvfb, display };
}

async function capture(display, file) {
  const r = await run('import', ['-window', 'root', file], { DISPLAY: display });
  if (r.code !== 0) throw new Error(`import failed: ${r.stderr}`);
  return file;
}

// Number of differing pixels (compare -metric AE prints it on stderr).
async function pixelsDiffering(a, b) {
  const r = await run('compare', ['-metric', 'AE', a, b, 'null:']);
  const n = Number.parseFloat(r.stderr);
  if (r.code > 1 || Number.isNaN(n)) throw new Error(`compare failed: ${r.stderr}`);
  return n;
}

async function listener(url, room, nick) {
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
  ws.send(JSON.stringify({ type: 'join', room, nick }));
  await waitFor('listener welcome', () => events.some((e) => e.type === 'welcome'));
  return { ws, events };
}

const cleanups = [];
let failure = null;
const watchdog = setTimeout(() => {
  console.error('desktop smoke: FAIL: whole-test deadline exceeded');
  process.exit(1);
}, 150000);
try {
  const { xvfb, display } = await startXvfb();
  cleanups.push(() => xvfb.stop());
  log(`Xvfb on ${display}`);
  const blank = await capture(display, path.join(args.out, 'desktop-blank.png'));

  const port = await freePort();
  const relay = start(args.relay, ['--host', '127.0.0.1', '--port', String(port)],
                      path.join(args.out, 'desktop-relay.log'));
  cleanups.push(() => relay.stop());
  await waitFor('relay healthz', async () => {
    if (relay.exit) throw new Error(`relay exited: ${JSON.stringify(relay.exit)}`);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    return r && r.ok;
  });
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  const room = 'desk';
  const l = await listener(wsUrl, room, 'listener');
  cleanups.push(() => l.ws.close());

  const body = '데스크톱에서 안녕하세요\nsecond line from the desktop';
  const clientLog = path.join(args.out, 'desktop-client.log');
  const client = start(args.client, ['--server', wsUrl, '--nick', 'desk', '--room', room, '--say', body],
                       clientLog, { DISPLAY: display });
  cleanups.push(() => client.stop());
  const got = await waitFor('the listener got the desktop message', () => {
    if (client.exit) throw new Error(`client exited: ${JSON.stringify(client.exit)}`);
    return l.events.find((e) => e.type === 'msg' && e.body === body);
  }, 40000);
  if (got.from !== 'desk') throw new Error(`message from ${got.from}, expected desk`);
  log('listener received the message intact');

  // The client keeps running (no --exit-after-say). Once it has seen the
  // echo, capture until two captures in a row agree (the frame showing the
  // message is on screen) and the capture clearly differs from the blank one.
  await waitFor('the client logged the echo',
                () => fs.readFileSync(clientLog, 'utf8').includes('message echoed by the relay'),
                15000);
  const shot = path.join(args.out, 'desktop-client.png');
  const previous = path.join(args.out, 'desktop-client-previous.png');
  await capture(display, previous);
  const minDiff = 1280 * 800 * 0.02;
  const diff = await waitFor('a stable, non-blank screenshot', async () => {
    await capture(display, shot);
    const stable = (await pixelsDiffering(previous, shot)) === 0;
    fs.copyFileSync(shot, previous);
    const n = await pixelsDiffering(blank, shot);
    return stable && n > minDiff && n;
  }, 15000, 200);
  fs.rmSync(previous, { force: true });
  log(`screenshot ${shot}: ${diff} pixels differ from the blank capture`);
  if (client.exit) throw new Error(`client exited early: ${JSON.stringify(client.exit)}`);
  await client.stop();

  // --exit-after-say: exits 0 by itself once the relay echoed the message.
  const second = start(args.client, ['--server', wsUrl, '--nick', 'desk2', '--room', room,
                                     '--say', 'exit after say', '--exit-after-say', '--timeout', '40'],
                       clientLog, { DISPLAY: display });
  cleanups.push(() => second.stop());
  const exit = await waitFor('--exit-after-say client exit', () => second.exit, 45000);
  if (exit.code !== 0) throw new Error(`--exit-after-say exited with ${JSON.stringify(exit)}`);
  await waitFor('listener got the second message',
                () => l.events.some((e) => e.type === 'msg' && e.from === 'desk2' &&
                                           e.body === 'exit after say'));
  log('--exit-after-say exited 0 after the echo');

  // Over TLS: a relay with a self-signed certificate generated now; the
  // client trusts exactly that certificate (OpenSSL's SSL_CERT_FILE) and
  // exits 0 only once the relay echoed its message over wss://.
  const cert = path.join(args.out, 'tls-cert.pem');
  const key = path.join(args.out, 'tls-key.pem');
  const made = await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
                        '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1',
                        '-keyout', key, '-out', cert]);
  if (made.code !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  const tlsPort = await freePort();
  const tlsRelay = start(args.relay, ['--host', '127.0.0.1', '--port', String(tlsPort),
                                      '--tls-cert', cert, '--tls-key', key],
                         path.join(args.out, 'desktop-tls-relay.log'));
  cleanups.push(() => tlsRelay.stop());
  const metricsOverTls = async () => {
    const r = await run('curl', ['-sS', '--cacert', cert, '--max-time', '5',
                                 `https://localhost:${tlsPort}/metrics`]);
    return r.code === 0 && r.stdout;
  };
  await waitFor('TLS relay healthz', async () => {
    if (tlsRelay.exit) throw new Error(`TLS relay exited: ${JSON.stringify(tlsRelay.exit)}`);
    return metricsOverTls();
  });
  const tlsClient = start(args.client, ['--server', `wss://localhost:${tlsPort}/ws`, '--nick', 'secure',
                                        '--room', room, '--say', '보안 연결 wss', '--exit-after-say',
                                        '--timeout', '40'],
                          path.join(args.out, 'desktop-tls-client.log'),
                          { DISPLAY: display, SSL_CERT_FILE: cert });
  cleanups.push(() => tlsClient.stop());
  const tlsExit = await waitFor('wss client exit', () => tlsClient.exit, 45000);
  if (tlsExit.code !== 0) throw new Error(`wss client exited with ${JSON.stringify(tlsExit)}`);
  const text = await metricsOverTls();
  if (!/^hubchat_messages_in_total 1$/m.test(text || '')) {
    throw new Error(`TLS relay did not count the message: ${text}`);
  }
  log('desktop client chatted over wss:// with the certificate trusted');
} catch (err) {
  failure = err;
}
for (const fn of cleanups.reverse()) {
  try { await fn(); } catch (err) { log(`cleanup: ${err.message}`); }
}
clearTimeout(watchdog);
if (failure) {
  console.error(`desktop smoke: FAIL: ${failure.stack || failure}`);
  process.exit(1);
}
console.log('desktop smoke: PASS');
process.exit(0);
