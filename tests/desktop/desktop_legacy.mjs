// Desktop legacy test: hubchat_client under Xvfb against a legacy-only,
// gorilla-style server (tests/support/legacy_server.py: answers the handshake
// without Sec-WebSocket-Protocol, broadcasts every text message as plain text)
// and against the real relay. State is read through the client's --trace hook
// (status, received chat lines and what the view drew, as JSON on stderr, see
// desktop_main.cpp).
//  1. Against the legacy server the client connects once (offering
//     hubchat.v1, which lws accepts being ignored), reports dialect "legacy"
//     and a status text saying "legacy server", before sending anything.
//  2. Its --say message (two lines) arrives at a plain client of that server
//     as one line of plain text; nothing JSON-looking (no `join`) ever
//     reached the server; the client sees its message echoed (by "the legacy
//     server", never "the relay"), and shows it as "you" with the time it
//     arrived; the member panel says the server lists no members.
//  3. A message from the plain client shows up in the desktop client's log
//     (trace line) and on screen as from "?" with its time; the screen is a
//     stable, non-blank frame (saved to --out).
//  4. Against the relay the same client negotiates hubchat.v1 (never legacy)
//     and exits 0 once "the relay" echoed its message.
//   node --experimental-websocket desktop_legacy.mjs --client BIN --relay BIN --out DIR --python PY
import fs from 'node:fs';
import path from 'node:path';
import { plainClient, requireWebsocketsModule, startLegacyServer } from '../support/legacy_server.mjs';
import {
  capture, clientEnv, log, main, parseArgs, recentClockTexts, stableNonBlankShot, start, startRelay,
  startXvfb, tempDir, traces, waitFor,
} from './lib.mjs';

const args = parseArgs(['client', 'relay', 'out']);
const python = args.python || '/usr/bin/python3';
fs.mkdirSync(args.out, { recursive: true });
await requireWebsocketsModule(python);
if (typeof WebSocket === 'undefined') throw new Error('run node with --experimental-websocket');

function isJsonObject(text) {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object';
  } catch {
    return false;
  }
}

// Waits for a ui trace whose last log row is `from` saying `body`, then checks
// that row's time and the member panel's wording.
async function expectLastLine(clientLog, from, body) {
  const ui = await waitFor(`the log's last row shows ${from}: ${body}`, () => traces(clientLog).find(
    (r) => r.kind === 'ui' && r['log.last'] && r['log.last'][1] === from && r['log.last'][2] === body),
  15000);
  const [time] = ui['log.last'];
  if (!recentClockTexts().includes(time)) throw new Error(`the row's time ${JSON.stringify(time)} is not now`);
  if (ui['members.heading'] !== 'Members: not listed' ||
      ui['members.note'] !== 'This server does not list members.') {
    throw new Error(`member panel: ${ui['members.heading']} / ${ui['members.note']}`);
  }
  log(`on screen: ${time} ${from} ${body}; ${ui['members.heading']}`);
}

await main('desktop legacy', async (onCleanup) => {
  const { xvfb, display } = await startXvfb(args.out);
  onCleanup(() => xvfb.stop());
  const blank = await capture(display, path.join(args.out, 'legacy-blank.png'));
  const home = tempDir(onCleanup);

  const legacy = await startLegacyServer(python, path.join(args.out, 'legacy-server.log'));
  onCleanup(() => legacy.stop());
  const other = await plainClient(WebSocket, `${legacy.url}?nick=plain`);
  onCleanup(() => other.close());
  log(`legacy server on ${legacy.url}, Xvfb on ${display}`);

  // 1. Legacy, decided before anything is sent.
  const body = '데스크톱 legacy\nsecond line';
  const expected = '데스크톱 legacy second line';  // what a gorilla server makes of it
  const clientLog = path.join(args.out, 'legacy-client.log');
  fs.rmSync(clientLog, { force: true });
  const client = start(args.client, ['--server', legacy.url, '--nick', 'desk', '--room', 'lobby',
                                     '--say', body, '--trace'],
                       clientLog, clientEnv(display, home));
  onCleanup(() => client.stop());
  const status = await waitFor('the client connected in the legacy dialect', () => {
    if (client.exit) throw new Error(`client exited: ${JSON.stringify(client.exit)}`);
    return traces(clientLog).find((r) => r.kind === 'status' && r.state === 'connected');
  }, 30000);
  if (status.dialect !== 'legacy' || !/legacy server/.test(status.status)) {
    throw new Error(`not in legacy mode: ${JSON.stringify(status)}`);
  }
  log(`client status: ${status.status}`);

  // 2. Its message arrives as plain text; nothing JSON reached the server.
  await waitFor('the plain client got the desktop message', () => other.received().includes(expected),
                20000);
  await waitFor('the client saw its message echoed',
                () => fs.readFileSync(clientLog, 'utf8').includes('message echoed by the legacy server'),
                15000);
  if (fs.readFileSync(clientLog, 'utf8').includes('echoed by the relay')) {
    throw new Error('the client calls a legacy server a relay');
  }
  // On screen: its own line marked as its own, with the time it arrived;
  // the member panel says there is no list instead of a count.
  await expectLastLine(clientLog, 'you', expected);
  const opens = legacy.opens().filter((o) => o.path.includes('nick=desk'));
  if (opens.length !== 1 || opens[0].requested !== 'hubchat.v1' || opens[0].accepted !== '') {
    throw new Error(`expected one handshake offering hubchat.v1, accepted without: ${JSON.stringify(opens)}`);
  }
  const json = legacy.messages().filter((m) => isJsonObject(m.text) || m.text.startsWith('{'));
  if (json.length > 0) throw new Error(`the legacy server received JSON: ${JSON.stringify(json)}`);
  const jsonReceived = other.received().filter(isJsonObject);
  if (jsonReceived.length > 0) throw new Error(`the plain client got JSON: ${JSON.stringify(jsonReceived)}`);
  log('desktop -> plain client: plain text, no JSON');

  // 3. A message from the plain client shows in the desktop client.
  const fromOther = 'hello desktop, from a plain client';
  other.send(fromOther);
  await waitFor('the desktop client shows the plain client\'s message', () =>
    traces(clientLog).some((r) => r.kind === 'line' && r.room === 'lobby' && r.body === fromOther),
  20000);
  await expectLastLine(clientLog, '?', fromOther);
  const shot = path.join(args.out, 'legacy-client.png');
  const diff = await stableNonBlankShot(display, blank, shot);
  log(`plain client -> desktop ok; screenshot ${shot}: ${diff} pixels differ from blank`);
  if (client.exit) throw new Error(`client exited early: ${JSON.stringify(client.exit)}`);
  const states = traces(clientLog).filter((r) => r.kind === 'status');
  if (states.some((r) => r.dialect === 'hubchat.v1')) {
    throw new Error(`the client spoke hubchat.v1 to the legacy server: ${JSON.stringify(states)}`);
  }
  await client.stop();

  // 4. The relay: hubchat.v1.
  const { relay, port } = await startRelay(args.relay, path.join(args.out, 'legacy-relay.log'));
  onCleanup(() => relay.stop());
  const relayClientLog = path.join(args.out, 'legacy-relay-client.log');
  fs.rmSync(relayClientLog, { force: true });
  const second = start(args.client, ['--server', `ws://127.0.0.1:${port}/ws`, '--nick', 'desk',
                                     '--room', 'lobby', '--say', 'hello relay', '--exit-after-say',
                                     '--timeout', '40', '--trace'],
                       relayClientLog, clientEnv(display, home));
  onCleanup(() => second.stop());
  const exit = await waitFor('the relay client exit', () => second.exit, 45000);
  if (exit.code !== 0) throw new Error(`relay client exited with ${JSON.stringify(exit)}`);
  const relayStates = traces(relayClientLog).filter((r) => r.kind === 'status' && r.state === 'connected');
  if (relayStates.length === 0 || relayStates.some((r) => r.dialect !== 'hubchat.v1')) {
    throw new Error(`against the relay: ${JSON.stringify(relayStates)}`);
  }
  if (!relayStates.some((r) => r.joined)) throw new Error('never joined on the relay');
  if (!fs.readFileSync(relayClientLog, 'utf8').includes('message echoed by the relay, exiting')) {
    throw new Error('the relay client did not report the relay\'s echo');
  }
  log('relay: hubchat.v1, joined, echoed');
});
