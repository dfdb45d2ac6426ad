import { Harness, answer, candidate, offer } from '../support/helpers';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
});

describe('relay between a master and a viewer over real TLS sockets', () => {
  test('offer, answer and candidates flow both ways; states and events are reported', async () => {
    const master = h.master('relay', { createChannelIfMissing: true });
    const states: string[] = [];
    master.on('stateChange', ({ to }) => states.push(to));
    const opened = master.waitFor('open');
    await master.connect();
    expect(await opened).toEqual({ reconnected: false });
    expect(master.state).toBe('open');
    expect(states).toEqual(['connecting', 'open']);
    expect(master.channelArn).toMatch(/^arn:aws:kinesisvideo:us-west-2:\d{12}:channel\/relay\/\d+$/);

    const viewer = h.viewer('relay', 'viewer-1');
    await viewer.connect();

    const gotOffer = master.waitFor('sdpOffer', { timeoutMs: 3000 });
    await viewer.sendSdpOffer(offer);
    expect(await gotOffer).toEqual({ payload: offer, senderClientId: 'viewer-1' });

    const gotAnswer = viewer.waitFor('sdpAnswer', { timeoutMs: 3000 });
    await master.sendSdpAnswer(answer, 'viewer-1');
    expect(await gotAnswer).toEqual({ payload: answer, senderClientId: undefined });

    const toMaster: unknown[] = [];
    const toViewer: unknown[] = [];
    master.on('iceCandidate', (e) => toMaster.push(e));
    viewer.on('iceCandidate', (e) => toViewer.push(e));
    await viewer.sendIceCandidate(candidate(1));
    await master.sendIceCandidate(candidate(2), 'viewer-1');
    const { until } = await import('../support/helpers');
    await until(() => toMaster.length === 1 && toViewer.length === 1, 3000, 'candidates');
    expect(toMaster).toEqual([{ payload: candidate(1), senderClientId: 'viewer-1' }]);
    expect(toViewer).toEqual([{ payload: candidate(2), senderClientId: undefined }]);

    expect(master.metrics().messagesSent).toBe(2);
    expect(master.metrics().messagesReceived).toBe(2);

    const closed = master.waitFor('close');
    await master.close();
    expect(await closed).toEqual({ code: 1000, reason: 'client closed', willReconnect: false });
    expect(master.state).toBe('closed');
    // close() resolves when our end of the socket is closed; the service notices a moment later.
    await until(() => h.emu.connections({ role: 'MASTER' }).length === 0, 1000, 'the service to drop the master');
  });
});
