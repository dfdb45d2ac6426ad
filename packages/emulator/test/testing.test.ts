import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ServiceError } from '@kvs-sig/core';
import { generateCertificates } from '@kvs-sig/emulator';
import { startTestEmulator, type TestEmulator } from '@kvs-sig/emulator/testing';
import { call } from './helpers';

describe('generateCertificates (in process, no openssl binary)', () => {
  test('an EC P-256 CA and a server certificate for 127.0.0.1 and localhost that it signed, with nothing on PATH', async () => {
    const path = process.env.PATH;
    // No binary can be spawned while PATH is empty: the certificates must come from this process.
    process.env.PATH = '';
    let certs;
    try {
      certs = await generateCertificates(['10.1.2.3', 'cam.local', 'fe80::1%eth0', '0.0.0.0']);
    } finally {
      process.env.PATH = path;
    }
    try {
      const ca = new X509Certificate(certs.ca);
      const leaf = new X509Certificate(certs.cert);
      expect(ca.ca).toBe(true);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      expect(leaf.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost, IP Address:10.1.2.3, DNS:cam.local');
      expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // serverAuth
      expect(leaf.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
      expect(ca.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: 'prime256v1' });
      expect(leaf.checkPrivateKey(createPrivateKey(certs.key))).toBe(true);
      const days = (Date.parse(leaf.validTo) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(1.9);
      expect(days).toBeLessThan(2.1);
      // The CA's private key is never written: only the CA, the server certificate and its key.
      expect(readdirSync(certs.dir).sort()).toEqual(['ca.pem', 'server.key', 'server.pem']);
      expect(readFileSync(certs.caPath, 'utf8')).toBe(certs.ca);
      // Two calls make two different CAs (fresh keys and serials).
      const other = await generateCertificates();
      try {
        expect(other.ca).not.toBe(certs.ca);
        expect(new X509Certificate(other.cert).serialNumber).not.toBe(leaf.serialNumber);
        expect(leaf.checkIssued(new X509Certificate(other.ca))).toBe(false);
      } finally {
        await rm(other.dir, { recursive: true, force: true });
      }
    } finally {
      await rm(certs.dir, { recursive: true, force: true });
    }
  });
});

describe('@kvs-sig/emulator/testing', () => {
  let emu: TestEmulator;
  beforeAll(async () => {
    emu = await startTestEmulator();
  });
  afterAll(async () => {
    await emu.stop();
  });
  afterEach(() => emu.reset());

  test('connection carries the endpoint, region, keys and CA a client needs', () => {
    expect(emu.connection).toEqual({
      region: 'us-west-2',
      endpoint: emu.endpoint,
      credentials: emu.credentials,
      tls: { ca: emu.ca },
    });
    expect(emu.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emu.ca).toContain('BEGIN CERTIFICATE');
  });

  test('createChannel makes a channel through the signed API; a second one with the same name is refused', async () => {
    const a = await emu.createChannel();
    const b = await emu.createChannel();
    expect(a.channelName).not.toBe(b.channelName);
    expect(a.channelArn).toMatch(new RegExp(`^arn:aws:kinesisvideo:us-west-2:\\d{12}:channel/${a.channelName}/\\d+$`));
    const named = await emu.createChannel('door-cam', { channelType: 'SINGLE_MASTER', messageTtlSeconds: 30 });
    expect(named.channelName).toBe('door-cam');
    const described = await call(emu.emulator, '/describeSignalingChannel', { ChannelName: 'door-cam' });
    expect(described.json).toMatchObject({ ChannelInfo: { ChannelName: 'door-cam', SingleMasterConfiguration: { MessageTtlSeconds: 30 } } });
    const err = await emu.createChannel('door-cam').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).errorType).toBe('ResourceInUseException');
    expect(emu.log.count('CreateSignalingChannel')).toBe(4);
  });

  test('env() names the CA file and the keys for a child process', () => {
    const env = emu.env();
    expect(env).toEqual({
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: emu.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: emu.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_KINESIS_VIDEO: emu.endpoint,
      NODE_EXTRA_CA_CERTS: emu.caPath,
      AWS_CA_BUNDLE: emu.caPath,
    });
    expect(readFileSync(env.NODE_EXTRA_CA_CERTS!, 'utf8')).toBe(emu.ca);
  });

  test('env() is all a child process using AWS SDK v3 needs to reach the emulator and trust its CA', async () => {
    await emu.createChannel('sdk-visible');
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|NODE_EXTRA_CA_CERTS$)/.test(k)));
    const script = "const k = require('@aws-sdk/client-kinesis-video'); new k.KinesisVideoClient({}).send(new k.ListSignalingChannelsCommand({})).then((r) => console.log(JSON.stringify(r.ChannelInfoList.map((c) => c.ChannelName))), (e) => { console.error(e.name, e.message); process.exit(1); })";
    // Asynchronous: the emulator runs in this process and must keep answering.
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], { cwd: path.resolve(__dirname, '../../..'), env: { ...clean, ...emu.env() } });
    expect(JSON.parse(stdout)).toContain('sdk-visible');
    expect(emu.log.requests().map((r) => [r.operation, r.status])).toContainEqual(['ListSignalingChannels', 200]);
  }, 30_000);

  test('faults reach the API, and reset() turns them off and clears the log', async () => {
    emu.faults.failNext('CreateSignalingChannel', 1);
    const err = await emu.createChannel().catch((e: unknown) => e);
    expect((err as ServiceError).httpStatus).toBe(500);
    expect(emu.log.requests().map((r) => [r.operation, r.status])).toEqual([['CreateSignalingChannel', 500]]);
    emu.faults.failNext('CreateSignalingChannel', 1);
    emu.reset();
    expect(emu.log.count()).toBe(0);
    await expect(emu.createChannel()).resolves.toMatchObject({ channelArn: expect.stringContaining(':channel/') });
  });

  test('connection follows rotated credentials', () => {
    const fresh = { accessKeyId: 'AKIDROTATED', secretAccessKey: 'rotated-secret' };
    const old = emu.credentials;
    emu.emulator.setCredentials([fresh, old]);
    try {
      expect(emu.connection.credentials).toEqual(fresh);
    } finally {
      emu.emulator.setCredentials(old);
    }
  });
});

test('with tls: false the connection allows loopback http and env() names no CA', async () => {
  const emu = await startTestEmulator({ tls: false });
  try {
    expect(emu.connection).toEqual({ region: 'us-west-2', endpoint: emu.endpoint, credentials: emu.credentials, allowInsecureEndpoints: true });
    expect(emu.endpoint).toMatch(/^http:\/\//);
    expect(emu.env().NODE_EXTRA_CA_CERTS).toBeUndefined();
    await expect(emu.createChannel('plain')).resolves.toMatchObject({ channelName: 'plain' });
  } finally {
    await emu.stop();
    await emu.stop(); // safe twice
  }
  expect(emu.caPath).toBeUndefined();
});

test('stop() removes the CA file', async () => {
  const emu = await startTestEmulator();
  expect(existsSync(emu.caPath!)).toBe(true);
  await emu.stop();
  expect(existsSync(emu.caPath!)).toBe(false);
});
