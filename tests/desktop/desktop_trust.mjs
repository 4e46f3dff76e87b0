// Desktop test of the client's trust and moderation (issue 16, acceptance 6;
// docs/client.md "Signing in" and "Moderation"): hubchat_client under Xvfb
// against a relay with --auth-key, --private-room team-* and --api-key-file.
//  1. A moderator signs in with --token FILE (a trailing newline in the file);
//     a verified member (a lossless WebSocket peer with its own token) posts:
//     the client shows the verified mark next to the sender.
//  2. The moderator right-clicks the message (xdotool), chooses Delete from
//     the context menu: the peer gets the `deleted` event and the client
//     shows "message deleted". A post through /api/publish shows too.
//  3. A guest asks for team-a in the Join field: refused, shown as a refusal
//     (not an error), still in lobby.
// Checks read the --trace records (status document, lines, and ui: what the
// view drew) and take a screenshot each (desktop-verified.png,
// desktop-moderation.png, desktop-refused.png in --out).
import fs from 'node:fs';
import path from 'node:path';
import {
  capture, clientEnv, listener, log, main, parseArgs, run, start, startRelay, startXvfb, tempDir,
  traces, waitFor,
} from './lib.mjs';
import { apiPublish, mintToken, writeTrustFiles } from '../support/trust.mjs';

const args = parseArgs(['client', 'relay', 'out']);
fs.mkdirSync(args.out, { recursive: true });
const room = 'lobby';

// The latest --trace record of `kind` in `logFile` that `pred` accepts.
function latest(logFile, kind, pred = () => true) {
  return traces(logFile).filter((r) => r.kind === kind && pred(r)).at(-1);
}

// xdotool on the client's display.
async function xdo(display, ...actions) {
  const r = await run('xdotool', actions, { DISPLAY: display });
  if (r.code !== 0) throw new Error(`xdotool ${actions.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
// A click of `button` in the middle of `rect` (the view's [x, y, w, h]) in the window.
async function clickAt(display, windowId, rect, button) {
  const [x, y, w, h] = rect;
  await xdo(display, 'mousemove', '--window', windowId, String(Math.round(x + w / 2)),
            String(Math.round(y + Math.min(h / 2, 8))));
  await xdo(display, 'click', String(button));
}

// Starts the client; resolves to { client, logFile, windowId } once its window is there.
async function startClient(display, home, name, extra) {
  const logFile = path.join(args.out, `desktop-trust-${name}.log`);
  fs.rmSync(logFile, { force: true });
  const client = start(args.client, ['--trace', ...extra], logFile, clientEnv(display, home));
  const windowId = await waitFor(`${name}'s window`, async () => {
    if (client.exit) throw new Error(`client exited: ${JSON.stringify(client.exit)}`);
    const r = await run('xdotool', ['search', '--pid', String(client.proc.pid)], { DISPLAY: display });
    return r.code === 0 && r.stdout.trim().split('\n')[0];
  }, 20000);
  return { client, logFile, windowId };
}

await main('desktop trust', async (onCleanup) => {
  const { xvfb, display } = await startXvfb(args.out);
  onCleanup(() => xvfb.stop());
  const dir = tempDir(onCleanup);
  const keys = writeTrustFiles(dir);
  const { relay, port } = await startRelay(args.relay, path.join(args.out, 'desktop-trust-relay.log'),
                                           { extra: keys.relayFlags });
  onCleanup(() => relay.stop());
  const wsUrl = `ws://127.0.0.1:${port}/ws`;
  const token = (claims) => mintToken(args.relay, keys.authKey, claims);

  // 1. The moderator's client, --token FILE.
  const tokenFile = path.join(dir, 'mod.jwt');
  fs.writeFileSync(tokenFile, (await token({ sub: 'u-mod', name: 'mod', role: 'moderator' })) + '\n');
  const mod = await startClient(display, path.join(dir, 'mod'), 'mod',
                                ['--server', wsUrl, '--nick', 'mod', '--room', room, '--token', tokenFile]);
  onCleanup(() => mod.client.stop());
  await waitFor('mod is verified as a moderator', () => latest(mod.logFile, 'status',
    (s) => s.joined && s.verified && s.uid === 'u-mod' && s.role === 'moderator'), 20000);
  await waitFor('mod\'s header shows it', () => latest(mod.logFile, 'ui',
    (u) => u['status.identity'] === 'verified moderator' && u.rects.verified_mark), 10000);

  const jun = await listener(wsUrl, room, { token: await token({ sub: 'u-jun', name: 'jun' }) });
  onCleanup(() => jun.ws.close());
  const body = 'signed message from jun';
  jun.ws.send(JSON.stringify({ type: 'msg', body }));
  const line = await waitFor('mod holds jun\'s message with its uid', () => latest(mod.logFile, 'line',
    (l) => l.body === body && l.from === 'jun' && l.uid === 'u-jun'), 15000);
  const drawn = await waitFor('mod shows jun\'s message with the verified mark', () =>
    latest(mod.logFile, 'ui', (u) => (u['log.shown'] ?? []).includes(`jun: ${body}`) &&
                                     (u['log.verified'] ?? []).includes('jun') &&
                                     u.rects[`msg:${line.seq}`]), 15000);
  await capture(display, path.join(args.out, 'desktop-verified.png'));
  log('the desktop client shows the verified mark');

  // 2. Right click on the message, Delete.
  await clickAt(display, mod.windowId, drawn.rects[`msg:${line.seq}`], 3);
  const menu = await waitFor('the context menu', () => latest(mod.logFile, 'ui',
    (u) => u.menu_open && u.rects['menu:delete'] && u.rects['menu:ban']), 10000);
  await capture(display, path.join(args.out, 'desktop-moderation.png'));
  await clickAt(display, mod.windowId, menu.rects['menu:delete'], 1);
  await waitFor('jun is told its message was deleted by mod', () =>
    jun.events.some((e) => e.type === 'deleted' && e.seq === line.seq && e.by === 'mod'), 10000);
  await waitFor('mod shows "message deleted"', () => latest(mod.logFile, 'ui',
    (u) => (u['log.shown'] ?? []).includes('jun: message deleted') &&
           !(u['log.shown'] ?? []).some((s) => s.includes(body))), 10000);
  log('deleted from the desktop context menu');

  const botBody = 'deploy-bot: v2 is out';
  await apiPublish(port, keys.apiKey, room, 'deploy-bot', botBody);
  await waitFor('mod shows the API post', () => latest(mod.logFile, 'ui',
    (u) => (u['log.shown'] ?? []).includes(`deploy-bot: ${botBody}`)), 10000);

  // 3. A guest asks for team-a. Started before the moderator's client is
  // stopped: the X server resets when its last client leaves.
  const guest = await startClient(display, path.join(dir, 'guest'), 'guest',
                                  ['--server', wsUrl, '--nick', 'guest', '--room', room]);
  onCleanup(() => guest.client.stop());
  await mod.client.stop();
  const ready = await waitFor('the guest joined lobby', async () => {
    const s = latest(guest.logFile, 'status', (x) => x.joined && x.joined_room === room);
    const u = latest(guest.logFile, 'ui', (x) => x.rects.join);
    return s && !s.verified && u;
  }, 20000);
  await clickAt(display, guest.windowId, ready.rects.join, 1);
  await xdo(display, 'type', '--delay', '30', 'team-a');
  await xdo(display, 'key', 'Return');
  const refused = await waitFor('the guest is refused team-a and stays in lobby', () =>
    latest(guest.logFile, 'status', (s) => s.refusal.kind === 'join' && s.refusal.room === 'team-a')
    , 15000);
  if (refused.room !== room || refused.joined_room !== room || refused.state !== 'connected' ||
      refused.last_error !== '') {
    throw new Error(`not refused as such: ${JSON.stringify(refused)}`);
  }
  await waitFor('the refusal is on screen', () => latest(guest.logFile, 'ui',
    (u) => u['status.refusal'] === 'you may not join #team-a' && u.rects.refusal &&
           (u['log.shown'] ?? []).every((x) => !x.includes('team-a'))), 10000);
  await capture(display, path.join(args.out, 'desktop-refused.png'));
  log('the guest was refused team-a, shown as a refusal');
});
