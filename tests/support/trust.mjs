// Trust helpers of the browser and desktop drivers (docs/auth.md): a relay
// secret and an operator API key written into a test's directory, the relay
// flags that turn them on (with `team-*` private), tokens minted by the
// relay's own `relay token` command, and a post through POST /api/publish.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Writes a fresh HS256 secret and API key into `dir`; returns their paths and
// the relay flags that use them.
export function writeTrustFiles(dir) {
  const authKey = path.join(dir, 'auth.key');
  const apiKey = path.join(dir, 'api.key');
  fs.writeFileSync(authKey, crypto.randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  fs.writeFileSync(apiKey, crypto.randomBytes(24).toString('hex') + '\n', { mode: 0o600 });
  return {
    authKey,
    apiKey,
    relayFlags: ['--auth-key', authKey, '--private-room', 'team-*', '--api-key-file', apiKey],
  };
}

// A token for { sub, name, role?, rooms? } from `relay token` with `authKey`.
export function mintToken(relayBin, authKey, { sub, name, role, rooms, ttl = '1h' }) {
  const argv = ['token', '--auth-key', authKey, '--sub', sub, '--name', name, '--ttl', ttl];
  if (role) argv.push('--role', role);
  if (rooms) argv.push('--rooms', rooms);
  return new Promise((resolve, reject) => {
    execFile(relayBin, argv, (err, stdout, stderr) => {
      if (err) reject(new Error(`relay token failed: ${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

// POST /api/publish on the relay at `port`: `body` into `room` as `from`;
// resolves to the seq the relay gave it.
export async function apiPublish(port, apiKeyFile, room, from, body) {
  const key = fs.readFileSync(apiKeyFile, 'utf8').trim();
  const r = await fetch(`http://127.0.0.1:${port}/api/publish`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}` },
    body: JSON.stringify({ room, from, body }),
  });
  const answer = await r.json();
  if (!r.ok || typeof answer.seq !== 'number') {
    throw new Error(`/api/publish answered ${r.status}: ${JSON.stringify(answer)}`);
  }
  return answer.seq;
}
