// Desktop --ca test: hubchat_client under Xvfb against the relay over wss://
// with a certificate from a private CA made here (openssl: a CA key + cert, a
// server key + cert it signed with subjectAltName IP:127.0.0.1 and
// DNS:localhost), which no trust store holds (SSL_CERT_FILE points nowhere
// for every client run). State is read through --trace.
//  1. --ca with a missing file, and with a PEM file holding no certificate
//     (the server's key), exits 2 at once naming the file and the problem.
//  2. With --ca CA.pem, wss://127.0.0.1:PORT/ws connects (hubchat.v1) and a
//     message goes through: the client exits 0 only once the relay echoed it,
//     and the relay counted it.
//  3. Without --ca (and a fresh settings dir) the same connection is refused:
//     the client reports a failed attempt whose status says the certificate
//     is not trusted (and points at --ca), and is never connected; the relay
//     accepted no WebSocket connection and counted no further message.
//  4. The CA file is remembered with the server: started again with no flags
//     in the settings dir of 2, the client connects and joins.
//   node desktop_ca.mjs --client BIN --relay BIN --out DIR
import fs from 'node:fs';
import path from 'node:path';
import {
  clientEnv, log, main, metric, parseArgs, run, start, startRelay, startXvfb, tempDir, traces,
  waitFor,
} from './lib.mjs';

const args = parseArgs(['client', 'relay', 'out']);
fs.mkdirSync(args.out, { recursive: true });

async function openssl(argv) {
  const r = await run('openssl', argv);
  if (r.code !== 0) throw new Error(`openssl ${argv[0]} failed: ${r.stderr}`);
}

// The CA and a server certificate it signed, in `dir`.
async function makeCa(dir) {
  const f = (name) => path.join(dir, name);
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=hubchat desktop test CA',
                 '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
                 '-days', '1', '-keyout', f('ca-key.pem'), '-out', f('ca.pem')]);
  await openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
                 '-keyout', f('server-key.pem'), '-out', f('server.csr')]);
  fs.writeFileSync(f('server-ext.cnf'), 'basicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n' +
                                        'subjectAltName = IP:127.0.0.1, DNS:localhost\n');
  await openssl(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca-key.pem'),
                 '-CAcreateserial', '-days', '1', '-extfile', f('server-ext.cnf'), '-out', f('server.pem')]);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server-key.pem') };
}

await main('desktop ca', async (onCleanup) => {
  const dir = tempDir(onCleanup);
  const pki = await makeCa(dir);
  const { relay, port } = await startRelay(args.relay, path.join(args.out, 'ca-relay.log'),
                                           { extra: ['--tls-cert', pki.cert, '--tls-key', pki.key], caFile: pki.ca });
  onCleanup(() => relay.stop());
  const relayMetric = (name) => metric(port, name, { caFile: pki.ca });
  const { xvfb, display } = await startXvfb(args.out);
  onCleanup(() => xvfb.stop());
  const server = `wss://127.0.0.1:${port}/ws`;
  const untrusted = { SSL_CERT_FILE: path.join(dir, 'no-such-bundle.pem') };
  log(`relay on ${server} (private CA), Xvfb on ${display}`);

  let runs = 0;
  const launch = (flags, settingsDir) => {
    const logFile = path.join(args.out, `ca-client-${++runs}.log`);
    fs.rmSync(logFile, { force: true });
    const client = start(args.client, [...flags, '--trace'], logFile, clientEnv(display, settingsDir, untrusted));
    onCleanup(() => client.stop());
    return { client, logFile };
  };

  // 1. Unusable --ca: a startup error, before any window.
  const missing = path.join(dir, 'missing.pem');
  for (const [file, problem] of [[missing, 'no such file'], [pki.key, 'holds no PEM certificate']]) {
    const r = launch(['--server', server, '--nick', 'x', '--room', 'y', '--ca', file], tempDir(onCleanup));
    const exit = await waitFor('the client refused the --ca file', () => r.client.exit, 10000);
    const text = fs.readFileSync(r.logFile, 'utf8');
    if (exit.code !== 2 || !text.includes(`--ca ${file}: ${problem}`)) {
      throw new Error(`--ca ${file}: exit ${JSON.stringify(exit)}, output:\n${text}`);
    }
  }
  log('unusable --ca files are startup errors naming the file');

  // 2. --ca: connected and a message echoed over wss://.
  const trustedHome = tempDir(onCleanup);
  const body = '사설 CA로 보안 연결';
  const ok = launch(['--server', server, '--nick', 'ca-desk', '--room', 'secure', '--ca', pki.ca,
                     '--say', body, '--exit-after-say', '--timeout', '40'], trustedHome);
  const okExit = await waitFor('the --ca client exit', () => ok.client.exit, 45000);
  const okTrace = traces(ok.logFile);
  if (okExit.code !== 0) throw new Error(`--ca client exited ${JSON.stringify(okExit)}:\n${fs.readFileSync(ok.logFile, 'utf8')}`);
  if (!okTrace.some((r) => r.kind === 'status' && r.joined && r.server === server && r.dialect === 'hubchat.v1')) {
    throw new Error(`never joined ${server}: ${JSON.stringify(okTrace)}`);
  }
  if (!okTrace.some((r) => r.kind === 'line' && r.room === 'secure' && r.from === 'ca-desk' && r.body === body)) {
    throw new Error(`the echo is not in the client's log: ${JSON.stringify(okTrace)}`);
  }
  await waitFor('the relay counted the message', async () => (await relayMetric('hubchat_messages_in_total')) === 1);
  await waitFor('the relay dropped the connection', async () => (await relayMetric('hubchat_connections')) === 0);
  log('with --ca: connected over wss://, message echoed and counted');

  // 3. No --ca: refused.
  const acceptedBefore = await relayMetric('hubchat_connections_total');
  const refused = launch(['--server', server, '--nick', 'no-ca', '--room', 'secure'], tempDir(onCleanup));
  const failed = await waitFor('the client without --ca reported a failed attempt', () => {
    if (refused.client.exit) throw new Error(`client exited: ${JSON.stringify(refused.client.exit)}`);
    return traces(refused.logFile).find((r) => r.kind === 'status' && r.state === 'reconnecting');
  }, 30000);
  if (!/certificate is not trusted \(unable to get local issuer certificate\).*--ca/.test(failed.status)) {
    throw new Error(`the status does not say the certificate is untrusted: ${failed.status}`);
  }
  const refusedTrace = traces(refused.logFile);
  if (refusedTrace.some((r) => r.kind === 'status' && r.state === 'connected')) {
    throw new Error(`connected without the CA: ${JSON.stringify(refusedTrace)}`);
  }
  const acceptedAfter = await relayMetric('hubchat_connections_total');
  if (acceptedAfter !== acceptedBefore || (await relayMetric('hubchat_messages_in_total')) !== 1) {
    throw new Error(`the relay accepted the untrusting client (${acceptedBefore} -> ${acceptedAfter})`);
  }
  await refused.client.stop();
  log(`without --ca: refused (${failed.status})`);

  // 4. Remembered: no flags, the settings dir of 2.
  const again = launch([], trustedHome);
  const joined = await waitFor('the client connected with the remembered server and CA', () => {
    if (again.client.exit) throw new Error(`client exited: ${JSON.stringify(again.client.exit)}`);
    return traces(again.logFile).find((r) => r.kind === 'status' && r.joined);
  }, 30000);
  if (joined.server !== server || joined.nick !== 'ca-desk' || joined.room !== 'secure') {
    throw new Error(`remembered run joined ${JSON.stringify(joined)}`);
  }
  await again.client.stop();
  log('the remembered CA file is used with the remembered server');
});
