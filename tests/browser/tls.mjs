// Browser test (tls): the e2e chat over TLS. A self-signed certificate for
// localhost / 127.0.0.1 is generated at test time (openssl CLI, into a temp
// folder under --out), the real relay serves https:// and wss:// with it
// (--tls-cert/--tls-key), and headless Chromium accepts exactly that
// certificate (--ignore-certificate-errors-spki-list with the SHA-256 of its
// SubjectPublicKeyInfo, computed with openssl), not certificate errors in
// general: a control browser without the flag must refuse the page.
// Two pages open https://127.0.0.1:PORT/?nick=..&room=.. (the page then
// defaults to wss:// on the same host), each types a message containing
// Hangul and a line break with real key events; both pages must receive both
// messages intact (window.hubchat), their WebSocket must be wss:// to the
// relay, and no console error / page error may be logged. Screenshots go to --out.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import * as t from './lib.mjs';

const args = t.parseArgs();

// Runs openssl with `argv` (stdin from `input`), returns stdout as a Buffer.
function openssl(argv, input = undefined) {
  const r = spawnSync('openssl', argv, { input, timeout: 30000, maxBuffer: 1 << 20 });
  if (r.error) throw new Error(`openssl ${argv[0]}: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`openssl ${argv.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
  }
  return r.stdout;
}

// A self-signed certificate for localhost and 127.0.0.1 in `dir`; returns its
// files and the base64 SHA-256 of its SubjectPublicKeyInfo (what Chromium's
// --ignore-certificate-errors-spki-list takes).
function makeCertificate(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
           '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
           '-days', '1']);
  const pubkey = openssl(['x509', '-in', cert, '-pubkey', '-noout']);
  const spkiDer = openssl(['pkey', '-pubin', '-outform', 'der'], pubkey);
  const spki = openssl(['dgst', '-sha256', '-binary'], spkiDer).toString('base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(spki)) throw new Error(`unexpected SPKI hash ${JSON.stringify(spki)}`);
  return { cert, key, pem: fs.readFileSync(cert), spki };
}

// GET https://127.0.0.1:port/path, trusting only `ca` (the test certificate,
// verified for the IP SAN); resolves { status, body } or rejects.
function httpsGet(port, urlPath, ca, timeoutMs = 3000) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: urlPath, ca, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

// The real relay with TLS on 127.0.0.1:`port`. Resolves once /healthz answers
// over https with the test certificate.
async function startTlsRelay(relayBin, port, webDir, tls, logFile) {
  const logStream = fs.createWriteStream(logFile, { flags: 'a' });
  const proc = spawn(relayBin, ['--host', '127.0.0.1', '--port', String(port), '--web-root', webDir,
                                 '--tls-cert', tls.cert, '--tls-key', tls.key],
                     { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.pipe(logStream, { end: false });
  proc.stderr.pipe(logStream, { end: false });
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });
  await t.waitFor(`relay (TLS) on port ${port}`, async () => {
    if (exited) throw new t.Fatal(`relay exited early: ${JSON.stringify(exited)} (see ${logFile})`);
    const r = await httpsGet(port, '/healthz', tls.pem);
    return r.status === 200;
  }, 10000, null, 100);
  return {
    proc,
    port,
    url: `https://127.0.0.1:${port}`,
    get exited() { return exited; },
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      await t.waitFor('relay exit', () => exited !== null, 10000);
    },
  };
}

// lib.mjs's Chromium (flags from TOOLCHAIN.md) plus `extra`, as a plain Browser.
async function launch(extra = []) {
  return (await t.launchBrowser(extra)).browser;
}

await t.main('browser tls', async (onCleanup) => {
  const tmp = fs.mkdtempSync(path.join(args.out, 'tls-'));
  const tls = makeCertificate(tmp);
  t.log(`self-signed certificate in ${tmp}, SPKI sha256 ${tls.spki}`);

  const port = await t.freePort();
  const relay = await startTlsRelay(args.relay, port, args['web-dir'], tls, `${args.out}/tls-relay.log`);
  onCleanup(() => relay.stop());
  t.log(`relay on ${relay.url}`);

  // The page itself is served over https (with the security headers, and the
  // wasm with its MIME type).
  const index = await httpsGet(port, '/', tls.pem);
  if (index.status !== 200 || !index.body.includes('hubchat.js')) {
    throw new Error(`GET / over https: ${index.status} ${index.body.slice(0, 200)}`);
  }

  // Control: without the SPKI flag Chromium must refuse the certificate, so the
  // flag (and nothing broader, e.g. ignoreHTTPSErrors) is what lets the pages in.
  {
    const control = await launch();
    try {
      const page = await (await control.newContext()).newPage();
      const err = await page.goto(`${relay.url}/`, { timeout: 15000 }).then(() => null, (e) => e);
      if (!err || !/ERR_CERT_/.test(err.message)) {
        throw new Error(`a browser without the SPKI flag loaded the page (${err ? err.message : 'no error'})`);
      }
      t.log(`control browser refused the certificate: ${err.message.split('\n')[0]}`);
    } finally {
      await control.close().catch(() => {});
    }
  }

  const browser = await launch([`--ignore-certificate-errors-spki-list=${tls.spki}`]);
  onCleanup(() => browser.close().catch(() => {}));
  const wsUrls = new Map();
  const wrapper = {
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
      const page = await context.newPage();
      page.on('websocket', (ws) => {
        const list = wsUrls.get(page) ?? [];
        list.push(ws.url());
        wsUrls.set(page, list);
      });
      return page;
    },
  };

  const room = 'tls';
  const a = await t.openPage(wrapper, `${relay.url}/?nick=mina&room=${room}`, 'mina');
  const b = await t.openPage(wrapper, `${relay.url}/?nick=jun&room=${room}`, 'jun');
  await t.clientReady(a);
  await t.clientReady(b);
  await t.readyToType(a);
  await t.readyToType(b);

  // The connection is wss:// to the relay's own host and port, and the page a secure context.
  const expectedWs = `wss://127.0.0.1:${port}/ws`;
  for (const p of [a, b]) {
    const info = await p.page.evaluate(() => ({
      protocol: window.location.protocol,
      secure: window.isSecureContext,
      server: window.hubchat.config.server,
    }));
    if (info.protocol !== 'https:' || !info.secure || info.server !== expectedWs) {
      throw new Error(`${p.name}: expected an https page connecting to ${expectedWs}, got ${JSON.stringify(info)}`);
    }
    const opened = wsUrls.get(p.page) ?? [];
    // (The client adds ?room=&nick= to the server address.)
    const base = (u) => { const x = new URL(u); return `${x.protocol}//${x.host}${x.pathname}`; };
    if (opened.length < 1 || !opened.every((u) => base(u) === expectedWs)) {
      throw new Error(`${p.name}: WebSockets opened: ${JSON.stringify(opened)} (expected ${expectedWs})`);
    }
    const s = await t.state(p);
    if (s.state !== 'connected' || !s.joined || s.legacy) {
      throw new Error(`${p.name}: not connected over the lossless protocol: ${JSON.stringify(s)}`);
    }
  }
  t.log(`both pages connected to ${expectedWs}`);

  await t.waitFor('both members listed', async () => {
    const [sa, sb] = [await t.state(a), await t.state(b)];
    const ma = sa.rooms[room]?.members ?? [], mb = sb.rooms[room]?.members ?? [];
    return ['mina', 'jun'].every((n) => ma.includes(n) && mb.includes(n));
  }, 15000, async () => `${await t.describe(a)}; ${await t.describe(b)}`);

  const sent = [
    { page: a, from: 'mina', parts: ['TLS hello from mina', '\n', '보안 연결로 안녕하세요', ' (line 2)'] },
    { page: b, from: 'jun', parts: ['반가워요 over wss', '\n', 'second line: ', '암호화된 한글 ',
                                    { compose: ['ㄲ', '끝'], commit: '끝' }] },
  ];
  for (const m of sent) {
    m.body = t.typedText(m.parts);
    if (!m.body.includes('\n') || !/[\uac00-\ud7a3]/.test(m.body)) throw new Error('bad test message');
    await t.typeAndSend(m);
  }

  await t.expectExactlyOnce([a, b], room, sent);
  for (const p of [a, b]) {
    // Still one wss connection each: nothing dropped and reconnected on the way.
    const opened = wsUrls.get(p.page) ?? [];
    if (opened.length !== 1) throw new Error(`${p.name} opened ${opened.length} WebSockets: ${JSON.stringify(opened)}`);
  }
  t.log('both pages received both messages intact over wss');
  await t.screenshot(a, args.out, 'tls-mina.png');
  await t.screenshot(b, args.out, 'tls-jun.png');
  t.assertNoProblems(a, b);
  if (relay.exited) throw new Error(`relay exited during the test: ${JSON.stringify(relay.exited)}`);
  // The throwaway key is removed once the test passed (kept for debugging otherwise).
  fs.rmSync(tmp, { recursive: true, force: true });
});
