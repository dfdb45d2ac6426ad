import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { Agent, request } from 'undici';
import { ProtocolError, ServiceError, TimeoutError, TransportError } from '@kvs-sig/core';
import { fromAwsIotCredentials } from '@kvs-sig/signer/node';
import { signRequest, verify } from '../src';

interface Pki { ca: string; serverKey: string; serverCert: string; clientKey: string; clientCert: string; otherKey: string; otherCert: string }

function makePki(dir: string): Pki {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = (name: string) => ossl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  ec('ca');
  ossl('req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=test-ca', '-days', '1', '-out', 'ca.pem');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const issue = (name: string, cn: string, ext: string, caName = 'ca') => {
    ec(name);
    ossl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`);
    ossl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', '1', '-extfile', ext, '-out', `${name}.pem`);
  };
  issue('server', '127.0.0.1', 'server.ext');
  issue('client', 'thing-1', 'client.ext');
  // A device certificate from a CA the server does not trust.
  ec('rogue');
  ossl('req', '-x509', '-new', '-key', 'rogue.key', '-subj', '/CN=rogue-ca', '-days', '1', '-out', 'rogue.pem');
  issue('other', 'thing-1', 'client.ext', 'rogue');
  const r = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { ca: r('ca.pem'), serverKey: r('server.key'), serverCert: r('server.pem'), clientKey: r('client.key'), clientCert: r('client.pem'), otherKey: r('other.key'), otherCert: r('other.pem') };
}

describe('fromAwsIotCredentials against a local mutual-TLS server', () => {
  let dir: string;
  let pki: Pki;
  let server: Server;
  let endpoint: string;
  let calls = 0;
  let lifetimeMs = 3_600_000;
  let mode: 'ok' | 'denied' | 'garbage' | 'hang' = 'ok';
  const seen: Array<{ path: string | undefined; thing: string | undefined; cn: string | undefined }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kvs-signer-pki-'));
    pki = makePki(dir);
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
    rmSync(dir, { recursive: true, force: true });
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
