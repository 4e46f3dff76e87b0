// Browser test (csp): a user's own page in --web-root with an inline script
// (like gorilla's home.html) runs under `--csp off` and under a custom
// `--csp "script-src 'unsafe-inline'"`, and is blocked without the flag (the
// strict policy by default), as headless Chromium sees it. In every mode the
// bundled web client's files (each file the wasm build staged, and "/") keep
// the strict policy, and with `--csp off` the client itself still starts under it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as t from './lib.mjs';

const args = t.parseArgs();

// The relay's kStrictCsp (relay/ops/options.hpp), byte for byte.
const STRICT = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
               "font-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// A user's page whose only script is inline: it marks the page when it runs.
const USER_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>not run</title></head>
<body><p id="marker">not run</p>
<script>
  document.title = 'inline ran';
  document.getElementById('marker').textContent = 'ran';
</script>
</body></html>
`;

const MODES = [
  { name: 'off', flags: ['--csp', 'off'], header: undefined, runs: true },
  { name: 'custom', flags: ['--csp', "script-src 'unsafe-inline'"],
    header: "script-src 'unsafe-inline'", runs: true },
  { name: 'default', flags: [], header: STRICT, runs: false },
];

// Opens the user page; records CSP violations from an init script (injected by
// the browser, so the page's own policy cannot block it).
async function openUserPage(browser, url) {
  const page = await browser.newPage();
  const consoleLines = [];
  page.on('console', (msg) => consoleLines.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => consoleLines.push(`pageerror: ${err.message}`));
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation',
                              (e) => window.__violations.push(e.effectiveDirective));
  });
  const response = await page.goto(url);
  return { page, response, consoleLines };
}

const pageState = (p) => p.page.evaluate(() => ({
  title: document.title,
  marker: document.getElementById('marker')?.textContent,
  violations: window.__violations,
}));

await t.main('browser csp', async (onCleanup) => {
  const webDir = args['web-dir'];
  const bundled = fs.readdirSync(webDir).filter((f) => fs.statSync(path.join(webDir, f)).isFile());
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hubchat-csp-'));
  onCleanup(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const f of bundled) fs.copyFileSync(path.join(webDir, f), path.join(root, f));
  fs.writeFileSync(path.join(root, 'home.html'), USER_PAGE);
  t.log(`web root ${root}: bundled ${bundled.join(', ')} + home.html`);

  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());

  for (const mode of MODES) {
    const port = await t.freePort();
    const relay = await t.startRelay(args.relay, port, root, `${args.out}/csp-${mode.name}-relay.log`,
                                     mode.flags);
    try {
      const user = await openUserPage(browser, `${relay.url}/home.html`);
      const detail = async () => `${JSON.stringify(await pageState(user))}; console: ${
        JSON.stringify(user.consoleLines.slice(-4))}`;
      const header = user.response.headers()['content-security-policy'];
      if (header !== mode.header) {
        throw new Error(`${mode.name}: home.html has CSP ${JSON.stringify(header)}, expected ${
          JSON.stringify(mode.header)}`);
      }
      if (mode.runs) {
        await t.waitFor(`${mode.name}: the inline script ran`, async () => {
          const s = await pageState(user);
          return s.title === 'inline ran' && s.marker === 'ran';
        }, 15000, detail);
        const s = await pageState(user);
        if (s.violations.length) throw new Error(`${mode.name}: CSP violations ${s.violations}`);
      } else {
        // Blocked: Chromium reports the violation (a positive signal to wait
        // for); by then the inline script would have run if it were allowed.
        await t.waitFor(`${mode.name}: the inline script is reported blocked`, async () =>
          (await pageState(user)).violations.some((d) => d.startsWith('script-src')), 15000, detail);
        const s = await pageState(user);
        if (s.title !== 'not run' || s.marker !== 'not run') {
          throw new Error(`${mode.name}: the inline script ran under the strict policy: ${
            JSON.stringify(s)}`);
        }
      }
      await user.page.context().close();
      t.log(`${mode.name}: home.html CSP ${JSON.stringify(header)}, inline script ${
        mode.runs ? 'ran' : 'blocked'}`);

      // Every staged file of the bundled client keeps the strict policy: a
      // file added to the build but not to the relay's list fails here.
      for (const f of ['', ...bundled]) {
        const r = await fetch(`${relay.url}/${f}`);
        await r.arrayBuffer();
        const csp = r.headers.get('content-security-policy');
        if (r.status !== 200 || csp !== STRICT) {
          throw new Error(`${mode.name}: /${f} answered ${r.status} with CSP ${JSON.stringify(csp)}`);
        }
        for (const [name, value] of [['x-content-type-options', 'nosniff'],
                                     ['x-frame-options', 'deny'], ['referrer-policy', 'no-referrer']]) {
          if (r.headers.get(name) !== value) throw new Error(`${mode.name}: /${f} lacks ${name}`);
        }
      }

      if (mode.name === 'off') {
        // The client page itself, under its strict policy, still starts.
        const client = await t.openPage(browser, `${relay.url}/?nick=csp&room=csp`, 'client');
        await t.clientReady(client);
        t.assertNoProblems(client);
        await client.page.context().close();
        t.log('off: the bundled client started under the strict policy');
      }
    } finally {
      await relay.stop();
    }
  }
});
