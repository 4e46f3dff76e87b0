// Browser test 1 (e2e): two pages of the WASM client join one room through the
// real relay; each types a message containing Hangul and a line break with real
// keyboard events (ASCII via key events, Hangul via insertText into the hidden
// input as an IME commits it and via a real IME composition, Backspace to fix
// a typo, Shift+Enter for the line break, Enter to send).
// Both pages must receive both messages intact (read through window.hubchat),
// without any console error or page error. Screenshots go to --out.
import * as t from './lib.mjs';

const args = t.parseArgs();

await t.main('browser e2e', async (onCleanup) => {
  const port = await t.freePort();
  const relay = await t.startRelay(args.relay, port, args['web-dir'], `${args.out}/e2e-relay.log`);
  onCleanup(() => relay.stop());
  t.log(`relay on ${relay.url}`);

  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());
  const room = 'e2e';
  const a = await t.openPage(browser, `${relay.url}/?nick=mina&room=${room}`, 'mina');
  const b = await t.openPage(browser, `${relay.url}/?nick=jun&room=${room}`, 'jun');
  await t.clientReady(a);
  await t.clientReady(b);
  await t.readyToType(a);
  await t.readyToType(b);
  // The relay accepts hubchat.v1: both pages speak it, from the first attempt.
  for (const p of [a, b]) {
    const s = await t.state(p);
    if (s.dialect !== 'hubchat.v1' || s.legacy || s.remembered_legacy) {
      throw new Error(`${p.name} did not negotiate hubchat.v1: ${JSON.stringify(s)}`);
    }
  }
  // Presence: each sees the other in the member list.
  await t.waitFor('both members listed', async () => {
    const [sa, sb] = [await t.state(a), await t.state(b)];
    const ma = sa.rooms[room]?.members ?? [], mb = sb.rooms[room]?.members ?? [];
    return ['mina', 'jun'].every((n) => ma.includes(n) && mb.includes(n));
  });

  const sent = [
    // Two quick Backspaces fix a typo: short key presses must not be lost.
    { page: a, from: 'mina', parts: ['Hello from mina!!x', { key: 'Backspace' }, { key: 'Backspace' },
                                     '\n', '안녕하세요, 여러분', ' (second line)'] },
    // The last word comes from an IME composition (ㄲ -> 끝, then committed).
    { page: b, from: 'jun', parts: ['반가워요', ' - jun here', '\n', 'line two: ', '한글 입력 테스트 ',
                                    { compose: ['ㄲ', '끝'], commit: '끝' }] },
  ];
  for (const m of sent) {
    m.body = t.typedText(m.parts).replace('!!x', '!');
    await t.typeAndSend(m);
  }

  await t.expectExactlyOnce([a, b], room, sent);
  t.log('both pages received both messages intact');
  await t.screenshot(a, args.out, 'e2e-mina.png');
  await t.screenshot(b, args.out, 'e2e-jun.png');
  t.assertNoProblems(a, b);
});
