import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { SignalingClient } from '@kvs-sig/client';
import { startTestEmulator, type TestEmulator } from '@kvs-sig/emulator/testing';

let emu: TestEmulator;
before(async () => {
  emu = await startTestEmulator(); // https://127.0.0.1:<free port>, its own CA, random keys
});
after(() => emu.stop());
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
    assert.equal(offer.senderClientId, 'viewer-1');

    const answered = viewer.waitFor('sdpAnswer', { timeoutMs: 5000 });
    await master.sendSdpAnswer({ type: 'answer', sdp: 'v=0\r\no=- 2 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' }, offer.senderClientId);
    assert.match((await answered).payload.sdp ?? '', /o=- 2 1/);

    assert.equal(emu.log.count('ConnectAsMaster'), 1);
    assert.equal(emu.log.count('ConnectAsViewer'), 1);
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
    assert.equal(emu.faults.dropConnections({ clientId: 'viewer-2' }), 1);
    await reopened;
    assert.equal(emu.log.count('ConnectAsViewer'), 2);
  } finally {
    await viewer.close();
  }
});
