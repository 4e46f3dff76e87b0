// Phone test 1 (touch and the keyboard), in Chromium's mobile emulation
// (390x844, touch, device scale 2), each check in its own fresh page:
//  - one touchscreen tap on the input line focuses the page's hidden text
//    field, and does it inside the tap's own event (a page-side listener
//    records which event was being dispatched), in every one of 10 pages;
//  - one tap on a button acts, in every one of those pages: the status bar
//    (unfolds the connect panel), then Disconnect (disconnects);
//  - Hangul committed by an IME (insertText) and Enter arrive at another client.
import * as t from './lib.mjs';
import * as phone from './phone_lib.mjs';

const args = t.parseArgs();
const PAGES = 10;
// A tap that did not act does not act later: these waits are short.
const TAP_DEADLINE_MS = 5000;

await t.main('browser phone_touch', async (onCleanup) => {
  const { port, relay, browser } = await t.relayAndBrowser(args, onCleanup, 'phone_touch');

  const failures = [];
  for (let i = 1; i <= PAGES; ++i) {
    const p = await phone.phonePage(browser, `${relay.url}/?nick=tap${i}&room=taps`, `page${i}`);
    try {
      await phone.joined(p);
      const [, , w] = await phone.rect(p, 'input');
      if (!(w > 0)) throw new Error('no input line drawn');
      // Nothing focused the field before the tap (no autofocus on a touch screen).
      const before = await phone.activeElementId(p);
      if (before === 'text-input') throw new Error('the text field was focused before any tap');

      await phone.tap(p, 'input');
      const focus = await t.waitFor(`${p.name}: focus after one tap`, async () => {
        const records = await phone.focusRecords(p);
        return records.length > 0 && records;
      }, TAP_DEADLINE_MS, async () => `active element ${await phone.activeElementId(p)}`);
      if (!focus[0].during) throw new Error('the text field was focused outside the tap\'s events');
      await t.waitFor(`${p.name}: the input line takes text`, async () => {
        const s = await t.state(p);
        return s.text_input && (await phone.activeElementId(p)) === 'text-input';
      }, TAP_DEADLINE_MS);

      await phone.tap(p, 'status');
      await t.waitFor(`${p.name}: one tap on the status bar unfolds the panel`,
                      async () => (await phone.ui(p)).panel_open, TAP_DEADLINE_MS);
      await phone.tap(p, 'disconnect');
      await t.waitFor(`${p.name}: one tap on Disconnect disconnects`,
                      async () => (await t.state(p)).state === 'disconnected', TAP_DEADLINE_MS);
      t.log(`${p.name}: focused during ${focus[0].during}; status bar and Disconnect acted`);
      t.assertNoProblems(p);
    } catch (err) {
      failures.push(`${p.name}: ${err.message}`);
      t.log(`${p.name}: FAILED: ${err.message}`);
    } finally {
      await p.context.close();
    }
  }
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${PAGES} pages failed:\n  ${failures.join('\n  ')}`);
  }

  // Hangul as an IME commits it, then Enter: another client receives it.
  const other = await t.losslessClient(`ws://127.0.0.1:${port}/ws`, 'ime', 'desk');
  onCleanup(() => other.close());
  const p = await phone.phonePage(browser, `${relay.url}/?nick=phone&room=ime`, 'phone');
  await phone.joined(p);
  await phone.tap(p, 'input');
  await t.waitFor('the input line takes text', async () => (await t.state(p)).text_input &&
                  (await phone.activeElementId(p)) === 'text-input', TAP_DEADLINE_MS);
  const body = '안녕하세요, 폰에서 보냅니다';
  await p.page.keyboard.insertText(body);
  await t.waitFor('the text is in the input line',
                  () => p.page.evaluate(() => window.hubchat.draft()), TAP_DEADLINE_MS);
  await p.page.keyboard.press('Enter');
  await t.waitFor('desk receives the Hangul message', () => other.events.find(
      (e) => e.type === 'msg' && e.from === 'phone' && e.body === body), 15000,
      () => t.describe(p));
  t.log('desk received the Hangul message from the phone');
  await t.screenshot(p, args.out, 'phone-touch.png');
  t.assertNoProblems(p);
});
