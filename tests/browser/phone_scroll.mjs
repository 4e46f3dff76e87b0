// Phone test 2 (touch scrolling), in Chromium's mobile emulation: with 200
// messages in the room, a one-finger drag (the finger moving down, so the
// log follows it and shows older lines) moves the log away from the bottom
// (scroll position read through window.hubchat); the "Jump to latest" bar
// appears; a new message then neither moves the view nor hides the bar (it
// counts "1 new"); one tap on the bar returns to the bottom, and from there
// new messages scroll into view again.
import * as t from './lib.mjs';
import * as phone from './phone_lib.mjs';

const args = t.parseArgs();
const MESSAGES = 200;

await t.main('browser phone_scroll', async (onCleanup) => {
  const port = await t.freePort();
  // 200 messages in a row: more than the default per-connection budget.
  const relay = await t.startRelay(args.relay, port, args['web-dir'],
                                   `${args.out}/phone_scroll-relay.log`,
                                   ['--rate-limit', '1000', '--rate-burst', '1000']);
  onCleanup(() => relay.stop());
  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());

  const room = 'scroll';
  const feeder = await t.losslessClient(`ws://127.0.0.1:${port}/ws`, room, 'feeder');
  onCleanup(() => feeder.close());
  for (let i = 1; i <= MESSAGES; ++i) await feeder.say(`message ${i} of ${MESSAGES}`);

  const p = await phone.phonePage(browser, `${relay.url}/?nick=phone&room=${room}`, 'phone');
  await phone.joined(p);
  await t.waitFor('all 200 messages in the log', async () =>
    (await t.messages(p)).filter((m) => m.room === room).length === MESSAGES, 15000);
  const log = (u) => ({ y: u['log.scroll_y'], max: u['log.scroll_max'], bottom: u['log.at_bottom'],
                        jump: u['log.jump'], moving: u['log.scrolling'], fresh: u['log.new'] });
  let u = await t.waitFor('the log at its bottom, taller than the screen', async () => {
    const v = await phone.ui(p);
    const l = log(v);
    return l.max > 0 && l.bottom && Math.abs(l.y - l.max) <= 1 && !l.jump && v;
  }, 10000, async () => JSON.stringify(log(await phone.ui(p))));
  const atBottom = log(u);
  t.log(`log at the bottom: ${JSON.stringify(atBottom)}`);

  // Drag: the finger moves 300 CSS px down within the log.
  const [lx, ly, lw, lh] = u.rects.log;
  await phone.drag(p, lx + lw / 2, ly + lh * 0.3, 0, 300);
  u = await t.waitFor('the drag (and its momentum) over', async () => {
    const v = await phone.ui(p);
    return !log(v).moving && v;
  }, 10000);
  const moved = log(u);
  t.log(`after the drag: ${JSON.stringify(moved)}`);
  // Scroll positions are canvas pixels (device scale 2): 300 CSS px is 600.
  if (!(moved.y < atBottom.max - 300)) {
    throw new Error(`the drag did not move the log away from the bottom: ${JSON.stringify(moved)}`);
  }
  if (moved.bottom || !moved.jump) {
    throw new Error(`scrolled up without the jump bar: ${JSON.stringify(moved)}`);
  }
  const jumpLabelRect = await phone.rect(p, 'jump');
  t.log(`jump bar at ${JSON.stringify(jumpLabelRect)}`);

  // A new message arrives: the view stays where the user put it.
  await feeder.say('a message while scrolled up');
  await t.waitFor('the phone has the new message', async () =>
    (await t.messages(p)).some((m) => m.body === 'a message while scrolled up'), 10000);
  u = await t.waitFor('the jump bar counts it', async () => {
    const v = await phone.ui(p);
    return log(v).fresh === 1 && v;
  }, 10000, async () => JSON.stringify(log(await phone.ui(p))));
  await phone.frames(p, 5);
  const after = log(await phone.ui(p));
  if (Math.abs(after.y - moved.y) > 0.5 || after.bottom || !after.jump) {
    throw new Error(`a new message moved the view: ${JSON.stringify(moved)} -> ${JSON.stringify(after)}`);
  }
  await t.screenshot(p, args.out, 'phone-scrolled-up.png');

  // One tap on the bar: back at the bottom, the bar gone.
  await phone.tap(p, 'jump');
  u = await t.waitFor('one tap on the jump bar returns to the bottom', async () => {
    const v = await phone.ui(p);
    const l = log(v);
    return l.bottom && !l.jump && Math.abs(l.y - l.max) <= 1 && v;
  }, 5000, async () => JSON.stringify(log(await phone.ui(p))));
  t.log(`after the tap: ${JSON.stringify(log(u))}`);

  // At the bottom, the log follows new messages again.
  const maxBefore = log(u).max;
  await feeder.say('and one more at the bottom');
  await t.waitFor('the log follows the new message', async () => {
    const l = log(await phone.ui(p));
    return l.max > maxBefore && l.bottom && Math.abs(l.y - l.max) <= 1;
  }, 10000, async () => JSON.stringify(log(await phone.ui(p))));
  t.assertNoProblems(p);
});
