// The data directory's credentials: CA, serving certificate and bearer token, created on first start
// and reused afterwards so a written kubeconfig keeps working across restarts. The serving
// certificate is re-issued when it no longer covers the hosts asked for or is about to expire.
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, createServingCertificate } from './certificates.ts';

export interface Pki {
  caPem: string;
  certPem: string;
  keyPem: string;
  token: string;
  dir: string;
}

const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

function covers(cert: X509Certificate, hosts: string[]): boolean {
  return hosts.every((h) => (isIP(h) ? cert.checkIP(h) !== undefined : cert.checkHost(h) !== undefined));
}

/** Loads or creates DIR/pki/{ca.crt,ca.key,apiserver.crt,apiserver.key,token}. */
export function ensurePki(dataDir: string, hosts: string[], now: number): Pki {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    cert: join(dir, 'apiserver.crt'),
    key: join(dir, 'apiserver.key'),
    token: join(dir, 'token'),
  };
  if (!existsSync(paths.caCert) || !existsSync(paths.caKey)) {
    const ca = createCa(now);
    writeSecret(paths.caKey, ca.keyPem);
    writeFileSync(paths.caCert, ca.certPem);
  }
  const caPem = readFileSync(paths.caCert, 'utf8');
  const caKey = createPrivateKey(readFileSync(paths.caKey, 'utf8'));
  const ca = new X509Certificate(caPem);

  let renew = !existsSync(paths.cert) || !existsSync(paths.key);
  if (!renew) {
    const cert = new X509Certificate(readFileSync(paths.cert, 'utf8'));
    renew =
      !cert.verify(ca.publicKey) || !covers(cert, hosts) || Date.parse(cert.validTo) - now < RENEW_BEFORE_MS;
  }
  if (renew) {
    const serving = createServingCertificate({ certPem: caPem, key: caKey }, hosts, now);
    writeSecret(paths.key, serving.keyPem);
    writeFileSync(paths.cert, serving.certPem);
  }
  if (!existsSync(paths.token)) writeSecret(paths.token, `${randomBytes(32).toString('base64url')}\n`);
  return {
    caPem,
    certPem: readFileSync(paths.cert, 'utf8'),
    keyPem: readFileSync(paths.key, 'utf8'),
    token: readFileSync(paths.token, 'utf8').trim(),
    dir,
  };
}
