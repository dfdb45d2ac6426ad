/**
 * A first connect() settles: by default it makes `reconnect.maxConnectAttempts`
 * (8) attempts, each failed one an `error` event, then rejects with the last
 * typed error. Before, a full channel or a control plane that does not answer
 * left connect() pending for ever, the cause visible only in `reconnecting`.
 * Reconnects after a connection has opened keep their own policy (maxAttempts).
 */
import { ServiceError, TransportError, type SignalingError } from '@kvs-sig/core';
import { SignalingClient } from '../../src/index';
import { Harness, deadPort, until } from '../support/helpers';

/** The outcome of `p`, or 'pending' if it has not settled within `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<{ value?: T; error?: unknown } | 'pending'> {
  return Promise.race([
    p.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise<'pending'>((r) => setTimeout(() => r('pending'), ms)),
  ]);
}

const fast = { initialDelayMs: 10, maxDelayMs: 20 };
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

let h: Harness | undefined;
const clients: SignalingClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await h?.stop();
  h = undefined;
});

describe('a first connect() settles', () => {
  test('unreachable control plane: rejects after the default 8 attempts with the last CONNECTION_FAILED, one error event each', async () => {
    const port = await deadPort();
    const client = new SignalingClient({ role: 'MASTER', region: 'us-west-2', channelName: 'cam', credentials, endpoint: `https://127.0.0.1:${port}`, reconnect: fast });
    clients.push(client);
    const errors: SignalingError[] = [];
    client.on('error', (e) => errors.push(e));
    const outcome = await within(client.connect(), 4000);
    expect(outcome).not.toBe('pending');
    const error = (outcome as { error?: unknown }).error;
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' });
    expect((error as Error).message).toMatch(/DescribeSignalingChannel/);
    expect(client.metrics().attempts).toBe(8);
    expect(errors).toHaveLength(8);
    expect(errors.every((e) => e.code === 'CONNECTION_FAILED')).toBe(true);
    expect(errors.at(-1)).toBe(error);
    expect(client.state).toBe('idle');
  });

  test('full channel: the extra viewer rejects with ClientLimitExceededException after the budget, one error event per attempt', async () => {
    h = await Harness.start({ limits: { maxViewersPerChannel: 1, connectsPerSecondPerChannel: 1000 } });
    await h.createChannel('full');
    await h.viewer('full', 'v1').connect();
    // The strategy only shortens the waits (the viewer limit waits at least 1 s); the attempt budget is the default.
    const extra = h.viewer('full', 'v2', { reconnect: { strategy: () => 20 } });
    const errors: SignalingError[] = [];
    extra.on('error', (e) => errors.push(e));
    const outcome = await within(extra.connect(), 4000);
    expect(outcome).not.toBe('pending');
    const error = (outcome as { error?: unknown }).error;
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ errorType: 'ClientLimitExceededException' });
    expect(errors).toHaveLength(8);
    expect(errors.every((e) => (e as ServiceError).errorType === 'ClientLimitExceededException')).toBe(true);
    expect(h.emu.log.requests().filter((r) => r.operation === 'ConnectAsViewer' && r.status !== 101)).toHaveLength(8);
  });

  test('the budget is configurable: maxConnectAttempts 2 makes two attempts; Infinity keeps trying until the signal aborts', async () => {
    const port = await deadPort();
    const base = { role: 'MASTER' as const, region: 'us-west-2', channelName: 'cam', credentials, endpoint: `https://127.0.0.1:${port}` };
    const two = new SignalingClient({ ...base, reconnect: { ...fast, maxConnectAttempts: 2 } });
    clients.push(two);
    await expect(two.connect()).rejects.toMatchObject({ code: 'CONNECTION_FAILED' });
    expect(two.metrics().attempts).toBe(2);

    const forever = new SignalingClient({ ...base, reconnect: { ...fast, maxConnectAttempts: Infinity } });
    clients.push(forever);
    await expect(forever.connect({ signal: AbortSignal.timeout(1500) })).rejects.toMatchObject({ code: 'ABORTED' });
    expect(forever.metrics().attempts).toBeGreaterThan(8);

    expect(() => new SignalingClient({ ...base, reconnect: { maxConnectAttempts: 0 } })).toThrow(expect.objectContaining({ field: 'reconnect.maxConnectAttempts' }));
  });

  test('reconnects after an open keep their policy: 12 refused handshakes in a row, then it reconnects', async () => {
    h = await Harness.start();
    await h.createChannel('keeps');
    const viewer = h.viewer('keeps', 'v1', { reconnect: fast });
    await viewer.connect();
    const errors: SignalingError[] = [];
    viewer.on('error', (e) => errors.push(e));
    h.emu.faults.refuseHandshake(12, { role: 'VIEWER', status: 500 });
    const reopened = viewer.waitFor('open', { timeoutMs: 10_000 });
    h.emu.faults.dropConnections({ role: 'VIEWER' });
    expect(await reopened).toEqual({ reconnected: true });
    expect(errors.length).toBeGreaterThanOrEqual(12);
    await until(() => viewer.state === 'open', 1000, 'open');
  });
});
