// Shared helpers of the browser end-to-end tests: the real relay process,
// headless Chromium (Debian's /usr/bin/chromium via playwright-core, flags
// from TOOLCHAIN.md), pages whose console errors fail the test. Polling, free
// ports and main() come from the harness both drivers share
// (tests/support/harness.mjs). Every wait here has a deadline; nothing sleeps and hopes.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Fatal, freePort, log, waitFor } from '../support/harness.mjs';

export { Fatal, freePort, log, main, recentClockTexts, sleep, waitFor } from '../support/harness.mjs';

export const SKIP = 77;  // ctest SKIP_RETURN_CODE

// Command line: --relay PATH --web-dir DIR --out DIR
export function parseArgs(argv = process.argv.slice(2)) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['relay', 'web-dir', 'out']) {
    if (!out[k]) throw new Error(`missing --${k}`);
  }
  if (!fs.existsSync(path.join(out['web-dir'], 'client.wasm'))) {
    console.log(`SKIP: no staged web client (client.wasm) in ${out['web-dir']}: build the wasm ` +
                'client first (NODE_PATH=/usr/share/nodejs emcmake cmake -S . -B build/wasm && ' +
                'make -C build/wasm) or point the CMake cache variable HUBCHAT_WEB_DIR at its web/ folder');
    process.exit(SKIP);
  }
  fs.mkdirSync(out.out, { recursive: true });
  return out;
}

async function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

// The real relay on 127.0.0.1:`port`, serving `webDir`, with further relay
// flags `extraArgs`. Resolves once /healthz answers.
export async function startRelay(relayBin, port, webDir, logFile, extraArgs = []) {
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  const proc = spawn(relayBin, ['--host', '127.0.0.1', '--port', String(port), '--web-root', webDir,
                                ...extraArgs],
                     { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(logStream, { end: false });
  proc.stderr.pipe(logStream, { end: false });
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  await waitFor(`relay on port ${port}`, async () => {
    if (exited) throw new Fatal(`relay exited early: ${JSON.stringify(exited)} (see ${logFile})`);
    if (!(await portOpen(port))) return false;
    const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    return r && r.ok;
  }, 10000);
  const relay = {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    get exited() { return exited; },
    // Signal it (SIGTERM: a clean shutdown; SIGKILL: a crash) and wait for
    // the process to be gone.
    async stop(signal = 'SIGTERM') {
      if (exited) return;
      proc.kill(signal);
      await waitFor('relay exit', () => exited !== null, 10000);
    },
  };
  return relay;
}

// The usual start of a test: the relay on a free port (its log
// `${args.out}/${name}-relay.log`) and a browser, both stopped at cleanup.
export async function relayAndBrowser(args, onCleanup, name) {
  const port = await freePort();
  const relay = await startRelay(args.relay, port, args['web-dir'], `${args.out}/${name}-relay.log`);
  onCleanup(() => relay.stop());
  const browser = await launchBrowser();
  onCleanup(() => browser.close());
  return { port, relay, browser };
}

// Headless Chromium with a fresh profile. Each page gets its own context
// (window): pages sharing one window get their animation frames throttled
// behind the front tab, which starves the client's main loop. `extraArgs`
// are further Chromium flags (e.g. a certificate to accept).
export async function launchBrowser(extraArgs = []) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-quic',
      '--no-first-run', '--disable-background-networking', '--disable-component-update',
      '--disable-sync',
      // Several pages must keep running side by side.
      '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      ...extraArgs,
    ],
  });
  return {
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
      return context.newPage();
    },
    async close() {
      await browser.close().catch(() => {});
    },
  };
}

// A page that records console errors and page errors (the test fails on any),
// except for `allowed` patterns (e.g. expected connection failures while the
// relay is down).
export async function openPage(browser, url, name, allowed = []) {
  const page = await browser.newPage();
  const problems = [];
  const consoleLines = [];
  page.on('console', (msg) => {
    const text = msg.text();
    consoleLines.push(`${msg.type()}: ${text}`);
    if (msg.type() === 'error' && !allowed.some((re) => re.test(text))) {
      problems.push(`console.error: ${text}`);
    }
    if (process.env.HUBCHAT_TEST_VERBOSE) log(`${name} console.${msg.type()}: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return { page, name, problems, console: consoleLines };
}

export function assertNoProblems(...pages) {
  const all = pages.flatMap((p) => p.problems.map((x) => `${p.name}: ${x}`));
  if (all.length > 0) throw new Error(`browser reported errors:\n  ${all.join('\n  ')}`);
}

// Waits until the WASM client started and answers through window.hubchat.
export async function clientReady(p, timeoutMs = 30000) {
  return waitFor(`${p.name} client ready`, () => {
    // An aborted module (e.g. WebAssembly refused by the page's CSP) never gets ready.
    const aborted = p.console.find((l) => l.includes('Aborted('));
    if (aborted) throw new Fatal(`${p.name}: the WASM module aborted: ${aborted}`);
    return p.page.evaluate(() => window.hubchat && window.hubchat.ready());
  }, timeoutMs, async () => `loading text: ${JSON.stringify(await p.page.evaluate(
      () => document.getElementById('loading-text')?.textContent))}; console: ${
      JSON.stringify(p.console.slice(-6))}`);
}

// What a page's client looks like right now, for failure messages.
export async function describe(p) {
  const [s, draft, msgs] = await Promise.all([
    state(p), p.page.evaluate(() => window.hubchat.draft()), messages(p)]);
  return `${p.name}: state=${JSON.stringify(s)} draft=${JSON.stringify(draft)} ` +
         `messages=${JSON.stringify(msgs)}`;
}

export async function state(p) {
  return p.page.evaluate(() => window.hubchat.state());
}

export async function messages(p) {
  return p.page.evaluate(() => window.hubchat.messages());
}

// Joined, and the input line is focused (ImGui wants text, the hidden field has focus).
export async function readyToType(p, timeoutMs = 20000) {
  return waitFor(`${p.name} joined with the input focused`, async () => {
    const s = await state(p);
    const focused = await p.page.evaluate(
        () => document.activeElement && document.activeElement.id === 'text-input');
    return s && s.joined && s.text_input && focused;
  }, timeoutMs);
}

// Types `parts` with real key events: ASCII through page.keyboard.type (keydown,
// keypress, input, keyup), Hangul through insertText (what an IME commits),
// '\n' as Shift+Enter, {key: 'Backspace'} etc. as key presses,
// {compose: ['ㅎ', '하', '한'], commit: '한'} as an IME composition (Chromium's
// Input.imeSetComposition, then Input.insertText commits), Enter at the end.
export async function typeMessage(p, parts) {
  const kb = p.page.keyboard;
  for (const part of parts) {
    if (typeof part === 'object' && part.compose) {
      p.cdp ??= await p.page.context().newCDPSession(p.page);
      for (const text of part.compose) {
        await p.cdp.send('Input.imeSetComposition',
                         { text, selectionStart: text.length, selectionEnd: text.length });
        await waitFor(`${p.name} shows the composition ${text}`,
                      async () => (await state(p)).composition === text);
      }
      await p.cdp.send('Input.insertText', { text: part.commit });
    } else if (typeof part === 'object') {
      await kb.press(part.key);
    } else if (part === '\n') {
      await kb.press('Shift+Enter');
    } else if (/^[\x20-\x7e]*$/.test(part)) {
      await kb.type(part);
    } else {
      await kb.insertText(part);
    }
  }
  await kb.press('Enter');
}

// Types message `m` ({page, from, parts}) and waits until the input line is
// empty again (the message went out).
export async function typeAndSend(m) {
  await typeMessage(m.page, m.parts);
  log(`${m.from} typed ${JSON.stringify(m.body ?? typedText(m.parts))}`);
  await waitFor(`${m.from}'s input cleared`,
                () => m.page.page.evaluate(() => window.hubchat.draft() === ''), 15000,
                () => describe(m.page));
}

// Waits until each page holds every message of `sent` ({from, body}) in
// `room`, then checks each is held exactly once and nothing else is.
export async function expectExactlyOnce(pages, room, sent) {
  for (const p of pages) {
    await waitFor(`${p.name} has all messages`, async () => {
      const got = (await messages(p)).filter((m) => m.room === room);
      return sent.every((m) => got.some((g) => g.from === m.from && g.body === m.body));
    }, 15000, () => describe(p));
    const got = (await messages(p)).filter((m) => m.room === room);
    for (const m of sent) {
      const n = got.filter((g) => g.from === m.from && g.body === m.body).length;
      if (n !== 1) throw new Error(`${p.name} holds ${n} copies of ${m.from}'s message`);
    }
    if (got.length !== sent.length) {
      throw new Error(`${p.name} holds unexpected messages: ${JSON.stringify(got)}`);
    }
  }
}

export async function screenshot(p, outDir, file) {
  const target = path.join(outDir, file);
  await p.page.screenshot({ path: target });
  log(`screenshot: ${target}`);
  return target;
}

// The text `parts` (see typeMessage) put into the input line.
export function typedText(parts) {
  return parts.map((x) => (typeof x === 'string' ? x : x.commit ?? '')).join('');
}

// Records every request of a page (WebSocket excluded) through its CDP
// session `cdp` (Network.enable must follow): url, status as the page saw it,
// status and headers on the wire (responseReceivedExtraInfo: a revalidated
// file is 304 there and 200 to the page), whether it came from the cache,
// and the bytes received (loadingFinished encodedDataLength: headers + body
// as sent, i.e. compressed). `requests()` lists them; `clear()` starts over.
export function recordRequests(cdp) {
  const byId = new Map();
  const entry = (id) => {
    if (!byId.has(id)) byId.set(id, {});
    return byId.get(id);
  };
  cdp.on('Network.requestWillBeSent', (e) => {
    if (e.type !== 'WebSocket') entry(e.requestId).url = e.request.url;
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = entry(e.requestId);
    r.status = e.response.status;
    r.cached ||= Boolean(e.response.fromDiskCache);
  });
  cdp.on('Network.responseReceivedExtraInfo', (e) => {
    const r = entry(e.requestId);
    r.wireStatus = e.statusCode;
    r.wireHeaders = Object.fromEntries(
      Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
  });
  cdp.on('Network.requestServedFromCache', (e) => {
    entry(e.requestId).cached = true;
  });
  cdp.on('Network.loadingFinished', (e) => {
    entry(e.requestId).bytes = e.encodedDataLength;
  });
  cdp.on('Network.loadingFailed', (e) => {
    entry(e.requestId).bytes = 0;
    entry(e.requestId).failed = e.errorText;
  });
  const requests = () => [...byId.values()].filter((r) => r.url);
  return {
    requests,
    clear: () => byId.clear(),
    finished: () => requests().every((r) => r.bytes !== undefined),
    bytes: () => requests().reduce((sum, r) => sum + (r.bytes ?? 0), 0),
    describe: () => requests().map((r) => `${new URL(r.url).pathname} ${r.wireStatus ?? r.status ?? r.failed}${
      r.cached ? ' (cache)' : ''} ${r.bytes} B`).join(', '),
  };
}

// A plain lossless (hubchat.v1) client from node, using the `ws` package.
export async function losslessClient(url, room, nick, timeoutMs = 10000) {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(url, 'hubchat.v1');
  const events = [];
  ws.on('message', (data) => {
    for (const line of data.toString('utf8').split('\n')) {
      if (line.trim() !== '') events.push(JSON.parse(line));
    }
  });
  await waitFor(`${nick} connected to ${url}`, () => {
    if (ws.readyState > 1) throw new Error('socket closed');
    return ws.readyState === 1;
  }, timeoutMs);
  ws.send(JSON.stringify({ type: 'join', room, nick }));
  const welcome = await waitFor(`${nick} welcome`, () => events.find((e) => e.type === 'welcome'),
                                timeoutMs);
  return {
    ws,
    events,
    nick: welcome.nick,
    // Sends and waits for the relay's echo (the message is then in the room log).
    async say(body) {
      ws.send(JSON.stringify({ type: 'msg', body }));
      return waitFor(`echo of ${JSON.stringify(body)}`,
                     () => events.find((e) => e.type === 'msg' && e.from === welcome.nick &&
                                              e.body === body), timeoutMs);
    },
    close() { ws.terminate(); },
  };
}

// A TCP forwarder with a gate: while closed, new connections are dropped at
// once; open, they are piped to 127.0.0.1:`targetPort`. Lets a test decide
// when a client may reconnect.
export async function gatedProxy(targetPort) {
  const sockets = new Set();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    setOpen(value) { open = value; },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
