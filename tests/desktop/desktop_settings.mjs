// Desktop settings test: hubchat_client under Xvfb against the real relay,
// with HOME and XDG_CONFIG_HOME in a temp dir, state read through --trace.
//  1. Started with --server/--nick/--room it joins, says it saved its
//     settings, and $XDG_CONFIG_HOME/hubchat/desktop.conf holds them (nothing
//     lands in $HOME/.config: XDG_CONFIG_HOME wins).
//  2. Stopped and started again with NO flags, it connects by itself to the
//     same server, as the same nick, in the same room.
//  3. Flags over the file: with only --room, it joins that room on the
//     remembered server as the remembered nick, and the file now names that
//     room (the flag is remembered, not lost).
//  4. A corrupt file (binary garbage) is ignored with warnings: the client
//     still starts, connects with its flags, and rewrites the file clean.
//  5. Without XDG_CONFIG_HOME the file is $HOME/.config/hubchat/desktop.conf.
// Between runs the test waits until the relay has dropped the previous
// connection, so the nick is free again (the relay suffixes a taken one).
//   node desktop_settings.mjs --client BIN --relay BIN --out DIR
import fs from 'node:fs';
import path from 'node:path';
import {
  clientEnv, log, main, metric, parseArgs, start, startRelay, startXvfb, tempDir, traces, waitFor,
} from './lib.mjs';

const args = parseArgs(['client', 'relay', 'out']);
fs.mkdirSync(args.out, { recursive: true });

await main('desktop settings', async (onCleanup) => {
  const { xvfb, display } = await startXvfb(args.out);
  onCleanup(() => xvfb.stop());
  const { relay, port } = await startRelay(args.relay, path.join(args.out, 'settings-relay.log'));
  onCleanup(() => relay.stop());
  const server = `ws://127.0.0.1:${port}/ws`;
  const home = tempDir(onCleanup);
  const env = clientEnv(display, home);
  const file = path.join(env.XDG_CONFIG_HOME, 'hubchat', 'desktop.conf');
  log(`relay on ${server}, Xvfb on ${display}, settings in ${file}`);

  let runs = 0;
  // Starts the client with `flags` (+ --trace), waits for its joined status
  // and returns it with the log's text; the client is stopped afterwards and
  // the relay seen without connections.
  async function joinedRun(flags, runEnv = env) {
    const logFile = path.join(args.out, `settings-client-${++runs}.log`);
    fs.rmSync(logFile, { force: true });
    const client = start(args.client, [...flags, '--trace'], logFile, runEnv);
    onCleanup(() => client.stop());
    const status = await waitFor(`run ${runs}: the client joined`, () => {
      if (client.exit) throw new Error(`client exited: ${JSON.stringify(client.exit)}`);
      return traces(logFile).find((r) => r.kind === 'status' && r.joined);
    }, 30000);
    // Saved when the connection started: by now the line is there if ever.
    const text = fs.readFileSync(logFile, 'utf8');
    await client.stop();
    await waitFor('the relay dropped the connection', async () => (await metric(port, 'hubchat_connections')) === 0);
    return { status, text };
  }
  const expectJoined = (status, want, what) => {
    for (const k of ['server', 'nick', 'room']) {
      if (status[k] !== want[k]) throw new Error(`${what}: ${k} ${JSON.stringify(status[k])}, ` +
                                                 `expected ${JSON.stringify(want[k])} (${JSON.stringify(status)})`);
    }
    if (status.dialect !== 'hubchat.v1') throw new Error(`${what}: dialect ${status.dialect}`);
  };

  // 1. Flags: joined, saved.
  const first = { server, nick: '설정-mina', room: 'settings-room' };
  const one = await joinedRun(['--server', first.server, '--nick', first.nick, '--room', first.room]);
  expectJoined(one.status, first, 'run with flags');
  if (!one.text.includes(`settings saved to ${file}`)) throw new Error(`not saved to ${file}:\n${one.text}`);
  const saved = fs.readFileSync(file, 'utf8');
  for (const line of [`server = ${first.server}`, `nick = ${first.nick}`, `room = ${first.room}`]) {
    if (!saved.split('\n').includes(line)) throw new Error(`settings file lacks "${line}":\n${saved}`);
  }
  if (fs.existsSync(path.join(env.HOME, '.config'))) throw new Error('wrote under $HOME despite XDG_CONFIG_HOME');
  log(`run 1 joined ${first.room} as ${first.nick}; file:\n${saved.trim()}`);

  // 2. No flags: the same server, nick and room, connected at start.
  const two = await joinedRun([]);
  expectJoined(two.status, first, 'run without flags');
  if (/warning/.test(two.text)) throw new Error(`warnings on a clean file:\n${two.text}`);
  if (two.text.includes('settings saved')) throw new Error('rewrote unchanged settings');
  log('run 2 (no flags) joined the same server, nick and room');

  // 3. A flag over the file, and remembered in turn.
  const three = await joinedRun(['--room', 'flag-room']);
  expectJoined(three.status, { ...first, room: 'flag-room' }, 'run with --room only');
  const afterFlag = fs.readFileSync(file, 'utf8').split('\n');
  if (!afterFlag.includes('room = flag-room') || !afterFlag.includes(`nick = ${first.nick}`)) {
    throw new Error(`--room not remembered: ${afterFlag.join('\n')}`);
  }
  log('run 3 (--room only) kept server and nick, remembered the new room');

  // 4. Garbage in the file: warnings, no crash, rewritten.
  const garbage = Buffer.alloc(3000);
  for (let i = 0; i < garbage.length; ++i) garbage[i] = (i * 131 + 7) % 256;
  fs.writeFileSync(file, garbage);
  const second = { server, nick: 'after-garbage', room: 'clean-room' };
  const four = await joinedRun(['--server', second.server, '--nick', second.nick, '--room', second.room]);
  expectJoined(four.status, second, 'run over a corrupt file');
  if (!/hubchat_client: warning: settings .*desktop\.conf: line \d+: .*ignored/.test(four.text)) {
    throw new Error(`no warning about the corrupt file:\n${four.text}`);
  }
  const rewritten = fs.readFileSync(file, 'utf8');
  if (!rewritten.split('\n').includes(`nick = ${second.nick}`) || /[^\n -~]/.test(rewritten.replace(/^#.*$/m, ''))) {
    throw new Error(`not rewritten clean:\n${rewritten}`);
  }
  log('run 4 (corrupt file) warned, connected, rewrote the file');

  // 5. No XDG_CONFIG_HOME: under $HOME/.config.
  const homeFile = path.join(env.HOME, '.config', 'hubchat', 'desktop.conf');
  const five = await joinedRun(['--server', server, '--nick', 'home-nick', '--room', 'home-room'],
                               { ...env, XDG_CONFIG_HOME: '' });
  if (!five.text.includes(`settings saved to ${homeFile}`)) throw new Error(`not saved to ${homeFile}:\n${five.text}`);
  if (!fs.readFileSync(homeFile, 'utf8').split('\n').includes('nick = home-nick')) {
    throw new Error(`${homeFile} lacks the nick`);
  }
  log(`run 5 (no XDG_CONFIG_HOME) saved to ${homeFile}`);
});
