// Helpers of the phone tests (phone_*.mjs): pages in Chromium's mobile
// emulation (390x844 CSS px, touch, device scale 2), the client's drawn
// rectangles and values read through window.hubchat.state().ui, single taps
// on them, touch drags through CDP, and a page-side record of when the hidden
// text field got focus: inside which tap event, if any.
import * as t from './lib.mjs';

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true,
                       hasTouch: true };

// The events a tap is made of. A page-side listener notes the one being
// dispatched: set first (window, capture) and cleared last (window, bubble),
// so a focus given by any handler of that event sees it, and one given later
// (after a frame, from a timer) does not.
const TAP_EVENTS = ['pointerdown', 'pointerup', 'touchstart', 'touchend', 'mousedown', 'mouseup',
                    'click'];
function recordFocus(tapEvents) {
  window.__hubchatTap = null;
  window.__hubchatFocus = [];
  for (const type of tapEvents) {
    window.addEventListener(type, (e) => {
      if (e.isTrusted) window.__hubchatTap = type;
    }, true);
    window.addEventListener(type, () => {
      if (window.__hubchatTap === type) window.__hubchatTap = null;
    }, false);
  }
  document.addEventListener('focusin', (e) => {
    if (e.target && e.target.id === 'text-input') {
      window.__hubchatFocus.push({ during: window.__hubchatTap, at: performance.now() });
    }
  }, true);
}

// A fresh mobile-emulated page (its own context: no cache, no storage) at `url`.
export async function phonePage(browser, url, name, options = {}) {
  const context = await browser.browser.newContext({ ...PHONE, ...options });
  await context.addInitScript(recordFocus, TAP_EVENTS);
  const page = await context.newPage();
  const p = { page, context, name, problems: [], console: [] };
  page.on('console', (m) => {
    p.console.push(`${m.type()}: ${m.text()}`);
    if (m.type() === 'error') p.problems.push(`console.error: ${m.text()}`);
    if (process.env.HUBCHAT_TEST_VERBOSE) t.log(`${name} console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => p.problems.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return p;
}

export async function ui(p) {
  return (await t.state(p)).ui;
}

// The rectangle [x, y, w, h] (CSS px) the client drew for `name` last frame.
export async function rect(p, name, timeoutMs = 10000) {
  return t.waitFor(`${p.name} draws ${name}`, async () => (await ui(p)).rects[name], timeoutMs,
                   async () => JSON.stringify((await ui(p)).rects));
}

// One touchscreen tap at the centre of the client's rectangle `name`.
export async function tap(p, name) {
  const [x, y, w, h] = await rect(p, name);
  await p.page.touchscreen.tap(x + w / 2, y + h / 2);
}

// Waits until the client has drawn `n` more frames (what a queued tap needs).
export async function frames(p, n) {
  const start = (await t.state(p)).frames;
  await t.waitFor(`${p.name} draws ${n} frames`, async () => (await t.state(p)).frames >= start + n);
}

// A one-finger drag from (x, y) by (dx, dy) CSS px in `steps` moves, each
// after the client drew a frame, through CDP touch events.
export async function drag(p, x, y, dx, dy, steps = 8) {
  p.cdp ??= await p.page.context().newCDPSession(p.page);
  const send = (type, points) => p.cdp.send('Input.dispatchTouchEvent', { type, touchPoints: points });
  await send('touchStart', [{ x, y }]);
  await frames(p, 2);
  for (let i = 1; i <= steps; ++i) {
    await send('touchMove', [{ x: x + (dx * i) / steps, y: y + (dy * i) / steps }]);
    await frames(p, 1);
  }
  await frames(p, 2);  // holding still before the lift: a slow drag, little momentum
  await send('touchEnd', []);
}

// Focus records of the hidden text field: [{during: tap event or null}].
export async function focusRecords(p) {
  return p.page.evaluate(() => window.__hubchatFocus);
}

export async function activeElementId(p) {
  return p.page.evaluate(() => (document.activeElement ? document.activeElement.id ||
                                document.activeElement.tagName : null));
}

export async function joined(p, timeoutMs = 20000) {
  await t.clientReady(p);
  return t.waitFor(`${p.name} joined`, async () => (await t.state(p)).joined, timeoutMs,
                   () => t.describe(p));
}
