import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { SignalingClient } from '@kvs-sig/client';
import { startTestEmulator, type TestEmulator } from '@kvs-sig/emulator/testing';

let emu: TestEmulator;
beforeAll(async () => {
  emu = await startTestEmulator(); // https://127.0.0.1:<free port>, its own CA, random keys
});
afterAll(() => emu.stop());
afterEach(() => emu.reset()); // faults off, log cleared

test('a viewer offer reaches the master and the answer comes back', async () => {
  const { channelName } = await emu.createChannel();
  const master = new SignalingClient({ ...emu.connection, role: 'MASTER', channelName });
  const viewer = new SignalingClient({ ...emu.connection, role: 'VIEWER', channelName, clientId: 'viewer-1' });
  try {
    await master.connect();
    await viewer.connect();

    const offered = master.waitFor('sdpOffer', { timeoutMs: 5000 });
    await viewer.sendSdpOffer({ type: 'offer', sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' });
    const offer = await offered;
    expect(offer.senderClientId).toBe('viewer-1');

    const answered = viewer.waitFor('sdpAnswer', { timeoutMs: 5000 });
    await master.sendSdpAnswer({ type: 'answer', sdp: 'v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' }, offer.senderClientId);
    expect((await answered).payload.sdp).toContain('o=- 2 1');

    expect(emu.log.count('ConnectAsMaster')).toBe(1);
    expect(emu.log.count('ConnectAsViewer')).toBe(1);
  } finally {
    await viewer.close();
    await master.close();
  }
});

test('the viewer reconnects after the service drops its connection', async () => {
  const { channelName } = await emu.createChannel();
  const viewer = new SignalingClient({ ...emu.connection, role: 'VIEWER', channelName, clientId: 'viewer-2' });
  try {
    await viewer.connect();
    const reopened = viewer.waitFor('open', { timeoutMs: 10_000, filter: (e) => e.reconnected });
    expect(emu.faults.dropConnections({ clientId: 'viewer-2' })).toBe(1);
    await reopened;
    expect(emu.log.count('ConnectAsViewer')).toBe(2);
  } finally {
    await viewer.close();
  }
});
