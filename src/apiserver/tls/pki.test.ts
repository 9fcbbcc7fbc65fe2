import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki } from './pki.ts';
import { time } from './der.ts';

const dir = mkdtempSync(join(tmpdir(), 'nodelet-pki-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const NOW = Date.UTC(2026, 0, 1);

test('a CA and a serving certificate for the loopback names, verified by a TLS client', async () => {
  const pki = ensurePki(dir, ['127.0.0.1', '::1', 'localhost'], NOW);
  const ca = new X509Certificate(pki.caPem);
  const cert = new X509Certificate(pki.certPem);
  assert.equal(ca.ca, true);
  assert.equal(cert.ca, false);
  assert.ok(cert.verify(ca.publicKey));
  assert.equal(cert.checkIssued(ca), true);
  assert.equal(cert.subjectAltName, 'IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost');
  assert.ok(cert.checkIP('::1'));
  assert.equal(statSync(join(dir, 'pki', 'ca.key')).mode & 0o777, 0o600);
  assert.match(pki.token, /^[A-Za-z0-9_-]{43}$/);

  const server = createServer({ cert: pki.certPem, key: pki.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  try {
    for (const host of ['127.0.0.1', 'localhost']) {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          { host, port, ca: pki.caPem, servername: host === 'localhost' ? host : '' },
          (res) => {
            let t = '';
            res.on('data', (d: Buffer) => (t += d.toString()));
            res.on('end', () => resolve(t));
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.equal(body, 'ok');
    }
  } finally {
    server.close();
  }
});

test('a second start reuses the credentials; new hosts re-issue only the serving certificate', () => {
  const first = ensurePki(dir, ['127.0.0.1'], NOW);
  const again = ensurePki(dir, ['127.0.0.1'], NOW + 1000);
  assert.equal(again.certPem, first.certPem);
  assert.equal(again.token, first.token);
  const wider = ensurePki(dir, ['127.0.0.1', 'node.example'], NOW + 2000);
  assert.equal(wider.caPem, first.caPem);
  assert.notEqual(wider.certPem, first.certPem);
  assert.ok(new X509Certificate(wider.certPem).checkHost('node.example'));
  assert.equal(readFileSync(join(dir, 'pki', 'token'), 'utf8').trim(), first.token);
});

test('times before 2050 are UTCTime, later ones GeneralizedTime', () => {
  assert.equal(
    time(Date.UTC(2026, 0, 2, 3, 4, 5))
      .toString('latin1')
      .slice(2),
    '260102030405Z',
  );
  assert.equal(
    time(Date.UTC(2051, 0, 2, 3, 4, 5))
      .toString('latin1')
      .slice(2),
    '20510102030405Z',
  );
});
