// Browser test (page_load, issue 11: a web client that appears at once), in
// headless Chromium against the real relay serving the staged client:
//  1. A first visit (fresh context, empty cache) receives at most half of
//     what the page cost before issue 11, with client.js, client.wasm and
//     the font sent gzip-encoded; a reload receives at most 50 KB, every
//     file answered 304 (on the wire) or taken from the cache. Bytes are CDP
//     Network.loadingFinished encodedDataLength (headers + body as sent),
//     summed over every request of the page but the WebSocket.
//  2. With the font held back (page.route keeps its request until the checks
//     are done), the client draws frames, shows "loading font..." with Latin
//     text, and connects and joins; the font response has not completed.
//     Released, the font is swapped in: Hangul glyphs, no notice, frames go
//     on. At every animation frame from the start, the page showed either its
//     loading overlay or a drawn canvas (never a blank page).
//  3. A font that cannot be fetched leaves a working Latin-only client that
//     says so.
import * as t from './lib.mjs';

const args = t.parseArgs();

// The page before issue 11, measured the same way (first visit, loopback):
// 5,294,448 bytes for /, style.css, hubchat.js, NanumGothic.ttf, client.js
// and client.wasm, all plain, on every visit (docs/benchmark.md, "Page load").
const BEFORE_BYTES = 5294448;
const RELOAD_LIMIT = 50 * 1024;
const COMPRESSED = ['/client.js', '/client.wasm', '/NanumGothic.ttf'];

// Runs in the page before its own scripts: counts animation frames in which
// neither the loading overlay nor a drawn canvas was there to see.
function watchForBlankFrames() {
  window.__blank = { frames: 0, sampled: 0 };
  const sample = () => {
    const loading = document.getElementById('loading');
    if (loading) {
      let drawn = 0;
      try {
        drawn = window.hubchat && window.hubchat.ready() ? window.hubchat.state().frames : 0;
      } catch (err) {
        drawn = 0;
      }
      const overlay = getComputedStyle(loading).display !== 'none';
      ++window.__blank.sampled;
      if (!overlay && drawn === 0) ++window.__blank.frames;
    }
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}

async function fontReady(p) {
  return t.waitFor(`${p.name} Hangul font in use`, async () => {
    const s = await t.state(p);
    return s.font_loaded && s.font.state === 'ready' && s.font.hangul && !s.font.notice && s;
  }, 30000, () => t.describe(p));
}

async function bytesPerVisit(browser, url) {
  const context = await browser.browser.newContext({ viewport: { width: 1100, height: 700 } });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const recorder = t.recordRequests(cdp);
    await cdp.send('Network.enable');
    const p = { page, name: 'visitor', problems: [], console: [] };
    page.on('console', (m) => {
      p.console.push(`${m.type()}: ${m.text()}`);
      if (m.type() === 'error') p.problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (err) => p.problems.push(`pageerror: ${err.message}`));

    // Loaded means the Hangul font is in (font.ok: a field the client had
    // before issue 11 too, so this part measures the old page as well).
    const loaded = () => t.waitFor('client started with the Hangul font', async () =>
      (await t.clientReady(p)) && (await t.state(p)).font.ok, 30000, () => t.describe(p));
    await page.goto(url);
    await loaded();
    await t.waitFor('first visit: every request finished', () => recorder.finished(), 15000,
                    () => recorder.describe());
    const first = recorder.bytes();
    t.log(`first visit: ${first} bytes (${recorder.describe()})`);
    if (first > BEFORE_BYTES / 2) {
      throw new Error(`first visit received ${first} bytes, more than half of ${BEFORE_BYTES}: ${
        recorder.describe()}`);
    }
    for (const path of COMPRESSED) {
      const r = recorder.requests().find((x) => new URL(x.url).pathname === path);
      if (!r || r.wireHeaders?.['content-encoding'] !== 'gzip') {
        throw new Error(`first visit: ${path} was not sent gzip-encoded: ${JSON.stringify(r)}`);
      }
    }

    recorder.clear();
    await page.reload();
    await loaded();
    await t.waitFor('reload: every request finished', () => recorder.finished(), 15000,
                    () => recorder.describe());
    const again = recorder.bytes();
    t.log(`reload: ${again} bytes (${recorder.describe()})`);
    if (again > RELOAD_LIMIT) {
      throw new Error(`reload received ${again} bytes (limit ${RELOAD_LIMIT}): ${recorder.describe()}`);
    }
    const paths = recorder.requests().map((r) => new URL(r.url).pathname);
    for (const path of ['/', '/style.css', '/hubchat.js', ...COMPRESSED]) {
      if (!paths.includes(path)) throw new Error(`reload did not load ${path}: ${recorder.describe()}`);
    }
    const fresh = recorder.requests().filter((r) => !(r.wireStatus === 304 || (r.cached && !r.wireStatus)));
    if (fresh.length > 0) {
      throw new Error(`reload: not answered 304 or from the cache: ${JSON.stringify(fresh)}`);
    }
    t.assertNoProblems(p);
  } finally {
    await context.close();
  }
}

async function slowFont(browser, url, relay) {
  // A Korean line in the room's history: "?" boxes before the font, Hangul after.
  const korean = await t.losslessClient(`${relay.url.replace('http', 'ws')}/ws`, 'font', 'mina');
  await korean.say('안녕하세요, 한글 글꼴');
  korean.close();
  const context = await browser.browser.newContext({ viewport: { width: 1100, height: 700 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(watchForBlankFrames);
    let held = null;
    let fontDone = false;
    await page.route('**/NanumGothic.ttf', (route) => {
      held = route;
    });
    page.on('requestfinished', (r) => {
      if (r.url().endsWith('/NanumGothic.ttf')) fontDone = true;
    });
    const p = { page, name: 'slow-font', problems: [], console: [] };
    page.on('console', (m) => {
      p.console.push(`${m.type()}: ${m.text()}`);
      if (m.type() === 'error') p.problems.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (err) => p.problems.push(`pageerror: ${err.message}`));
    await page.goto(`${url}?nick=latin&room=font`);

    await t.waitFor('the page asked for the font', () => held !== null, 15000);
    await t.clientReady(p);
    // Drawing, connected and joined, the notice up, while the font is held.
    const before = await t.waitFor('frames and the loading-font state before the font', async () => {
      const s = await t.state(p);
      return s.frames >= 3 && s.joined && s.font.state === 'loading' && s.font.notice &&
             !s.font_loaded && !s.font.hangul && s;
    }, 30000, () => t.describe(p));
    if (fontDone) throw new Error('the font response completed before the checks');
    await t.screenshot(p, args.out, 'page-load-font-loading.png');
    t.log(`before the font: ${before.frames} frames, joined ${before.joined_room}, font ${
      JSON.stringify(before.font)}`);

    await held.continue();
    const after = await fontReady(p);
    await t.waitFor('the font response completed', () => fontDone, 15000);
    await t.waitFor('frames go on after the font', async () =>
      (await t.state(p)).frames > after.frames + 2, 15000);
    if (after.font.glyphs < 11172 || !after.joined) {
      throw new Error(`after the font: ${JSON.stringify(after)}`);
    }
    if (!(await t.messages(p)).some((m) => m.body === '안녕하세요, 한글 글꼴')) {
      throw new Error(`the Korean line is not shown: ${await t.describe(p)}`);
    }
    await t.screenshot(p, args.out, 'page-load-font-ready.png');
    const blank = await page.evaluate(() => window.__blank);
    t.log(`after the font: ${JSON.stringify(after.font)}; blank frames ${blank.frames} of ${
      blank.sampled}`);
    if (blank.sampled === 0 || blank.frames !== 0) {
      throw new Error(`the page was blank in ${blank.frames} of ${blank.sampled} animation frames`);
    }
    t.assertNoProblems(p);
  } finally {
    await context.close();
  }
}

async function missingFont(browser, url) {
  const context = await browser.browser.newContext({ viewport: { width: 1100, height: 700 } });
  try {
    const page = await context.newPage();
    await page.route('**/NanumGothic.ttf', (route) => route.fulfill({ status: 404, body: 'gone' }));
    const p = { page, name: 'no-font', problems: [], console: [] };
    page.on('console', (m) => {
      p.console.push(`${m.type()}: ${m.text()}`);
      // The browser reports the 404 itself; anything else is a problem.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) {
        p.problems.push(`console.error: ${m.text()}`);
      }
    });
    page.on('pageerror', (err) => p.problems.push(`pageerror: ${err.message}`));
    await page.goto(`${url}?nick=nofont&room=font`);
    await t.clientReady(p);
    const s = await t.waitFor('the client says the font is unavailable', async () => {
      const x = await t.state(p);
      return x.font.state === 'failed' && x.font.notice && !x.font_loaded && x.joined && x;
    }, 30000, () => t.describe(p));
    t.log(`without the font: ${JSON.stringify(s.font)}, joined ${s.joined_room}`);
    t.assertNoProblems(p);
  } finally {
    await context.close();
  }
}

await t.main('browser page_load', async (onCleanup) => {
  const port = await t.freePort();
  const relay = await t.startRelay(args.relay, port, args['web-dir'], `${args.out}/page-load-relay.log`);
  onCleanup(() => relay.stop());
  const browser = await t.launchBrowser();
  onCleanup(() => browser.close());
  const url = `${relay.url}/`;
  // --part bytes|slow|missing runs one part alone (e.g. against an older build).
  const parts = args.part ? [args.part] : ['bytes', 'slow', 'missing'];
  if (parts.includes('bytes')) await bytesPerVisit(browser, url);
  if (parts.includes('slow')) await slowFont(browser, url, relay);
  if (parts.includes('missing')) await missingFont(browser, url);
});
