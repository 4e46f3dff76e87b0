// Browser test of the client's trust and moderation (issue 16, acceptance 5
// and 6; docs/client.md "Signing in" and "Moderation"), against a real relay
// with --auth-key, --private-room team-* and --api-key-file:
//  - a moderator signs in with ?token= (taken out of the address bar at
//    once) and a member with hubchat.setToken() after the page loaded: both
//    are verified, and the member's message shows the verified mark;
//  - the moderator opens the message's context menu with a right click and
//    deletes it: every page shows "message deleted", the body gone;
//  - on a phone, a verified member deletes its own message from the menu a
//    long press opens;
//  - a guest asking for team-a is refused, shown as a refusal (not a
//    connection error), and stays in lobby;
//  - a post through /api/publish shows in the clients.
// Every check reads the state JSON and what the view drew (ui: log.shown,
// log.verified, status.*). Screenshots: trust-verified.png,
// trust-moderation.png, trust-deleted.png, trust-refused.png in --out.
import * as t from './lib.mjs';
import * as phone from './phone_lib.mjs';
import { apiPublish, mintToken, writeTrustFiles } from '../support/trust.mjs';

const args = t.parseArgs();
const room = 'lobby';

const ui = async (p) => (await t.state(p)).ui;
const shown = async (p) => (await ui(p))['log.shown'] ?? [];

// Clicks (or right-clicks) the middle of what the client drew as `name`.
async function click(p, name, button = 'left') {
  const [x, y, w, h] = await phone.rect(p, name);
  await p.page.mouse.click(x + w / 2, y + Math.min(h / 2, 8), { button });
}

// The seq of the message `body` as page `p` holds it.
async function seqOf(p, body) {
  return t.waitFor(`${p.name} holds ${JSON.stringify(body)}`, async () =>
    (await t.messages(p)).find((m) => m.room === room && m.body === body)?.seq, 15000,
                   () => t.describe(p));
}

async function expectDeletedEverywhere(pages, from, seq) {
  for (const p of pages) {
    await t.waitFor(`${p.name} shows ${from}'s message ${seq} as deleted`, async () => {
      const m = (await t.messages(p)).find((x) => x.room === room && x.seq === seq);
      return m && m.deleted && m.body === '' && (await shown(p)).includes(`${from}: message deleted`);
    }, 15000, () => t.describe(p));
  }
}

await t.main('browser trust', async (onCleanup) => {
  const keys = writeTrustFiles(args.out);
  const port = await t.freePort();
  const relay = await t.startRelay(args.relay, port, args['web-dir'], `${args.out}/trust-relay.log`,
                                   keys.relayFlags);
  onCleanup(() => relay.stop());
  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());
  const token = (claims) => mintToken(args.relay, keys.authKey, claims);

  // The moderator: ?token= in the page's URL.
  const modToken = await token({ sub: 'u-mod', name: 'mod', role: 'moderator', rooms: 'team-*' });
  const mod = await t.openPage(browser, `${relay.url}/?nick=mod&room=${room}&token=${modToken}`, 'mod');
  await t.clientReady(mod);
  const address = mod.page.url();
  if (address.includes('token') || address.includes(modToken)) {
    throw new Error(`the token stayed in the address bar: ${address}`);
  }
  if (!address.includes(`room=${room}`)) throw new Error(`the other parameters went too: ${address}`);
  const history = await mod.page.evaluate(() => window.location.href);
  if (history.includes(modToken)) throw new Error('the token is in window.location');

  // The member: a guest at load, signed in by the embedding page's setToken().
  const jun = await t.openPage(browser, `${relay.url}/?nick=jun&room=${room}`, 'jun');
  await t.clientReady(jun);
  await t.readyToType(jun);
  const junToken = await token({ sub: 'u-jun', name: 'jun' });
  await jun.page.evaluate((jwt) => window.hubchat.setToken(jwt), junToken);

  const guest = await t.openPage(browser, `${relay.url}/?nick=guest&room=${room}`, 'guest');
  await t.clientReady(guest);
  await t.readyToType(guest);

  for (const [p, role, identity] of [[mod, 'moderator', 'verified moderator'],
                                     [jun, 'member', 'verified']]) {
    await t.waitFor(`${p.name} is verified as a ${role}`, async () => {
      const s = await t.state(p);
      return s.joined && s.verified && s.role === role && s.uid === `u-${p.name}` &&
             s.ui['status.identity'] === identity && s.ui.rects.verified_mark &&
             s.status.includes('(verified');
    }, 20000, () => t.describe(p));
  }
  const g = await t.state(guest);
  if (g.verified || g.uid !== '' || g.ui['status.identity'] !== 'guest') {
    throw new Error(`the guest looks verified: ${JSON.stringify(g)}`);
  }
  t.log('mod (?token=) and jun (setToken) are verified; guest is not');

  // jun's message carries its uid: the verified mark on every screen.
  await t.readyToType(jun);
  const junBody = 'signed message from jun';
  await t.typeAndSend({ page: jun, from: 'jun', parts: [junBody] });
  const junSeq = await seqOf(mod, junBody);
  for (const p of [mod, jun, guest]) {
    await t.waitFor(`${p.name} shows jun's message with the verified mark`, async () => {
      const m = (await t.messages(p)).find((x) => x.seq === junSeq);
      const v = await ui(p);
      return m && m.uid === 'u-jun' && m.from === 'jun' &&
             (v['log.shown'] ?? []).includes(`jun: ${junBody}`) &&
             (v['log.verified'] ?? []).includes('jun');
    }, 15000, () => t.describe(p));
  }
  await t.screenshot(mod, args.out, 'trust-verified.png');

  // The guest has no menu on jun's message (it may not delete it).
  await click(guest, `msg:${junSeq}`, 'right');
  await phone.frames(guest, 3);
  if ((await ui(guest)).menu_open) throw new Error('a guest got the moderation menu');

  // The moderator: right click on jun's message, Delete.
  await click(mod, `msg:${junSeq}`, 'right');
  await t.waitFor('the moderator menu is open', async () => {
    const v = await ui(mod);
    return v.menu_open && v.rects['menu:delete'] && v.rects['menu:kick'] && v.rects['menu:ban'];
  }, 10000, async () => JSON.stringify(await ui(mod)));
  await t.screenshot(mod, args.out, 'trust-moderation.png');
  await click(mod, 'menu:delete');
  await expectDeletedEverywhere([mod, jun, guest], 'jun', junSeq);
  for (const p of [mod, jun, guest]) {
    if ((await shown(p)).some((line) => line.includes(junBody))) {
      throw new Error(`${p.name} still shows the deleted body`);
    }
  }
  await t.screenshot(guest, args.out, 'trust-deleted.png');
  t.log('the moderator deleted jun\'s message from the context menu; every page shows it deleted');

  // On a phone: a verified member long-presses its own message and deletes it.
  const anaToken = await token({ sub: 'u-ana', name: 'ana' });
  const ana = await phone.phonePage(browser, `${relay.url}/?nick=ana&room=${room}&token=${anaToken}`,
                                    'ana');
  await t.clientReady(ana);
  await t.waitFor('ana is verified', async () => (await t.state(ana)).verified, 20000);
  const anaBody = 'ana from a phone';
  await phone.tap(ana, 'input');
  await t.waitFor('ana can type', async () => (await t.state(ana)).text_input, 10000);
  await ana.page.keyboard.insertText(anaBody);
  await t.waitFor('ana typed', async () => (await t.state(ana)).pending_input === 0);
  await ana.page.keyboard.press('Enter');
  const anaSeq = await seqOf(ana, anaBody);
  const [x, y, w, h] = await phone.rect(ana, `msg:${anaSeq}`);
  ana.cdp ??= await ana.page.context().newCDPSession(ana.page);
  const touch = (type, points) => ana.cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
  await touch('touchStart', [{ x: x + w / 2, y: y + h / 2 }]);
  await t.waitFor('a long press opens ana\'s menu', async () => (await ui(ana)).menu_open, 10000);
  await touch('touchEnd', []);
  const v = await ui(ana);
  if (!v.rects['menu:delete'] || v.rects['menu:kick']) {
    throw new Error(`a member's menu on its own message is Delete only: ${JSON.stringify(v.rects)}`);
  }
  await phone.frames(ana, 3);
  if (!(await ui(ana)).menu_open) throw new Error('lifting the finger closed the menu');
  await phone.tap(ana, 'menu:delete');
  await expectDeletedEverywhere([ana, mod], 'ana', anaSeq);
  t.log('ana deleted her own message from the long-press menu on a phone');

  // The guest asks for a private room: refused, still in lobby, not an error.
  await click(guest, 'join');
  await t.waitFor('the join field takes text', async () => (await t.state(guest)).text_input, 10000);
  await guest.page.keyboard.insertText('team-a');
  await t.waitFor('typed', async () => (await t.state(guest)).pending_input === 0);
  await guest.page.keyboard.press('Enter');
  await t.waitFor('the guest is refused team-a and stays in lobby', async () => {
    const s = await t.state(guest);
    return s.refusal.kind === 'join' && s.refusal.room === 'team-a' &&
           s.refusal.text === 'you may not join #team-a' && s.room === room &&
           s.joined_room === room && s.joined && s.state === 'connected' &&
           s.ui['status.refusal'] === 'you may not join #team-a' && s.ui.rects.refusal &&
           !s.status.includes('error');
  }, 15000, () => t.describe(guest));
  if ((await t.state(guest)).last_error !== '') throw new Error('the refusal shows as an error');
  await t.screenshot(guest, args.out, 'trust-refused.png');
  t.log('the guest was refused team-a and stayed in lobby');

  // The operator API: a bot's post shows in every client.
  const botBody = 'deploy-bot: v2 is out';
  const botSeq = await apiPublish(port, keys.apiKey, room, 'deploy-bot', botBody);
  for (const p of [mod, jun, guest]) {
    await t.waitFor(`${p.name} shows the API post`, async () => {
      const m = (await t.messages(p)).find((x) => x.room === room && x.seq === botSeq);
      return m && m.from === 'deploy-bot' && m.body === botBody && m.uid === '' &&
             (await shown(p)).includes(`deploy-bot: ${botBody}`);
    }, 15000, () => t.describe(p));
  }
  t.log('/api/publish shows in the clients');
  t.assertNoProblems(mod, jun, guest, ana);
});
