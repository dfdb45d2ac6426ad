import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @peculiar/x509 goes through tsyringe, which needs the reflect-metadata polyfill on the
// global Reflect before it loads. Static imports, not a lazy import(): a dynamic import
// inside the CJS build fails under jest (no VM module support by default), and users run
// the emulator from jest.
import 'reflect-metadata';
import * as lib from '@peculiar/x509';

/** A CA and a server certificate it issued, as PEM. @public */
export interface GeneratedCertificates {
  /** PEM of the CA certificate (what clients must trust). */
  ca: string;
  /** PEM of the server certificate. */
  cert: string;
  /** PEM of the server's private key (PKCS#8). */
  key: string;
  /** The directory holding `ca.pem`, `server.pem` and `server.key`; remove it when done. */
  dir: string;
  /** Path of `ca.pem` inside {@link GeneratedCertificates.dir}. */
  caPath: string;
}

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const VALIDITY_MS = 2 * 24 * 3600_000;

/**
 * Generates an EC P-256 CA and a server certificate it signs, for `127.0.0.1`
 * and `localhost` (plus any extra `hosts`), valid for two days. Made in
 * process with WebCrypto and `@peculiar/x509` (no `openssl` binary), and
 * written to a fresh temporary directory (`ca.pem`, `server.pem`,
 * `server.key`) so a file path can be given to `NODE_EXTRA_CA_CERTS`.
 * The CA's private key is never written anywhere.
 *
 * @throws Error when the temporary directory cannot be written.
 * @public
 */
export async function generateCertificates(hosts: string[] = []): Promise<GeneratedCertificates> {
  const subtle = webcrypto.subtle;
  const names = new Map<string, { type: 'ip' | 'dns'; value: string }>([
    ['ip:127.0.0.1', { type: 'ip', value: '127.0.0.1' }],
    ['dns:localhost', { type: 'dns', value: 'localhost' }],
  ]);
  for (const h of hosts) {
    // Zone-scoped IPv6 addresses (fe80::1%eth0) cannot appear in a certificate.
    if (h === '' || h === '0.0.0.0' || h === '::' || h.includes('%')) continue;
    const type = isIP(h) ? 'ip' : 'dns';
    names.set(`${type}:${h.toLowerCase()}`, { type, value: h });
  }
  // A minute back-dated, so a peer whose clock is slightly behind still accepts it.
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + VALIDITY_MS);
  const serial = () => `7f${randomBytes(15).toString('hex')}`; // positive, 16 bytes, unique per certificate

  const caKeys = (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const caCert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=kvs-sig emulator test CA',
    notBefore,
    notAfter,
    keys: caKeys as never,
    signingAlgorithm: EC_P256,
    extensions: [
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(caKeys.publicKey as never),
    ],
  });

  const serverKeys = (await subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serverCert = await lib.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost',
    issuer: caCert.subject,
    notBefore,
    notAfter,
    publicKey: serverKeys.publicKey as never,
    signingKey: caKeys.privateKey as never,
    signingAlgorithm: EC_P256,
    extensions: [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyEncipherment, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
      new lib.SubjectAlternativeNameExtension([...names.values()]),
      await lib.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });

  const pkcs8 = Buffer.from(await subtle.exportKey('pkcs8', serverKeys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
  const ca = `${caCert.toString('pem')}\n`;
  const cert = `${serverCert.toString('pem')}\n`;

  const dir = await mkdtemp(join(tmpdir(), 'kvs-sig-emulator-'));
  try {
    const caPath = join(dir, 'ca.pem');
    await Promise.all([
      writeFile(caPath, ca),
      writeFile(join(dir, 'server.pem'), cert),
      writeFile(join(dir, 'server.key'), key, { mode: 0o600 }),
    ]);
    return { ca, cert, key, dir, caPath };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
