// Page-load benchmark (not a test: nothing is asserted, it is not in ctest):
// how long the bundled web client takes to draw its first canvas frame and
// to have its Hangul font, and how many bytes it costs, for a first visit
// (fresh browser context, empty cache) and a repeat visit (reload in the same
// context), against the real relay on 127.0.0.1. Prints one line per visit
// and a JSON summary (medians over --runs). docs/benchmark.md ("Page load")
// has the figures and how to read them.
//
//   node tests/browser/bench_page_load.mjs --relay build/native/relay/relay \
//        --web-dir build/wasm/web --out /tmp/page-load [--runs 3] [--mbit 20]
//
// --mbit N throttles the page's network to N Mbit/s down (and up) with 20 ms
// latency through CDP Network.emulateNetworkConditions; without it the link
// is loopback. Bytes are the sum of CDP Network.loadingFinished
// encodedDataLength (headers + body as received) over every request of the
// page, WebSocket excluded (its frames never reach loadingFinished). The
// frame and font times are performance.now() (ms since the navigation
// started) as seen by a requestAnimationFrame poller injected before the
// page's own scripts, reading window.hubchat.state(): `frames > 0` and
// `font.ok`. Both fields exist in the old and the new client, so the same
// script measures either.
import * as t from './lib.mjs';

const args = t.parseArgs();
const runs = Number(args.runs ?? 3);
const mbit = args.mbit ? Number(args.mbit) : 0;

// Runs in the page before its scripts: records when the first frame and the
// Hangul font were first seen.
function installProbe() {
  window.__bench = { firstFrame: null, font: null };
  const poll = () => {
    try {
      const s = window.hubchat && window.hubchat.state();
      if (s && s.frames > 0 && window.__bench.firstFrame === null) {
        window.__bench.firstFrame = performance.now();
      }
      if (s && s.font && s.font.ok && window.__bench.font === null) {
        window.__bench.font = performance.now();
      }
    } catch (err) {
      // not started yet
    }
    if (window.__bench.firstFrame === null || window.__bench.font === null) {
      requestAnimationFrame(poll);
    }
  };
  requestAnimationFrame(poll);
}

async function visit(page, recorder, url, reload) {
  recorder.clear();
  if (reload) await page.reload({ waitUntil: 'load' });
  else await page.goto(url, { waitUntil: 'load' });
  const times = await t.waitFor('first frame and font', () => page.evaluate(() => {
    const b = window.__bench;
    return b && b.firstFrame !== null && b.font !== null ? { ...b } : null;
  }), 120000);
  // Every request of the page has finished once the font is in.
  await t.waitFor('all requests finished', () => recorder.finished(), 30000);
  return {
    first_frame_ms: Math.round(times.firstFrame),
    font_ms: Math.round(times.font),
    bytes: recorder.bytes(),
    requests: recorder.describe(),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

await t.main('page load bench', async (onCleanup) => {
  const { port, relay, browser } = await t.relayAndBrowser(args, onCleanup, 'bench');
  const url = `${relay.url}/`;
  const results = { first: [], repeat: [] };
  for (let i = 0; i < runs; ++i) {
    const context = await browser.browser.newContext({ viewport: { width: 1100, height: 700 } });
    const page = await context.newPage();
    await page.addInitScript(installProbe);
    const cdp = await context.newCDPSession(page);
    const recorder = t.recordRequests(cdp);
    await cdp.send('Network.enable');
    if (mbit > 0) {
      const bytesPerSecond = (mbit * 1e6) / 8;
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 20, downloadThroughput: bytesPerSecond,
        uploadThroughput: bytesPerSecond,
      });
    }
    for (const kind of ['first', 'repeat']) {
      const r = await visit(page, recorder, url, kind === 'repeat');
      results[kind].push(r);
      console.log(`run ${i + 1} ${kind}: first frame ${r.first_frame_ms} ms, font ${r.font_ms} ms, ${
        r.bytes} bytes [${r.requests}]`);
    }
    await context.close();
  }
  const summary = {};
  for (const kind of ['first', 'repeat']) {
    summary[kind] = {
      first_frame_ms: median(results[kind].map((r) => r.first_frame_ms)),
      font_ms: median(results[kind].map((r) => r.font_ms)),
      bytes: median(results[kind].map((r) => r.bytes)),
    };
  }
  console.log(`page load (${mbit > 0 ? `${mbit} Mbit/s, 20 ms` : 'loopback'}, median of ${runs}): ${
    JSON.stringify(summary)}`);
});
