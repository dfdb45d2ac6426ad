/**
 * End to end over the emulator: when the service cannot hold a message for a
 * recipient that is not connected (the emulator's limits.maxHeldMessagesPerRecipient),
 * a sender that gave a correlationId hears of it: a `statusResponse` event and an
 * `error` with code DELIVERY_FAILED naming the correlationId. What was held
 * arrives when the recipient connects; the refused message does not.
 */
import { ServiceError, type SignalingClientEvents, type SignalingError } from '../../src/index';
import { Harness, candidate, until } from '../support/helpers';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start({ limits: { maxHeldMessagesPerRecipient: 2 } });
});
afterEach(async () => {
  await h.stop();
});

test('the master sends 3 candidates to an absent viewer that can hold 2: the third comes back as DELIVERY_FAILED', async () => {
  const master = h.master('held', { createChannelIfMissing: true });
  await master.connect();
  const statuses: Array<SignalingClientEvents['statusResponse']> = [];
  const errors: SignalingError[] = [];
  master.on('statusResponse', (e) => statuses.push(e));
  master.on('error', (e) => errors.push(e));
  await master.sendIceCandidate(candidate(1), 'late-viewer', { correlationId: 'cand-1' });
  await master.sendIceCandidate(candidate(2), 'late-viewer', { correlationId: 'cand-2' });
  await master.sendIceCandidate(candidate(3), 'late-viewer', { correlationId: 'cand-3' });
  await until(() => errors.length === 1, 3000, 'the DELIVERY_FAILED error');

  expect(statuses).toEqual([
    {
      correlationId: 'cand-3',
      errorType: 'ClientLimitExceededException',
      statusCode: '400',
      description: '2 undelivered messages are already held for viewer late-viewer; this ICE_CANDIDATE was not held',
    },
  ]);
  const [error] = errors;
  expect(error).toBeInstanceOf(ServiceError);
  expect(error).toMatchObject({ code: 'DELIVERY_FAILED', errorType: 'ClientLimitExceededException', httpStatus: 400 });
  expect(error!.message).toContain('cand-3');
  expect(master.state).toBe('open');
  expect(h.emu.log.undelivered()).toEqual([expect.objectContaining({ reason: 'RECIPIENT_HOLD_FULL', correlationId: 'cand-3', statusResponseSent: true })]);

  // The two held candidates reach the viewer once it connects; the refused one never does.
  const viewer = h.viewer('held', 'late-viewer', { iceBuffering: false });
  const got: string[] = [];
  viewer.on('iceCandidate', (e) => got.push(String(e.payload.candidate)));
  await viewer.connect();
  await until(() => got.length === 2, 3000, 'the held candidates');
  await new Promise((r) => setTimeout(r, 200));
  expect(got).toEqual([candidate(1).candidate, candidate(2).candidate]);
  expect(statuses).toHaveLength(1);
});
