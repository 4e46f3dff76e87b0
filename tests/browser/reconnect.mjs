// Browser test 2 (reconnect): a page of the WASM client is connected; the
// relay is stopped (SIGTERM, or with --kill-signal SIGKILL killed as in a crash)
// and the page must show that it is reconnecting
// (window.hubchat.state()). The relay is restarted on the same port and,
// before the page may reconnect (its WebSocket goes through a gated TCP
// forwarder, ?server=...), another client posts messages to the restarted
// relay. Then the gate opens: the page must reconnect by itself and hold each
// of those messages exactly once, and a message posted after the reconnect
// arrives live, once. The only console errors allowed are the browser's own
// reports of the refused connection attempts while the relay is away.
import * as t from './lib.mjs';

const args = t.parseArgs();
const allowed = [/WebSocket connection to .* failed/];

await t.main('browser reconnect', async (onCleanup) => {
  const port = await t.freePort();
  const relayLog = `${args.out}/reconnect-relay.log`;
  let relay = await t.startRelay(args.relay, port, args['web-dir'], relayLog);
  onCleanup(() => relay.stop());
  const proxy = await t.gatedProxy(port);
  onCleanup(() => proxy.close());
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  const room = 'rc';

  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());
  const pageUrl = `${relay.url}/?nick=ana&room=${room}&server=` +
                  encodeURIComponent(`ws://127.0.0.1:${proxy.port}/ws`);
  const a = await t.openPage(browser, pageUrl, 'ana', allowed);
  await t.clientReady(a);
  await t.waitFor('ana joined', async () => (await t.state(a)).joined, 20000);

  let sender = await t.losslessClient(wsUrl, room, 'bob');
  await sender.say('before the restart');
  await t.waitFor('ana got the first message',
                  async () => (await t.messages(a)).some((m) => m.body === 'before the restart'),
                  15000, () => t.describe(a));
  sender.close();

  // Relay away: the page must say it is reconnecting.
  proxy.setOpen(false);
  // --kill-signal SIGKILL: the relay crashes instead of closing with 1001.
  const signal = args['kill-signal'] || 'SIGTERM';
  await relay.stop(signal);
  t.log(`relay stopped (${signal})`);
  const away = await t.waitFor('ana reconnecting', async () => {
    const s = await t.state(a);
    return s.state === 'reconnecting' && s;
  }, 15000, () => t.describe(a));
  t.log(`ana: ${away.status}`);
  await t.screenshot(a, args.out, 'reconnect-away.png');

  // Restart on the same port; post while the page cannot reach it yet.
  relay = await t.startRelay(args.relay, port, args['web-dir'], relayLog);
  t.log('relay restarted');
  sender = await t.losslessClient(wsUrl, room, 'bob');
  onCleanup(() => sender.close());
  const whileAway = ['while away 1', '부재 중 메시지 2', 'while away 3\nwith two lines'];
  for (const body of whileAway) await sender.say(body);
  const s1 = await t.state(a);
  if (s1.joined) throw new Error(`ana got back before the gate opened: ${JSON.stringify(s1)}`);

  proxy.setOpen(true);
  await t.waitFor('ana reconnected and joined', async () => {
    const s = await t.state(a);
    return s.state === 'connected' && s.joined;
  }, 30000, () => t.describe(a));
  t.log('ana reconnected by herself');
  await t.waitFor('ana has the messages posted while away', async () => {
    const got = await t.messages(a);
    return whileAway.every((b) => got.some((m) => m.body === b && m.from === 'bob'));
  }, 15000, () => t.describe(a));

  await sender.say('after the reconnect');
  await t.waitFor('ana got the live message',
                  async () => (await t.messages(a)).some((m) => m.body === 'after the reconnect'),
                  15000, () => t.describe(a));

  const got = await t.messages(a);
  for (const body of [...whileAway, 'after the reconnect', 'before the restart']) {
    const n = got.filter((m) => m.body === body).length;
    if (n !== 1) throw new Error(`ana holds ${n} copies of ${JSON.stringify(body)}: ${JSON.stringify(got)}`);
  }
  t.log('every message exactly once');
  await t.screenshot(a, args.out, 'reconnect-back.png');
  t.assertNoProblems(a);
});
