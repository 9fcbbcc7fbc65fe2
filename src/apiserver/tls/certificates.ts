// A self-signed CA and a serving certificate signed by it, generated with node:crypto (ECDSA P-256,
// SHA-256) so no openssl binary is needed. Clients trust the CA through the kubeconfig's
// certificate-authority-data, as kubeadm's clusters do.
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';
import {
  bitString,
  boolean,
  explicit,
  implicit,
  octetString,
  oid,
  sequence,
  set,
  smallInteger,
  time,
  unsignedInteger,
  utf8String,
} from './der.ts';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const DAY = 24 * 60 * 60 * 1000;

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface CertificateRequest {
  commonName: string;
  organization?: string;
  /** DNS names and IP addresses for subjectAltName (serving certificates). */
  hosts?: string[];
  isCa: boolean;
  notBefore: number;
  notAfter: number;
}

function name(commonName: string, organization?: string): Buffer {
  const rdns = [];
  if (organization) rdns.push(set(sequence(oid(OID.organization), utf8String(organization))));
  rdns.push(set(sequence(oid(OID.commonName), utf8String(commonName))));
  return sequence(...rdns);
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // Expand "::" and write the eight 16-bit groups.
  const [head = '', tail] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function subjectAltNames(hosts: string[]): Buffer {
  return sequence(
    ...hosts.map((h) => (isIP(h) ? implicit(7, ipBytes(h)) : implicit(2, Buffer.from(h, 'ascii')))),
  );
}

function keyId(publicKey: KeyObject): Buffer {
  // RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits; the SPKI hash is as good an ID.
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

/** Builds and signs one certificate; issuer undefined means self-signed. */
export function issueCertificate(
  request: CertificateRequest,
  subjectKey: KeyObject,
  issuer?: { certPem: string; key: KeyObject },
): string {
  const issuerCert = issuer ? new X509Certificate(issuer.certPem) : undefined;
  const signingKey = issuer?.key ?? subjectKey;
  const publicKey = createPublicKey(subjectKey);
  const issuerPublic = issuerCert ? issuerCert.publicKey : publicKey;
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f || 0x01;
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const extensions = [
    extension(OID.basicConstraints, true, request.isCa ? sequence(boolean(true)) : sequence()),
    // keyUsage: CA → digitalSignature, keyCertSign, cRLSign (0x86, 1 unused bit);
    // serving → digitalSignature (0x80, 7 unused bits), what an ECDSA TLS server key does.
    extension(
      OID.keyUsage,
      true,
      request.isCa ? bitString(Buffer.from([0x86]), 1) : bitString(Buffer.from([0x80]), 7),
    ),
    ...(request.isCa ? [] : [extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth)))]),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId(publicKey))),
    ...(issuerCert
      ? [extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyId(issuerPublic))))]
      : []),
    ...(request.hosts?.length ? [extension(OID.subjectAltName, false, subjectAltNames(request.hosts))] : []),
  ];
  const tbs = sequence(
    explicit(0, smallInteger(2)),
    unsignedInteger(serial),
    algorithm,
    issuerCert ? Buffer.from(issuerSubjectDer(issuerCert)) : name(request.commonName, request.organization),
    sequence(time(request.notBefore), time(request.notAfter)),
    name(request.commonName, request.organization),
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, signingKey);
  const der = sequence(tbs, algorithm, bitString(signature));
  return toPem('CERTIFICATE', der);
}

/** The issuer's subject Name exactly as encoded in its certificate (chain building compares bytes). */
function issuerSubjectDer(cert: X509Certificate): Buffer {
  // TBSCertificate fields in order: [0] version, serial, signature alg, issuer, validity, subject.
  const der = cert.raw;
  const tbs = children(der, 0)[0];
  if (!tbs) throw new Error('malformed issuer certificate');
  const fields = children(der, tbs.start);
  const subject = fields[5];
  if (!subject) throw new Error('malformed issuer certificate');
  return der.subarray(subject.start, subject.end);
}

/** The element boundaries directly inside the constructed element starting at offset. */
function children(der: Buffer, offset: number): { start: number; end: number }[] {
  const header = (at: number): { contentStart: number; end: number } => {
    const first = der[at + 1] ?? 0;
    if (first < 0x80) return { contentStart: at + 2, end: at + 2 + first };
    const n = first & 0x7f;
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[at + 2 + i] ?? 0);
    return { contentStart: at + 2 + n, end: at + 2 + n + len };
  };
  const outer = header(offset);
  const out: { start: number; end: number }[] = [];
  for (let at = outer.contentStart; at < outer.end;) {
    const h = header(at);
    out.push({ start: at, end: h.end });
    at = h.end;
  }
  return out;
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

export function newKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
}

export function keyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function createCa(now: number, commonName = 'nodelet-ca'): KeyPairPem {
  const key = newKey();
  const certPem = issueCertificate(
    { commonName, isCa: true, notBefore: now - 60 * 60 * 1000, notAfter: now + 3650 * DAY },
    key,
  );
  return { certPem, keyPem: keyToPem(key) };
}

export function createServingCertificate(
  ca: { certPem: string; key: KeyObject },
  hosts: string[],
  now: number,
): KeyPairPem {
  const key = newKey();
  const certPem = issueCertificate(
    {
      commonName: 'nodelet-apiserver',
      hosts,
      isCa: false,
      notBefore: now - 60 * 60 * 1000,
      notAfter: now + 730 * DAY,
    },
    key,
    ca,
  );
  return { certPem, keyPem: keyToPem(key) };
}
