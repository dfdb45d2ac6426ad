import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { isSignalingError } from '@kvs-sig/core';
import { generateCertificates, startEmulator, type EmulatorOptions } from '../src';
import { call, connect, createChannel, rawRequest, refused, withEmulator } from './helpers';

describe('startEmulator options', () => {
  test.each<[string, EmulatorOptions, RegExp]>([
    ['port out of range', { port: 70_000 }, /port/],
    ['port not an integer', { port: 1.5 }, /port/],
    ['bad region', { region: 'US WEST' }, /region/],
    ['bad account id', { accountId: '123' }, /accountId/],
    ['empty access key', { credentials: { accessKeyId: '', secretAccessKey: 'x' } }, /credentials.accessKeyId/],
    ['unknown limit', { limits: { nope: 1 } as never }, /limits.nope/],
    ['negative limit', { limits: { idleTimeoutMs: -5 } }, /limits.idleTimeoutMs/],
    ['ICE TTL under the model minimum', { limits: { iceServerTtlSeconds: 29 } }, /limits.iceServerTtlSeconds.*30..86400/],
    ['payload limit over the service limit', { limits: { maxPayloadLength: 10_241 } }, /limits.maxPayloadLength/],
    ['a fractional hold bound', { limits: { maxHeldMessagesPerRecipient: 2.5 } }, /limits.maxHeldMessagesPerRecipient.*integer/],
    ['a zero hold bound', { limits: { maxHeldMessagesPerChannel: 0 } }, /limits.maxHeldMessagesPerChannel/],
    ['an unbounded hold', { limits: { maxHeldMessagesPerRecipient: Infinity } }, /limits.maxHeldMessagesPerRecipient/],
    ['a negative ICE server count', { iceServerCount: -1 }, /iceServerCount/],
    ['a fractional ICE server count', { iceServerCount: 1.5 }, /iceServerCount/],
    ['TURN without URIs', { turn: { urls: [], secret: 's' } }, /turn.urls/],
    ['TURN with an http URI', { turn: { urls: ['http://x'], secret: 's' } }, /turn.urls/],
    ['bad tls', { tls: 'yes' as never }, /tls/],
    ['negative latency', { faults: { latencyMs: -1 } }, /latencyMs/],
    ['an advertised endpoint with a path', { advertisedEndpoints: { wss: 'ws://127.0.0.1:1/v1' } }, /advertisedEndpoints.wss.*no path/],
    ['an advertised endpoint with the wrong scheme', { advertisedEndpoints: { https: 'https://127.0.0.1:1' } }, /advertisedEndpoints.https.*http:\/\/host:port/],
    ['an advertised endpoint that is not a URL', { advertisedEndpoints: { webrtc: 'not a url' } }, /advertisedEndpoints.webrtc/],
    ['an unknown advertised protocol', { advertisedEndpoints: { ftp: 'ftp://x' } as never }, /advertisedEndpoints.ftp/],
  ])('refuses %s with a typed INVALID_CONFIGURATION error naming the option', async (_name, options, field) => {
    const err = await startEmulator({ tls: false, ...options }).then(
      async (e) => {
        await e.close();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(isSignalingError(err)).toBe(true);
    expect((err as { code: string }).code).toBe('INVALID_CONFIGURATION');
    expect((err as Error).message).toMatch(field);
  });
});

describe('TLS', () => {
  test('the generated CA is written to caPath, signs a certificate for 127.0.0.1 and localhost, and is removed by close()', async () => {
    const emu = await withEmulator();
    expect(emu.ca).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(existsSync(emu.caPath!)).toBe(true);
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(200);
    const viaLocalhost = await call(emu, '/listSignalingChannels', {}, { origin: emu.controlPlaneEndpoint.replace('127.0.0.1', 'localhost') });
    expect(viaLocalhost.status).toBe(200);
    // Without the CA the certificate is not trusted.
    await expect(rawRequest({ ...emu, ca: undefined }, '/listSignalingChannels')).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    await emu.close();
    expect(existsSync(emu.caPath!)).toBe(false);
  });

  test('a certificate passed in is served, and its CA is written to caPath', async () => {
    const certs = await generateCertificates();
    try {
      const emu = await withEmulator({ tls: { cert: certs.cert, key: certs.key, ca: certs.ca } });
      expect(emu.ca).toBe(certs.ca);
      expect(emu.caPath).not.toBe(certs.caPath);
      expect((await call(emu, '/listSignalingChannels', {})).status).toBe(200);
      await emu.close();
      expect(existsSync(emu.caPath!)).toBe(false);
    } finally {
      await rm(certs.dir, { recursive: true, force: true });
    }
  });

  test('tls: false serves plain http and ws endpoints', async () => {
    const emu = await withEmulator({ tls: false });
    try {
      expect(emu.controlPlaneEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(emu.ca).toBeUndefined();
      expect(emu.caPath).toBeUndefined();
      const arn = await createChannel(emu, 'plain');
      const ep = await call(emu, '/getSignalingChannelEndpoint', { ChannelARN: arn, SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS'], Role: 'MASTER' } });
      expect((ep.json.ResourceEndpointList as Array<{ ResourceEndpoint: string }>)[0]!.ResourceEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      const peer = await connect(emu, arn);
      await peer.close();
    } finally {
      await emu.close();
    }
  });
});

describe('lifecycle', () => {
  test('close() terminates live sockets, frees the port, and can be called twice', async () => {
    const emu = await withEmulator({ tls: false });
    const arn = await createChannel(emu, 'bye');
    const peer = await connect(emu, arn);
    await emu.close();
    expect(await peer.closed).toBe(1006);
    await emu.close();
    await expect(rawRequest(emu, '/listSignalingChannels')).rejects.toThrow(/ECONNREFUSED/);
  });

  test('credentials default to random ones; the given ones are used as is', async () => {
    const a = await withEmulator({ tls: false });
    const b = await withEmulator({ tls: false, credentials: { accessKeyId: 'AKIAFIXED', secretAccessKey: 'fixed' } });
    try {
      expect(a.credentials.accessKeyId).toMatch(/^AKIA[A-Z0-9]{16}$/);
      expect(a.credentials.secretAccessKey.length).toBeGreaterThanOrEqual(40);
      expect(b.credentials).toEqual({ accessKeyId: 'AKIAFIXED', secretAccessKey: 'fixed' });
      expect((await call(b, '/listSignalingChannels', {})).status).toBe(200);
      expect((await call(a, '/listSignalingChannels', {}, { credentials: b.credentials })).status).toBe(403);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('initial faults apply from the start', async () => {
    const emu = await withEmulator({ tls: false, faults: { clockOffsetMs: 3_600_000 } });
    try {
      const r = await call(emu, '/listSignalingChannels', {});
      expect(r.status).toBe(403);
      expect(Date.parse(String(r.headers.date)) - Date.now()).toBeGreaterThan(3_500_000);
    } finally {
      await emu.close();
    }
  });

  test('the logs keep the newest maxLogRecords entries while counts stay exact', async () => {
    const emu = await withEmulator({ tls: false, limits: { maxLogRecords: 3 } });
    try {
      for (let i = 0; i < 1500; i++) await call(emu, '/describeSignalingChannel', { ChannelName: `n${i}` });
      await call(emu, '/listSignalingChannels', {});
      const kept = emu.log.requests();
      expect(kept.map((r) => r.operation)).toEqual(['DescribeSignalingChannel', 'DescribeSignalingChannel', 'ListSignalingChannels']);
      expect(emu.log.count('DescribeSignalingChannel')).toBe(1500);
      expect(emu.log.count()).toBe(1501);
    } finally {
      await emu.close();
    }
  }, 30_000);

  test('the logger receives one line per request and handshake', async () => {
    const lines: string[] = [];
    const emu = await withEmulator({ tls: false, logger: (l) => lines.push(l) });
    try {
      const arn = await createChannel(emu, 'logged');
      await refused(connect(emu, arn, { clientId: 'AWS_bad' }));
      expect(lines.some((l) => /^CreateSignalingChannel 200 /.test(l))).toBe(true);
      expect(lines.some((l) => /^ConnectAsViewer 400 InvalidArgumentException /.test(l))).toBe(true);
    } finally {
      await emu.close();
    }
  });
});

const external = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

(external ? test : test.skip)('the admin API refuses non-loopback clients (403) while the service answers them', async () => {
  const emu = await startEmulator({ host: '0.0.0.0' });
  try {
    expect(emu.controlPlaneEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const origin = `https://${external}:${new URL(emu.controlPlaneEndpoint).port}`;
    const denied = await rawRequest(emu, '/_emulator/info', { method: 'GET', origin });
    expect(denied.status).toBe(403);
    expect(denied.json.error).toMatch(/loopback/);
    expect((await rawRequest(emu, '/_emulator/info', { method: 'GET' })).status).toBe(200);
    expect((await call(emu, '/listSignalingChannels', {}, { origin })).status).toBe(200);
  } finally {
    await emu.close();
  }
});
