/**
 * What a client does when its channel is deleted under it (decided in the
 * README's routing table): looked up by name, it keeps looking the channel up
 * (an error event per attempt, the usual backoff) and follows a re-created
 * channel of that name whatever the timing; given only an ARN, which names one
 * incarnation of the channel, it gives up (error, close).
 */
import type { ServiceError, SignalingError } from '@kvs-sig/core';
import { Harness, offer, until } from '../support/helpers';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

const fast = { reconnect: { initialDelayMs: 10, maxDelayMs: 100 } };
const notFound = (e: SignalingError) => (e as ServiceError).httpStatus === 404;

test('a viewer by name survives its channel being deleted and follows the channel a new master re-creates', async () => {
  h = await Harness.start();
  const master = h.master('gone', { createChannelIfMissing: true });
  await master.connect();
  const viewer = h.viewer('gone', 'v1', fast);
  await viewer.connect();
  const firstArn = viewer.channelArn!;
  const errors: SignalingError[] = [];
  viewer.on('error', (e) => errors.push(e));
  await master.close();

  await viewer.channels.deleteChannel({ channelName: 'gone' });
  // Well past the first-connect budget of 8 attempts: a client that was open keeps looking.
  await until(() => errors.filter(notFound).length >= 10, 10_000, 'ten lookups that find no channel');
  expect(viewer.state).toBe('reconnecting');

  const reopened = viewer.waitFor('open', { timeoutMs: 10_000 });
  const again = h.master('gone', { createChannelIfMissing: true });
  await again.connect();
  expect(await reopened).toEqual({ reconnected: true });
  expect(again.channelArn).not.toBe(firstArn);
  expect(viewer.channelArn).toBe(again.channelArn);
  const got = again.waitFor('sdpOffer', { timeoutMs: 3000 });
  await viewer.sendSdpOffer(offer);
  expect((await got).senderClientId).toBe('v1');
});

test('a viewer given only the ARN gives up when that channel is deleted: an error, then close without reconnect', async () => {
  h = await Harness.start();
  const arn = await h.createChannel('gone-arn');
  const viewer = h.client({ role: 'VIEWER', channelArn: arn, clientId: 'v1', ...fast });
  await viewer.connect();
  const errors: SignalingError[] = [];
  viewer.on('error', (e) => errors.push(e));
  const final = viewer.waitFor('close', { filter: (e) => !e.willReconnect, timeoutMs: 10_000 });
  await viewer.channels.deleteChannel({ channelArn: arn });
  await final;
  await until(() => viewer.state === 'closed', 3000, 'closed');
  expect(errors.some(notFound)).toBe(true);
});

test('a first connect() to a channel that does not exist still fails at once (a wrong name is not an outage)', async () => {
  h = await Harness.start();
  const viewer = h.viewer('never-was', 'v1', fast);
  await expect(viewer.connect()).rejects.toMatchObject({ httpStatus: 404 });
  expect(viewer.metrics().attempts).toBe(1);
});
