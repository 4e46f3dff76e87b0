// Browser test (legacy fallback): the WASM client against a legacy-only,
// gorilla-style server (tests/support/legacy_server.py: ignores the requested
// subprotocol, answers without Sec-WebSocket-Protocol, so Chromium fails the
// hubchat.v1 handshake) and against the real relay.
//  1. Pointed at the legacy server (?server=), the page ends up connected in
//     the legacy dialect by itself: the server saw hubchat.v1, none (probe),
//     hubchat.v1, none; the hook says dialect "legacy", the status bar says
//     "legacy server", and localStorage remembers it for that server URL.
//  2. A message from another (plain) client of that server shows in the page;
//     a two-line message typed in the page arrives at that plain client as
//     one line of plain text (not JSON), and the server never received
//     anything JSON-looking (no `join`) from the page. On screen (the view's
//     probe): the other's line as from "?", the page's own as "you", each with
//     the time it arrived, and the member panel saying the server lists none.
//  3. A fresh page load goes straight to no subprotocol (remembered): one
//     connection, no failed handshake.
//  4. The remembered choice does not stick: with its re-check due (the stored
//     count at DialectChooser::kReprobeAfter - 1, then one more legacy
//     connection), the legacy server is replaced on the same port by the
//     real relay; the page reconnects by itself in hubchat.v1 (joined, member
//     list) and the stored choice is gone.
//  5. A page on the relay itself uses hubchat.v1 from the first attempt.
// Console errors allowed: only Chromium's reports of the failed handshakes and
// of connection attempts while the server is away.
//   node legacy_fallback.mjs --relay BIN --web-dir DIR --out DIR --python /usr/bin/python3
import * as t from './lib.mjs';
import { plainClient, requireWebsocketsModule, startLegacyServer } from '../support/legacy_server.mjs';

const args = t.parseArgs();
const python = args.python || '/usr/bin/python3';
await requireWebsocketsModule(python);
const allowed = [/WebSocket connection to .* failed/];
const kReprobeAfter = 10;  // DialectChooser::kReprobeAfter (client/session/dialect_chooser.hpp)
const storageKey = (server) => `hubchat.dialect:${server}`;

// Waits until the log's last row on screen is `from` saying `body`, then
// checks its time and the member panel's wording.
async function expectLastRow(p, from, body) {
  const s = await t.waitFor(`the page shows ${from}: ${body} last`, async () => {
    const st = await t.state(p);
    const last = st.ui['log.last'];
    return last && last[1] === from && last[2] === body && st;
  }, 15000, () => t.describe(p));
  const [time] = s.ui['log.last'];
  if (!t.recentClockTexts().includes(time)) throw new Error(`the row's time ${JSON.stringify(time)} is not now`);
  if (s.ui['members.heading'] !== 'Members: not listed' ||
      s.ui['members.note'] !== 'This server does not list members.') {
    throw new Error(`member panel: ${s.ui['members.heading']} / ${s.ui['members.note']}`);
  }
  t.log(`on screen: ${time} ${from} ${body}; ${s.ui['members.heading']}`);
}

await t.main('browser legacy fallback', async (onCleanup) => {
  const { default: WebSocket } = await import('ws');
  const relayPort = await t.freePort();
  const relay = await t.startRelay(args.relay, relayPort, args['web-dir'],
                                   `${args.out}/legacy-relay.log`);
  onCleanup(() => relay.stop());
  const legacyLog = `${args.out}/legacy-server.log`;
  const legacy = await startLegacyServer(python, legacyLog);
  onCleanup(() => legacy.stop());
  t.log(`relay on ${relay.url}, legacy server on ${legacy.url}`);

  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());

  // 1. Fallback by itself.
  const pageUrl = `${relay.url}/?nick=mina&room=lobby&server=${encodeURIComponent(legacy.url)}`;
  const p = await t.openPage(browser, pageUrl, 'mina', allowed);
  await t.clientReady(p);
  const connected = await t.waitFor('the page connected in the legacy dialect', async () => {
    const s = await t.state(p);
    return s.state === 'connected' && s.dialect === 'legacy' && s;
  }, 30000, async () => `${await t.describe(p)}; server: ${JSON.stringify(legacy.records)}`);
  if (!connected.legacy || !connected.joined) throw new Error(`not legacy+joined: ${JSON.stringify(connected)}`);
  if (!/legacy server/.test(connected.status)) {
    throw new Error(`the status bar does not say legacy: ${JSON.stringify(connected.status)}`);
  }
  const requested = legacy.opens().map((o) => o.requested);
  if (JSON.stringify(requested) !== JSON.stringify(['hubchat.v1', '', 'hubchat.v1', ''])) {
    throw new Error(`unexpected handshakes (requested subprotocols): ${JSON.stringify(requested)}`);
  }
  if (legacy.opens().some((o) => o.accepted !== '')) throw new Error('the legacy server accepted a subprotocol');
  const stored = await p.page.evaluate((k) => localStorage.getItem(k), storageKey(legacy.url));
  if (stored !== 'legacy 1') throw new Error(`stored choice for ${legacy.url}: ${JSON.stringify(stored)}`);
  t.log(`legacy after ${requested.length} handshakes; status: ${connected.status}`);
  await t.screenshot(p, args.out, 'legacy-connected.png');

  // 2. Chat with a plain client of the same server.
  const other = await plainClient(WebSocket, `${legacy.url}?nick=oldtimer`);
  onCleanup(() => other.close());
  const fromOther = 'hello from a plain gorilla client, 안녕!';
  other.send(fromOther);
  await t.waitFor('the page shows the plain client\'s message', async () =>
    (await t.messages(p)).some((m) => m.body === fromOther), 15000, () => t.describe(p));
  await expectLastRow(p, '?', fromOther);
  await t.readyToType(p);
  await t.typeMessage(p, ['hi plain world', '\n', '두 번째 줄']);
  const expected = 'hi plain world 두 번째 줄';
  await t.waitFor('the plain client got the page\'s message', () => other.received().includes(expected),
                  15000, () => JSON.stringify(other.frames));
  for (const line of other.received()) {
    let json = null;
    try { json = JSON.parse(line); } catch { /* plain text, as it should be */ }
    if (json !== null && typeof json === 'object') throw new Error(`the plain client got JSON: ${line}`);
  }
  const fromPage = legacy.messages().filter((m) => m.text.trim().startsWith('{'));
  if (fromPage.length > 0) throw new Error(`the server received JSON: ${JSON.stringify(fromPage)}`);
  await t.waitFor('the page shows its own message as the server echoed it', async () =>
    (await t.messages(p)).some((m) => m.body === expected && m.own), 15000, () => t.describe(p));
  await expectLastRow(p, 'you', expected);
  t.log('legacy chat both ways, plain text only');
  await t.screenshot(p, args.out, 'legacy-chat.png');

  // 3. A fresh page load: remembered, straight to no subprotocol.
  const before = legacy.opens().length;
  const errorsBefore = p.console.filter((l) => l.startsWith('error:')).length;
  await p.page.reload();
  await t.clientReady(p);
  await t.waitFor('the reloaded page connected in the legacy dialect', async () => {
    const s = await t.state(p);
    return s.state === 'connected' && s.dialect === 'legacy';
  }, 20000, () => t.describe(p));
  const reloadOpens = legacy.opens().slice(before).map((o) => o.requested);
  if (JSON.stringify(reloadOpens) !== JSON.stringify([''])) {
    throw new Error(`the reload should connect once without a subprotocol: ${JSON.stringify(reloadOpens)}`);
  }
  const newErrors = p.console.filter((l) => l.startsWith('error:')).slice(errorsBefore);
  if (newErrors.length > 0) throw new Error(`failed handshake after the reload: ${JSON.stringify(newErrors)}`);
  t.log('reload: remembered, one plain handshake');

  // 4. The re-check is due after this page's next legacy connection; then
  // the server at that address turns into the real relay.
  await p.page.evaluate(([k, v]) => localStorage.setItem(k, v),
                        [storageKey(legacy.url), `legacy ${kReprobeAfter - 1}`]);
  await p.page.reload();
  await t.clientReady(p);
  await t.waitFor('legacy again, re-check now due', async () => {
    const s = await t.state(p);
    return s.state === 'connected' && s.dialect === 'legacy' && s.next_offer === 'hubchat.v1';
  }, 20000, () => t.describe(p));
  const port = legacy.port;
  await legacy.stop();
  const swapped = await t.startRelay(args.relay, port, args['web-dir'], `${args.out}/legacy-swapped-relay.log`);
  onCleanup(() => swapped.stop());
  t.log(`the legacy server on port ${port} was replaced by the relay`);
  const back = await t.waitFor('the page reconnected to the relay in hubchat.v1', async () => {
    const s = await t.state(p);
    return s.state === 'connected' && s.joined && s.dialect === 'hubchat.v1' && s;
  }, 40000, () => t.describe(p));
  if (!(back.rooms.lobby?.members ?? []).includes('mina')) {
    throw new Error(`no member list from the relay: ${JSON.stringify(back)}`);
  }
  const after = await p.page.evaluate((k) => localStorage.getItem(k), storageKey(legacy.url));
  if (after !== null) throw new Error(`the stale legacy choice is still stored: ${after}`);
  t.log(`hubchat.v1 after the swap: ${back.status}`);

  // 5. A page on the relay: hubchat.v1 at once, no failed handshake at all.
  const r = await t.openPage(browser, `${relay.url}/?nick=jun&room=lobby`, 'jun');
  await t.clientReady(r);
  const rs = await t.waitFor('the relay page joined', async () => {
    const s = await t.state(r);
    return s.state === 'connected' && s.joined && s;
  }, 20000, () => t.describe(r));
  if (rs.dialect !== 'hubchat.v1' || rs.legacy) throw new Error(`relay page dialect: ${JSON.stringify(rs)}`);
  if (rs.remembered_legacy) throw new Error('legacy remembered for the relay');
  t.assertNoProblems(p, r);
});
