// Browser test 3 (interop): the gorilla-style legacy page (legacy.html: one
// WebSocket without subprotocol, frames split on '\n') and the WASM client
// chat with each other through the relay. The legacy message (typed into the
// page's form) reaches the WASM client under the legacy nick, intact; the WASM
// client's two-line message reaches the legacy page as one line (the legacy
// dialect turns '\n' into a space).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as t from './lib.mjs';

const args = t.parseArgs();
const here = path.dirname(fileURLToPath(import.meta.url));

await t.main('browser interop', async (onCleanup) => {
  const port = await t.freePort();
  const relay = await t.startRelay(args.relay, port, args['web-dir'], `${args.out}/interop-relay.log`);
  onCleanup(() => relay.stop());
  const room = 'interop';

  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());
  const legacyUrl = pathToFileURL(path.join(here, 'legacy.html')).href + '?server=' +
                    encodeURIComponent(`ws://127.0.0.1:${port}/ws?room=${room}&nick=oldtimer`);
  const legacy = await t.openPage(browser, legacyUrl, 'legacy');
  await t.waitFor('legacy socket open',
                  () => legacy.page.evaluate(() => window.legacy && window.legacy.readyState() === 1));
  const proto = await legacy.page.evaluate(() => window.legacy.protocol());
  if (proto !== '') throw new Error(`legacy socket negotiated a subprotocol: ${proto}`);

  const w = await t.openPage(browser, `${relay.url}/?nick=wasm&room=${room}`, 'wasm');
  await t.clientReady(w);
  await t.readyToType(w);
  await t.waitFor('wasm sees the legacy member',
                  async () => ((await t.state(w)).rooms[room]?.members ?? []).includes('oldtimer'),
                  15000, () => t.describe(w));

  // Legacy -> WASM: typed into the form, sent on Enter (form submit).
  const fromLegacy = 'hello from the old page, 안녕!';
  await legacy.page.click('#msg');
  await legacy.page.keyboard.type(fromLegacy);
  await legacy.page.keyboard.press('Enter');
  await t.waitFor('wasm got the legacy message', async () =>
    (await t.messages(w)).some((m) => m.from === 'oldtimer' && m.body === fromLegacy),
    15000, () => t.describe(w));
  t.log('legacy -> wasm ok');

  // WASM -> legacy: a two-line message arrives as one line.
  await t.typeMessage(w, ['hi legacy', '\n', '두 번째 줄']);
  await t.waitFor('legacy got the wasm message', async () => {
    const got = await legacy.page.evaluate(() => window.legacy.messages());
    return got.includes('hi legacy 두 번째 줄');
  }, 15000, async () => JSON.stringify(await legacy.page.evaluate(() => window.legacy.messages())));
  // ...while the lossless side keeps the line break.
  await t.waitFor('wasm echo keeps the newline', async () =>
    (await t.messages(w)).some((m) => m.from === 'wasm' && m.body === 'hi legacy\n두 번째 줄'),
    15000, () => t.describe(w));
  const legacyGot = await legacy.page.evaluate(() => window.legacy.messages());
  if (legacyGot.filter((m) => m === fromLegacy).length !== 1) {
    throw new Error(`legacy page should see its own message once: ${JSON.stringify(legacyGot)}`);
  }
  t.log('wasm -> legacy ok');
  await t.screenshot(w, args.out, 'interop-wasm.png');
  await t.screenshot(legacy, args.out, 'interop-legacy.png');
  t.assertNoProblems(w, legacy);
});
