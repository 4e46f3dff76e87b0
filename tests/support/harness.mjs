// The JavaScript test harness shared by the browser (tests/browser/lib.mjs)
// and desktop (tests/desktop/lib.mjs) drivers: log lines with a clock,
// deadline-bound polling, free loopback ports, the local clock as the client
// shows it, and main(), which runs a test body under a whole-test deadline,
// runs its cleanups in reverse and exits 0 (PASS) or 1 (FAIL). Every wait has
// a deadline; nothing sleeps and hopes.
import net from 'node:net';

export function log(...args) {
  console.log(`[${new Date().toISOString().slice(11, 23)}]`, ...args);
}

export async function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Thrown from a waitFor condition: stop waiting, the condition can never hold.
export class Fatal extends Error {}

// Polls `fn` (sync or async) until it returns a truthy value; throws with
// `what` (and the last value/error seen, plus `detail()` if given) after `timeoutMs`.
export async function waitFor(what, fn, timeoutMs = 15000, detail = null, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      if (err instanceof Fatal) throw err;
      last = err;
    }
    if (Date.now() > deadline) {
      let msg = last instanceof Error ? last.message : JSON.stringify(last);
      if (detail) msg += `; ${await Promise.resolve().then(detail).catch((e) => e.message)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${msg})`);
    }
    await sleep(intervalMs);
  }
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// "HH:MM" of the local clock now and a minute ago, as the client's log shows
// the time of a line: a line received during the last minute has one of them.
export function recentClockTexts() {
  const hhmm = (d) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return [hhmm(new Date()), hhmm(new Date(Date.now() - 60000))];
}

// Runs `body(onCleanup)` under a whole-test deadline, runs the functions given
// to onCleanup in reverse, prints PASS/FAIL as `name` and exits 0/1.
export async function main(name, body, deadlineMs = 170000) {
  const cleanups = [];
  const onCleanup = (fn) => cleanups.push(fn);
  let failed = null;
  const watchdog = setTimeout(() => {
    console.error(`${name}: FAIL: whole-test deadline exceeded`);
    process.exit(1);
  }, deadlineMs);
  try {
    await body(onCleanup);
  } catch (err) {
    failed = err;
  }
  for (const fn of cleanups.reverse()) {
    try { await fn(); } catch (err) { log(`cleanup: ${err.message}`); }
  }
  clearTimeout(watchdog);
  if (failed) {
    console.error(`${name}: FAIL: ${failed.stack || failed}`);
    process.exit(1);
  }
  console.log(`${name}: PASS`);
  process.exit(0);
}
