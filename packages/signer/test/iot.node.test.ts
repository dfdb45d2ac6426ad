import { randomBytes, webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
// @peculiar/x509 needs the reflect-metadata polyfill loaded first (as in the emulator's tls.ts).
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { Agent, request } from 'undici';
import { ProtocolError, ServiceError, TimeoutError, TransportError } from '@kvs-sig/core';
import { fromAwsIotCredentials } from '@kvs-sig/signer/node';
import { signRequest, verify } from '../src';

interface Pki { ca: string; serverKey: string; serverCert: string; clientKey: string; clientCert: string; otherKey: string; otherCert: string }

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
type KeyPair = webcrypto.CryptoKeyPair;
interface Issuer { keys: KeyPair; cert: x509.X509Certificate }

const newKeys = async () => (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as KeyPair;
const serial = () => `7f${randomBytes(15).toString('hex')}`; // positive and unique
// A minute back-dated, valid for a day.
const validity = () => ({ notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 24 * 3600_000) });
const keyPem = async (keys: KeyPair) =>
  `${x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY')}\n`;

async function makeCa(cn: string): Promise<Issuer> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${cn}`,
    ...validity(),
    keys: keys as never,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return { keys, cert };
}

/** A leaf certificate `ca` signs: for a server at 127.0.0.1, or a device (client) named `cn`. */
async function issue(ca: Issuer, cn: string, usage: 'server' | 'client'): Promise<{ cert: string; key: string }> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${cn}`,
    issuer: ca.cert.subject,
    ...validity(),
    publicKey: keys.publicKey as never,
    signingKey: ca.keys.privateKey as never,
    signingAlgorithm: EC_P256,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(usage === 'server' ? [new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }])] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { cert: `${cert.toString('pem')}\n`, key: await keyPem(keys) };
}

/** Made in process (WebCrypto + @peculiar/x509), nothing written to disk. */
async function makePki(): Promise<Pki> {
  const ca = await makeCa('test-ca');
  const server = await issue(ca, '127.0.0.1', 'server');
  const client = await issue(ca, 'thing-1', 'client');
  // A device certificate from a CA the server does not trust.
  const other = await issue(await makeCa('rogue-ca'), 'thing-1', 'client');
  return {
    ca: `${ca.cert.toString('pem')}\n`,
    serverKey: server.key,
    serverCert: server.cert,
    clientKey: client.key,
    clientCert: client.cert,
    otherKey: other.key,
    otherCert: other.cert,
  };
}

describe('fromAwsIotCredentials against a local mutual-TLS server', () => {
  let pki: Pki;
  let server: Server;
  let endpoint: string;
  let calls = 0;
  let lifetimeMs = 3_600_000;
  let mode: 'ok' | 'denied' | 'garbage' | 'hang' = 'ok';
  const seen: Array<{ path: string | undefined; thing: string | undefined; cn: string | undefined }> = [];

  beforeAll(async () => {
    pki = await makePki();
    server = createServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      calls++;
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ path: req.url, thing: req.headers['x-amzn-iot-thingname'] as string | undefined, cn: peer.subject?.CN as string | undefined });
      if (mode === 'hang') return; // never answers; the client must give up on its own
      if (mode === 'denied') {
        res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException:', 'x-amzn-RequestId': 'req-1' });
        res.end('{"message":"Role alias does not exist"}');
        return;
      }
      if (mode === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"credentials":{"accessKeyId":"A"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({
        credentials: {
          accessKeyId: `ASIAIOT${calls}`,
          secretAccessKey: `iot-secret-${calls}`,
          sessionToken: `iot-token-${calls}`,
          expiration: new Date(Date.now() + lifetimeMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        },
      }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    calls = 0;
    seen.length = 0;
    lifetimeMs = 3_600_000;
    mode = 'ok';
  });

  const provider = (extra: Partial<Parameters<typeof fromAwsIotCredentials>[0]> = {}) =>
    fromAwsIotCredentials({ credentialsEndpoint: endpoint, roleAlias: 'kvs-role', thingName: 'thing-1', cert: pki.clientCert, key: pki.clientKey, ca: pki.ca, ...extra });

  test('fetches, parses and memoises; the credentials sign a request that verifies', async () => {
    const p = provider();
    const c = await p.get();
    expect(c).toMatchObject({ accessKeyId: 'ASIAIOT1', secretAccessKey: 'iot-secret-1', sessionToken: 'iot-token-1' });
    expect(c.expiration).toBeInstanceOf(Date);
    expect(seen).toEqual([{ path: '/role-aliases/kvs-role/credentials', thing: 'thing-1', cn: 'thing-1' }]);
    await p.get();
    expect(calls).toBe(1);
    const signed = await signRequest({ method: 'POST', url: 'https://kinesisvideo.us-west-2.amazonaws.com/x', headers: {}, body: '{}' }, { credentials: p, region: 'us-west-2' });
    expect(await verify(signed, { credentials: c })).toMatchObject({ ok: true, accessKeyId: 'ASIAIOT1' });
  });
  test('refreshes ahead of expiry', async () => {
    lifetimeMs = 60_000; // inside the default 5-minute window
    const p = provider();
    expect((await p.get()).accessKeyId).toBe('ASIAIOT1');
    expect((await p.get()).accessKeyId).toBe('ASIAIOT2');
    lifetimeMs = 3_600_000;
    expect((await p.get()).accessKeyId).toBe('ASIAIOT3');
    expect((await p.get()).accessKeyId).toBe('ASIAIOT3');
  });
  test('non-2xx is a ServiceError from core', async () => {
    mode = 'denied';
    const err = await provider().get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect(err).toMatchObject({ httpStatus: 403, errorType: 'ForbiddenException', requestId: 'req-1' });
  });
  test('a server that never answers gives a TimeoutError after fetchTimeoutMs', async () => {
    mode = 'hang';
    const err = await provider({ fetchTimeoutMs: 300 }).get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TimeoutError);
    expect(calls).toBe(1);
  });
  test('an incomplete reply is a ProtocolError', async () => {
    mode = 'garbage';
    await expect(provider().get()).rejects.toBeInstanceOf(ProtocolError);
  });
  test('a device certificate from an untrusted CA is refused', async () => {
    const err = await provider({ cert: pki.otherCert, key: pki.otherKey }).get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(calls).toBe(0);
  });
  test('a client without a certificate is refused by the server', async () => {
    const agent = new Agent({ connect: { ca: pki.ca } });
    try {
      const res = request(`${endpoint}/role-aliases/kvs-role/credentials`, { dispatcher: agent });
      await expect(res.then((r) => r.body.text())).rejects.toThrow();
      expect(calls).toBe(0);
    } finally {
      await agent.close();
    }
  });
  test('bad options are typed errors naming the field', () => {
    expect(() => provider({ cert: '' })).toThrow(/cert/);
    expect(() => provider({ roleAlias: 'bad alias!' })).toThrow(/roleAlias/);
    expect(() => provider({ credentialsEndpoint: 'http://example.com' })).toThrow(/credentialsEndpoint/);
  });
});
