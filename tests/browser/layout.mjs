// Browser test 4 (layout): the page shows a loading state until the client
// runs, the canvas fills the window at the device pixel ratio (sharp on
// high-DPI screens) and follows window resizes. Screenshots go to --out.
import { chromium } from 'playwright-core';
import * as t from './lib.mjs';

const args = t.parseArgs();

await t.main('browser layout', async (onCleanup) => {
  const { port, relay, browser } = await t.relayAndBrowser(args, onCleanup, 'layout');

  const context = await browser.browser.newContext({ viewport: { width: 800, height: 520 },
                                                     deviceScaleFactor: 2 });
  const page = await context.newPage();
  const p = { page, name: 'hidpi', problems: [], console: [] };
  page.on('console', (m) => {
    p.console.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') p.problems.push(`console.error: ${m.text()}`);
  });
  page.on('pageerror', (err) => p.problems.push(`pageerror: ${err.message}`));
  await page.goto(`${relay.url}/?nick=hidpi&room=layout`);
  const loading = await page.evaluate(
      () => !document.getElementById('loading').classList.contains('hidden'));
  const ready = await page.evaluate(() => window.hubchat.ready());
  if (!loading && !ready) throw new Error('no loading state before the client runs');
  await t.clientReady(p);
  await t.waitFor('loading state hidden', () => page.evaluate(
      () => document.getElementById('loading').classList.contains('hidden')));
  await t.waitFor('hidpi joined', async () => (await t.state(p)).joined, 20000);

  const canvasSize = () => page.evaluate(() => {
    const c = document.getElementById('canvas');
    return { w: c.width, h: c.height, cssW: c.clientWidth, cssH: c.clientHeight,
             dpr: window.devicePixelRatio, winW: window.innerWidth, winH: window.innerHeight };
  });
  const fits = (s) => s.cssW === s.winW && s.cssH === s.winH &&
                      s.w === Math.round(s.cssW * s.dpr) && s.h === Math.round(s.cssH * s.dpr);
  let s = await t.waitFor('canvas at 2x the window size', async () => {
    const v = await canvasSize();
    return fits(v) && v.dpr === 2 && v;
  }, 10000, async () => JSON.stringify(await canvasSize()));
  t.log(`canvas ${s.w}x${s.h} for a ${s.cssW}x${s.cssH} window at devicePixelRatio ${s.dpr}`);
  await page.screenshot({ path: `${args.out}/layout-hidpi.png` });

  await page.setViewportSize({ width: 620, height: 440 });
  s = await t.waitFor('canvas follows the resize', async () => {
    const v = await canvasSize();
    return fits(v) && v.cssW === 620 && v;
  }, 10000, async () => JSON.stringify(await canvasSize()));
  t.log(`after resize: canvas ${s.w}x${s.h} for ${s.cssW}x${s.cssH}`);
  // The client renders at the new size (frames keep coming, still joined).
  const frames = (await t.state(p)).frames;
  await t.waitFor('frames after the resize', async () => (await t.state(p)).frames > frames + 3);
  await page.screenshot({ path: `${args.out}/layout-resized.png` });
  t.log(`screenshots: ${args.out}/layout-hidpi.png, ${args.out}/layout-resized.png`);
  t.assertNoProblems(p);
});
