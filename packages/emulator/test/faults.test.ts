import type { Emulator } from '../src';
import { b64, call, connect, createChannel, rawRequest, refused, sleep, withEmulator } from './helpers';

let emu: Emulator;
let n = 0;
const fresh = () => createChannel(emu, `faults-${++n}`);

beforeAll(async () => {
  emu = await withEmulator({ limits: { goAwayGraceMs: 1000 } });
});
afterEach(() => {
  emu.faults.reset();
});
afterAll(async () => {
  await emu.close();
});

const admin = (path: string, body?: unknown) =>
  rawRequest(emu, `/_emulator/${path}`, body === undefined ? { method: 'GET' } : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

describe('request faults', () => {
  test('failNext answers the next N calls of one operation with 500 InternalFailure, then recovers', async () => {
    emu.faults.failNext('DescribeSignalingChannel', 2);
    await fresh();
    for (let i = 0; i < 2; i++) {
      const r = await call(emu, '/describeSignalingChannel', { ChannelName: `faults-${n}` });
      expect([r.status, r.headers['x-amzn-errortype']]).toEqual([500, 'InternalFailure']);
      expect(r.json.Message).toMatch(/unknown error/);
    }
    // Other operations were not affected, and the third call succeeds.
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(200);
    expect((await call(emu, '/describeSignalingChannel', { ChannelName: `faults-${n}` })).status).toBe(200);
  });

  test('failNext with a custom error', async () => {
    emu.faults.failNext('ListSignalingChannels', 1, { status: 503, errorType: 'ServiceUnavailable', message: 'try later' });
    const r = await call(emu, '/listSignalingChannels', {});
    expect([r.status, r.headers['x-amzn-errortype'], r.json.Message]).toEqual([503, 'ServiceUnavailable', 'try later']);
  });

  test('throttleNext answers 400 ClientLimitExceededException', async () => {
    const arn = await fresh();
    emu.faults.throttleNext('GetIceServerConfig', 1);
    const r = await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn });
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([400, 'ClientLimitExceededException']);
    expect((await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn })).status).toBe(200);
  });

  test('injected failures are counted in the log like real ones', async () => {
    emu.log.clear();
    emu.faults.failNext('ListSignalingChannels', 1);
    await call(emu, '/listSignalingChannels', {});
    await call(emu, '/listSignalingChannels', {});
    expect(emu.log.count('ListSignalingChannels')).toBe(2);
    expect(emu.log.count()).toBe(2);
    expect(emu.log.requests().map((r) => [r.status, r.errorType])).toEqual([
      [500, 'InternalFailure'],
      [200, undefined],
    ]);
  });

  test('setLatency delays every request, or only the operations named', async () => {
    emu.log.clear();
    emu.faults.setLatency(800, ['ListSignalingChannels']);
    await call(emu, '/listSignalingChannels', {});
    await call(emu, '/describeSignalingChannel', { ChannelName: 'x' });
    const [list, desc] = emu.log.requests();
    expect(list!.durationMs).toBeGreaterThanOrEqual(795);
    // Not delayed (a generous bound: this is about which operations, not speed).
    expect(desc!.durationMs).toBeLessThan(795);
    emu.faults.setLatency(120);
    await call(emu, '/describeSignalingChannel', { ChannelName: 'x' });
    expect(emu.log.requests()[2]!.durationMs).toBeGreaterThanOrEqual(115);
  });

  test('latency also applies to WebSocket handshakes', async () => {
    const arn = await fresh();
    emu.log.clear();
    emu.faults.setLatency(150, ['ConnectAsViewer']);
    const p = await connect(emu, arn, { clientId: 'slow' });
    expect(emu.log.requests()[0]!.durationMs).toBeGreaterThanOrEqual(145);
    await p.close();
  });

  test('setClockOffset moves the Date header and the signature window', async () => {
    emu.faults.setClockOffset(10 * 60_000);
    const r = await call(emu, '/listSignalingChannels', {});
    expect([r.status, r.headers['x-amzn-errortype']]).toEqual([403, 'InvalidSignatureException']);
    expect(r.json.message).toMatch(/^Signature expired/);
    const served = Date.parse(String(r.headers.date));
    expect(served - Date.now()).toBeGreaterThan(9 * 60_000);
    // A client that corrects with the Date header gets through.
    const ok = await call(emu, '/listSignalingChannels', {}, { signingDate: new Date(served) });
    expect(ok.status).toBe(200);
  });

  test('reset clears pending failures, latency and the clock offset', async () => {
    emu.faults.failNext('ListSignalingChannels', 5);
    emu.faults.setLatency(5000);
    emu.faults.setClockOffset(3_600_000);
    emu.faults.reset();
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(200);
  });

  test('bad fault arguments are refused with a typed error', () => {
    expect(() => emu.faults.failNext('Nope' as never, 1)).toThrow(/operation/);
    expect(() => emu.faults.failNext('ListSignalingChannels', 0)).toThrow(/count/);
    expect(() => emu.faults.setLatency(-1)).toThrow(/non-negative/);
    expect(() => emu.faults.setClockOffset(Number.NaN)).toThrow(/finite/);
    expect(() => emu.faults.failNext('ListSignalingChannels', 1, { status: 200 })).toThrow(/400-599/);
  });
});

describe('socket faults', () => {
  test('refuseHandshake refuses the next N handshakes (optionally of one role) with the given status', async () => {
    const arn = await fresh();
    emu.faults.refuseHandshake(1, { role: 'VIEWER', status: 503, errorType: 'ServiceUnavailable' });
    const master = await connect(emu, arn);
    const r = await refused(connect(emu, arn, { clientId: 'v1' }));
    expect([r.status, r.errorType]).toEqual([503, 'ServiceUnavailable']);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    emu.faults.refuseHandshake(1);
    await sleep(1000);
    const d = await refused(connect(emu, arn));
    expect([d.status, d.errorType]).toEqual([500, 'InternalFailure']);
    await Promise.all([master.close(), v1.close()]);
  });

  test('failNext on ConnectAsMaster refuses the upgrade with that error', async () => {
    const arn = await fresh();
    emu.faults.throttleNext('ConnectAsMaster', 1);
    const r = await refused(connect(emu, arn));
    expect([r.status, r.errorType]).toEqual([400, 'ClientLimitExceededException']);
  });

  test('dropConnections terminates matching sockets without a close frame (1006)', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    expect(emu.faults.dropConnections({ channelArn: arn, role: 'VIEWER' })).toBe(1);
    expect(await v1.closed).toBe(1006);
    expect(master.closeCode).toBeUndefined();
    expect(emu.connections({ channelArn: arn })).toHaveLength(1);
    expect(emu.faults.dropConnections({ channelArn: arn })).toBe(1);
    expect(await master.closed).toBe(1006);
  });

  test('goAway sends GO_AWAY, keeps relaying during the grace period, then closes with 1001', async () => {
    const arn = await fresh();
    const master = await connect(emu, arn);
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    expect(emu.faults.goAway({ channelArn: arn, role: 'MASTER' })).toBe(1);
    expect(await master.next()).toEqual({ messageType: 'GO_AWAY' });
    const payload = b64({ type: 'offer', sdp: 'v=0\r\n' });
    v1.send({ action: 'SDP_OFFER', messagePayload: payload });
    expect((await master.next()).messagePayload).toBe(payload);
    expect(await master.closed).toBe(1001);
    expect(master.closeReason).toMatch(/GO_AWAY/);
    expect(v1.closeCode).toBeUndefined();
    await v1.close();
  });

  test('reconnectIceServer sends RECONNECT_ICE_SERVER and rotates the ICE credentials', async () => {
    const arn = await fresh();
    const before = await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn, ClientId: 'v1' });
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    expect(emu.faults.reconnectIceServer({ channelArn: arn })).toBe(1);
    expect(await v1.next()).toEqual({ messageType: 'RECONNECT_ICE_SERVER' });
    const after = await call(emu, '/v1/get-ice-server-config', { ChannelARN: arn, ClientId: 'v1' });
    const user = (r: typeof before) => (r.json.IceServerList as Array<{ Username: string }>)[0]!.Username.split(':')[1];
    expect(user(after)).not.toBe(user(before));
    await v1.close();
  });

  test('filters match by channel name and client id; no match → 0', async () => {
    const arn = await fresh();
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    expect(emu.faults.goAway({ channelName: 'nope' })).toBe(0);
    expect(emu.faults.dropConnections({ channelName: `faults-${n}`, clientId: 'v2' })).toBe(0);
    expect(emu.connections({ channelName: `faults-${n}` })).toEqual([
      { channelArn: arn, channelName: `faults-${n}`, role: 'VIEWER', clientId: 'v1', connectedAt: expect.any(Number) },
    ]);
    await v1.close();
  });
});

describe('admin HTTP API', () => {
  test('info, faults, log, connections and reset over /_emulator/, unsigned', async () => {
    const info = await admin('info');
    expect(info.json).toMatchObject({ controlPlaneEndpoint: emu.controlPlaneEndpoint, region: 'us-west-2', credentials: emu.credentials });

    expect((await admin('faults/fail-next', { operation: 'ListSignalingChannels', count: 1 })).status).toBe(200);
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(500);
    expect((await admin('faults/throttle-next', { operation: 'ListSignalingChannels', count: 1 })).status).toBe(200);
    expect((await call(emu, '/listSignalingChannels', {})).headers['x-amzn-errortype']).toBe('ClientLimitExceededException');

    await admin('log/clear', {});
    await call(emu, '/listSignalingChannels', {});
    expect((await admin('log/count?operation=ListSignalingChannels')).json).toEqual({ count: 1 });
    const reqs = (await admin('log/requests')).json as unknown as Array<{ operation: string }>;
    expect(reqs.map((r) => r.operation)).toEqual(['ListSignalingChannels']);

    const arn = await fresh();
    const v1 = await connect(emu, arn, { clientId: 'v1' });
    const conns = (await admin(`connections?channelArn=${encodeURIComponent(arn)}`)).json as unknown as unknown[];
    expect(conns).toHaveLength(1);
    expect((await admin('faults/reconnect-ice-server', { channelArn: arn })).json).toEqual({ count: 1 });
    expect((await v1.next()).messageType).toBe('RECONNECT_ICE_SERVER');
    expect((await admin('faults/go-away', { channelArn: arn })).json).toEqual({ count: 1 });
    expect((await v1.next()).messageType).toBe('GO_AWAY');
    const frames = (await admin('log/frames')).json as unknown as Array<{ text: string }>;
    expect(frames.map((f) => f.text)).toContain('{"messageType":"GO_AWAY"}');
    expect((await admin('faults/drop', { channelArn: arn })).json).toEqual({ count: 1 });
    expect(await v1.closed).toBe(1006);

    await admin('faults/refuse-handshake', { count: 1, role: 'MASTER', status: 403, errorType: 'AccessDeniedException' });
    const r = await refused(connect(emu, arn));
    expect([r.status, r.errorType]).toEqual([403, 'AccessDeniedException']);

    await admin('faults/latency', { ms: 100 });
    await admin('faults/clock-offset', { ms: 3_600_000 });
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(403);
    await admin('reset', {});
    expect((await call(emu, '/listSignalingChannels', {})).status).toBe(200);
  });

  test('bad admin input gets 400 with a message; unknown routes 404', async () => {
    const bad = await admin('faults/fail-next', { operation: 'Nope', count: 1 });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/operation/);
    expect((await admin('faults/fail-next', { operation: 'ListSignalingChannels', count: -1 })).status).toBe(400);
    expect((await admin('faults/drop', { role: 'ADMIN' })).status).toBe(400);
    const notJson = await rawRequest(emu, '/_emulator/faults/latency', { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    expect((await admin('nothing-here')).status).toBe(404);
  });
});
