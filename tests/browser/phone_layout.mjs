// Phone test 3 (the narrow layout), in Chromium's mobile emulation (390x844):
//  - the message column spans at least 90 % of the width (window.hubchat);
//  - quiet presence: 20 joins in a row are one collapsed line ("g01, g02 and
//    18 others joined"), the member count is the relay's; one tap expands it;
//  - the drawer opens and closes with single taps, its join field takes a
//    room name after one tap, and choosing another room in it switches rooms;
//  - a hidden tab shows the number of new messages in its title;
//  - when the visual viewport shrinks (the keyboard; emulated by resizing
//    to 390x500) the input line stays inside the visible area.
// Screenshots (connected; drawer open) go to --out (docs/client.md uses them).
import * as t from './lib.mjs';
import * as phone from './phone_lib.mjs';

const args = t.parseArgs();
const TAP_DEADLINE_MS = 5000;

await t.main('browser phone_layout', async (onCleanup) => {
  const { port, relay, browser } = await t.relayAndBrowser(args, onCleanup, 'phone_layout');
  const ws = `ws://127.0.0.1:${port}/ws`;
  const clients = [];
  onCleanup(() => clients.forEach((c) => c.close()));

  const room = 'plaza';
  const p = await phone.phonePage(browser, `${relay.url}/?nick=phone&room=${room}`, 'phone');
  await phone.joined(p);
  const host = await t.losslessClient(ws, room, 'host');
  clients.push(host);
  // The host's join first (presence comes once per presence interval), then
  // its message: the message ends that run of presence.
  await t.waitFor('the phone sees the host', async () =>
    (await t.state(p)).rooms[room]?.member_count === 2, 10000);
  await host.say('안녕하세요! welcome to the plaza');
  await t.waitFor('the phone has the welcome', async () => (await t.messages(p)).length === 1);

  // ---- the message column
  let u = await phone.ui(p);
  const [, , logWidth] = u.rects.log;
  t.log(`narrow=${u.narrow}, log ${logWidth} of ${u.width} CSS px`);
  if (!u.narrow) throw new Error('390 px wide but not the narrow layout');
  if (!(logWidth >= 0.9 * u.width)) throw new Error(`the log spans ${logWidth} of ${u.width} px`);

  // ---- quiet presence: 20 joins, in two bursts the relay itemizes (it sums
  // up more than 16 in one presence interval as a count only).
  const guests = [];
  for (let batch = 0; batch < 2; ++batch) {
    for (let i = 1; i <= 10; ++i) {
      const nick = `g${String(batch * 10 + i).padStart(2, '0')}`;
      const c = await t.losslessClient(ws, room, nick);
      clients.push(c);
      guests.push(c.nick);
    }
    const want = 2 + guests.length;
    await t.waitFor(`the phone sees ${want} members`, async () =>
      (await t.state(p)).rooms[room]?.member_count === want, 10000, () => t.describe(p));
  }
  u = await t.waitFor('one collapsed line for the 20 joins', async () => {
    const v = await phone.ui(p);
    return v['log.collapsed'].length === 1 && v;
  }, 10000, async () => JSON.stringify(await phone.ui(p)));
  const summary = u['log.collapsed'][0];
  t.log(`collapsed: ${JSON.stringify(summary)}; ${u['log.drawn']} rows drawn for ${u['log.lines']} lines`);
  if (summary !== `${guests[0]}, ${guests[1]} and 18 others joined`) {
    throw new Error(`unexpected summary ${JSON.stringify(summary)}`);
  }
  if (u['log.drawn'] !== u['log.lines'] - 19) {
    throw new Error(`20 joins are not one row: ${u['log.drawn']} rows, ${u['log.lines']} lines`);
  }
  const s = await t.state(p);
  if (s.rooms[room].member_count !== 22 || u.members !== 22) {
    throw new Error(`member count ${s.rooms[room].member_count} (shown ${u.members}), want 22`);
  }
  await t.screenshot(p, args.out, 'phone-narrow.png');
  await phone.tap(p, 'run:0');
  await t.waitFor('one tap expands the joins', async () => {
    const v = await phone.ui(p);
    // Every line on a row of its own, and the run's "hide" row above them.
    return v['log.collapsed'].length === 0 && v['log.drawn'] === v['log.lines'] + 1;
  }, TAP_DEADLINE_MS, async () => JSON.stringify(await phone.ui(p)));

  // ---- the drawer: open, join another room from its field, switch back.
  await phone.tap(p, 'drawer');
  await t.waitFor('one tap opens the drawer', async () => (await phone.ui(p)).drawer_open,
                  TAP_DEADLINE_MS);
  await phone.tap(p, 'drawer');
  await t.waitFor('one tap closes the drawer', async () => !(await phone.ui(p)).drawer_open,
                  TAP_DEADLINE_MS);
  await phone.tap(p, 'drawer');
  await t.waitFor('the drawer again', async () => (await phone.ui(p)).drawer_open,
                  TAP_DEADLINE_MS);
  await phone.tap(p, 'join');
  await t.waitFor('one tap on the join field takes text', async () =>
    (await t.state(p)).text_input && (await phone.activeElementId(p)) === 'text-input',
                  TAP_DEADLINE_MS);
  await p.page.keyboard.insertText('garden');
  await t.waitFor('the name is typed', async () =>
    (await t.state(p)).text_input && (await t.state(p)).pending_input === 0, TAP_DEADLINE_MS);
  await p.page.keyboard.press('Enter');
  await t.waitFor('joined garden from the drawer', async () => {
    const v = await t.state(p);
    return v.room === 'garden' && v.joined_room === 'garden' && !v.ui.drawer_open;
  }, 10000, () => t.describe(p));
  await phone.tap(p, 'drawer');
  await t.waitFor('the drawer lists both rooms', async () => {
    const v = await phone.ui(p);
    return v.drawer_open && v.rects['room:plaza'] && v.rects['room:garden'];
  }, TAP_DEADLINE_MS);
  await phone.tap(p, 'room:plaza');
  await t.waitFor('one tap on plaza in the drawer switches to it', async () => {
    const v = await t.state(p);
    return v.room === 'plaza' && v.joined_room === 'plaza' && !v.ui.drawer_open;
  }, 10000, () => t.describe(p));
  await t.waitFor('the plaza\'s member list again', async () =>
    (await t.state(p)).rooms[room].members.length === 22, 10000);
  await phone.tap(p, 'drawer');
  await t.waitFor('the drawer once more', async () => (await phone.ui(p)).drawer_open,
                  TAP_DEADLINE_MS);
  await t.screenshot(p, args.out, 'phone-drawer.png');
  await phone.tap(p, 'drawer');
  await t.waitFor('and closed', async () => !(await phone.ui(p)).drawer_open, TAP_DEADLINE_MS);

  // ---- a hidden tab counts new messages in its title.
  const setHidden = (hidden) => p.page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true,
                                                         get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
  const title = () => p.page.evaluate(() => document.title);
  if ((await title()) !== 'hubchat') throw new Error(`title ${await title()} before hiding`);
  await setHidden(true);
  await host.say('first while hidden');
  await host.say('second while hidden');
  await t.waitFor('the title counts 2 new messages', async () => (await title()) === '(2) hubchat',
                  10000, title);
  await setHidden(false);
  await t.waitFor('the title is plain again', async () => (await title()) === 'hubchat', 5000, title);

  // ---- the keyboard: the visual viewport shrinks to 390x500.
  await phone.tap(p, 'input');
  await t.waitFor('the input line takes text', async () => (await t.state(p)).text_input &&
                  (await phone.activeElementId(p)) === 'text-input', TAP_DEADLINE_MS);
  await p.page.setViewportSize({ width: 390, height: 500 });
  u = await t.waitFor('the client lays out in 390x500', async () => {
    const v = await phone.ui(p);
    return v.height === 500 && v;
  }, 10000, async () => JSON.stringify((await phone.ui(p)).height));
  const view = await p.page.evaluate(() => {
    const vv = window.visualViewport;
    const c = document.getElementById('canvas').getBoundingClientRect();
    return { w: vv.width, h: vv.height, top: vv.offsetTop, canvasTop: c.top, canvasH: c.height };
  });
  const [ix, iy, iw, ih] = u.rects.input;
  t.log(`input at ${JSON.stringify(u.rects.input)} in a visual viewport of ${JSON.stringify(view)}`);
  // The client's rectangles are relative to the canvas, which sits on the visual viewport.
  const top = view.canvasTop + iy - view.top;
  if (!(ix >= 0 && top >= 0 && ix + iw <= view.w && top + ih <= view.h)) {
    throw new Error(`the input line is outside the visible area: ${JSON.stringify(u.rects.input)}`);
  }
  if ((await phone.activeElementId(p)) !== 'text-input') throw new Error('the field lost focus');
  await t.screenshot(p, args.out, 'phone-keyboard.png');
  t.assertNoProblems(p);
});
