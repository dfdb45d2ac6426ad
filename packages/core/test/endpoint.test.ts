import { createSignaling, generateStunUrl, isLoopbackHost, isValidRegion, resolveControlPlaneEndpoint, toRtcIceServers } from '@kvs-sig/core';
import { expectValidation } from './helpers';

describe('resolveControlPlaneEndpoint (protocol.md 3.1.1)', () => {
  test.each([
    [{ region: 'us-west-2' }, 'https://kinesisvideo.us-west-2.amazonaws.com'],
    [{ region: 'cn-north-1' }, 'https://kinesisvideo.cn-north-1.amazonaws.com.cn'],
    [{ region: 'cn-northwest-1' }, 'https://kinesisvideo.cn-northwest-1.amazonaws.com.cn'],
    [{ region: 'cn' }, 'https://kinesisvideo.cn.amazonaws.com'],
    [{ region: 'us-east-1', useFipsEndpoint: true }, 'https://kinesisvideo-fips.us-east-1.amazonaws.com'],
    [{ region: 'cn-north-1', useFipsEndpoint: true }, 'https://kinesisvideo-fips.cn-north-1.amazonaws.com.cn'],
    [{ region: 'eu-west-1', useDualstackEndpoint: true }, 'https://kinesisvideo.eu-west-1.api.aws'],
    [{ region: 'cn-north-1', useDualstackEndpoint: true }, 'https://kinesisvideo.cn-north-1.api.amazonwebservices.com.cn'],
    [{ region: 'us-east-1', useFipsEndpoint: true, useDualstackEndpoint: true }, 'https://kinesisvideo-fips.us-east-1.api.aws'],
    [{ region: 'cn-north-1', useFipsEndpoint: true, useDualstackEndpoint: true }, 'https://kinesisvideo-fips.cn-north-1.api.amazonwebservices.com.cn'],
    [{ region: 'us-gov-west-1' }, 'https://kinesisvideo.us-gov-west-1.amazonaws.com'],
    [{ region: 'us-gov-east-1', useFipsEndpoint: true }, 'https://kinesisvideo-fips.us-gov-east-1.amazonaws.com'],
    [{ region: 'us-gov-east-1', useDualstackEndpoint: true }, 'https://kinesisvideo.us-gov-east-1.api.aws'],
    [{ region: 'us-iso-east-1' }, 'https://kinesisvideo.us-iso-east-1.c2s.ic.gov'],
    [{ region: 'us-iso-east-1', useFipsEndpoint: true }, 'https://kinesisvideo-fips.us-iso-east-1.c2s.ic.gov'],
    [{ region: 'us-isob-east-1' }, 'https://kinesisvideo.us-isob-east-1.sc2s.sgov.gov'],
    [{ region: 'us-isob-east-1', useFipsEndpoint: true }, 'https://kinesisvideo-fips.us-isob-east-1.sc2s.sgov.gov'],
    [{ endpoint: 'https://custom.example.com' }, 'https://custom.example.com'],
    [{ region: 'us-east-1', endpoint: 'https://custom.example.com/base/' }, 'https://custom.example.com/base'],
    [{ endpoint: 'http://127.0.0.1:4566' }, 'http://127.0.0.1:4566'],
  ])('%j → %s', (options, url) => {
    expect(resolveControlPlaneEndpoint(options)).toBe(url);
  });
  test.each([
    [{ region: 'us-iso-east-1', useDualstackEndpoint: true }, 'useDualstackEndpoint'],
    [{ region: 'us-isob-east-1', useDualstackEndpoint: true }, 'useDualstackEndpoint'],
    [{ endpoint: 'https://c.example.com', useFipsEndpoint: true }, 'useFipsEndpoint'],
    [{ endpoint: 'https://c.example.com', useDualstackEndpoint: true }, 'useDualstackEndpoint'],
    [{}, 'region'],
  ])('%j → INVALID_CONFIGURATION on %s', (options, field) => {
    expectValidation(() => resolveControlPlaneEndpoint(options), field, 'INVALID_CONFIGURATION');
  });
  test('malformed region / endpoint', () => {
    expectValidation(() => resolveControlPlaneEndpoint({ region: 'us east 1' }), 'region');
    expectValidation(() => resolveControlPlaneEndpoint({ region: 'evil.com/x' }), 'region');
    expectValidation(() => resolveControlPlaneEndpoint({ region: '' }), 'region');
    expectValidation(() => resolveControlPlaneEndpoint({ endpoint: 'custom.example.com' }), 'endpoint');
    expectValidation(() => resolveControlPlaneEndpoint({ endpoint: 'https://x.example.com?a=b' }), 'endpoint');
    expectValidation(() => resolveControlPlaneEndpoint({ endpoint: 'http://x.example.com' }), 'endpoint', 'INSECURE_ENDPOINT');
    expectValidation(() => resolveControlPlaneEndpoint(null as never), 'options');
  });
  test('isValidRegion: the shape of an AWS region name (a typo cannot form a KVS host name)', () => {
    for (const region of ['us-west-2', 'us-gov-west-1', 'cn-north-1', 'us-iso-east-1', 'us-isob-east-1', 'eu-isoe-west-1', 'us-isof-south-1', 'ap-southeast-7', 'il-central-1']) {
      expect(isValidRegion(region)).toBe(true);
    }
    for (const region of ['xx', 'cn', 'ca', 'us-west', 'US-WEST-2', 'uswest2', 'us-west-2-', 'us--west-2', 'local', 'us-west-123', 'us-west-2.evil.com', '', 42, undefined]) {
      expect(isValidRegion(region)).toBe(false);
    }
  });
  test('createSignaling reports the same errors', () => {
    expectValidation(() => createSignaling({}), 'region', 'INVALID_CONFIGURATION');
    expect(createSignaling({ endpoint: 'https://c.example.com' }).controlPlaneEndpoint).toBe('https://c.example.com');
  });
});

describe('generateStunUrl / toRtcIceServers (protocol.md 3.1.4)', () => {
  test.each([
    [{ region: 'us-east-1' }, 'stun:stun.kinesisvideo.us-east-1.amazonaws.com:443'],
    [{ region: 'us-east-1', useFipsEndpoint: true, useDualstackEndpoint: true }, 'stuns:stun.kinesisvideo-fips.us-east-1.api.aws:443'],
    [{ region: 'us-east-1', useFipsEndpoint: true }, 'stuns:stun.kinesisvideo-fips.us-east-1.amazonaws.com:443'],
    [{ region: 'eu-west-1', useDualstackEndpoint: true }, 'stun:stun.kinesisvideo.eu-west-1.api.aws:443'],
    [{ region: 'cn-north-1' }, 'stun:stun.kinesisvideo.cn-north-1.amazonaws.com.cn:443'],
  ])('%j → %s', (options, url) => {
    expect(generateStunUrl(options)).toBe(url);
  });
  test('STUN first, then TURN servers as { urls, username, credential }; empty URI lists skipped', () => {
    const out = toRtcIceServers(
      [
        { uris: ['turn:a:443?transport=udp', 'turns:a:443?transport=tcp'], username: 'u', password: 'p', ttl: 300 },
        { uris: [] },
        { uris: ['turn:b:443'], username: 'u2', password: 'p2' },
      ],
      { region: 'us-west-2' },
    );
    expect(out).toEqual([
      { urls: 'stun:stun.kinesisvideo.us-west-2.amazonaws.com:443' },
      { urls: ['turn:a:443?transport=udp', 'turns:a:443?transport=tcp'], username: 'u', credential: 'p' },
      { urls: ['turn:b:443'], username: 'u2', credential: 'p2' },
    ]);
  });
  test('bad input is typed', () => {
    expectValidation(() => toRtcIceServers(null as never, { region: 'us-west-2' }), 'iceServers');
    expectValidation(() => toRtcIceServers([{} as never], { region: 'us-west-2' }), 'iceServers[0].uris');
    expectValidation(() => toRtcIceServers([], { region: undefined as never }), 'region');
  });
});

describe('isLoopbackHost: the one loopback check (core builders, signer, client)', () => {
  test.each(['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '[::1]'])('%s is loopback', (h) => expect(isLoopbackHost(h)).toBe(true));
  test.each(['', '10.0.0.1', '128.0.0.1', '127.0.0.1.example.com', 'localhost.example.com', '::1', '[::2]', '127.0.0.1:80', '0.0.0.0'])('%j is not', (h) =>
    expect(isLoopbackHost(h)).toBe(false),
  );
});
