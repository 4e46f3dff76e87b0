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
import fs from 'node:fs';
import path from 'node:path';
import {
  capture, clientEnv, freePort, listener, log, main, parseArgs, run, start, startXvfb,
  stableNonBlankShot, tempDir, waitFor,
} from './lib.mjs';

const args = parseArgs(['client', 'relay', 'out']);
fs.mkdirSync(args.out, { recursive: true });

await main('desktop smoke', async (onCleanup) => {
  const { xvfb, display } = await startXvfb(args.out);
  onCleanup(() => xvfb.stop());
  log(`Xvfb on ${display}`);
  const blank = await capture(display, path.join(args.out, 'desktop-blank.png'));
  const home = tempDir(onCleanup);

  const port = await freePort();
  const relay = start(args.relay, ['--host', '127.0.0.1', '--port', String(port)],
                      path.join(args.out, 'desktop-relay.log'));
  onCleanup(() => relay.stop());
  await waitFor('relay healthz', async () => {
    if (relay.exit) throw new Error(`relay exited: ${JSON.stringify(relay.exit)}`);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    return r && r.ok;
  });
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  const room = 'desk';
  const l = await listener(wsUrl, room, { nick: 'listener' });
  onCleanup(() => l.ws.close());

  const body = '데스크톱에서 안녕하세요\nsecond line from the desktop';
  const clientLog = path.join(args.out, 'desktop-client.log');
  const client = start(args.client, ['--server', wsUrl, '--nick', 'desk', '--room', room, '--say', body],
                       clientLog, clientEnv(display, home));
  onCleanup(() => client.stop());
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
  const diff = await stableNonBlankShot(display, blank, shot);
  log(`screenshot ${shot}: ${diff} pixels differ from the blank capture`);
  if (client.exit) throw new Error(`client exited early: ${JSON.stringify(client.exit)}`);
  await client.stop();

  // --exit-after-say: exits 0 by itself once the relay echoed the message.
  const second = start(args.client, ['--server', wsUrl, '--nick', 'desk2', '--room', room,
                                     '--say', 'exit after say', '--exit-after-say', '--timeout', '40'],
                       clientLog, clientEnv(display, home));
  onCleanup(() => second.stop());
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
  onCleanup(() => tlsRelay.stop());
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
                          clientEnv(display, home, { SSL_CERT_FILE: cert }));
  onCleanup(() => tlsClient.stop());
  const tlsExit = await waitFor('wss client exit', () => tlsClient.exit, 45000);
  if (tlsExit.code !== 0) throw new Error(`wss client exited with ${JSON.stringify(tlsExit)}`);
  const text = await metricsOverTls();
  if (!/^hubchat_messages_in_total 1$/m.test(text || '')) {
    throw new Error(`TLS relay did not count the message: ${text}`);
  }
  log('desktop client chatted over wss:// with the certificate trusted');
});
