import { ChannelManager } from '../../src/index';
import { Harness } from '../support/helpers';

let h: Harness;
let cm: ChannelManager;
beforeEach(async () => {
  h = await Harness.start();
  cm = new ChannelManager(h.base());
});
afterEach(async () => {
  await cm.close();
  await h.stop();
});

describe('ChannelManager against the emulator', () => {
  test('create, describe (by name and ARN), list with prefix, delete (by ARN and by name)', async () => {
    const { channelArn } = await cm.createChannel({ channelName: 'cm-a', messageTtlSeconds: 30, tags: [{ key: 'team', value: 'video' }] });
    await cm.createChannel({ channelName: 'cm-b' });
    await cm.createChannel({ channelName: 'other' });
    const byName = await cm.describeChannel({ channelName: 'cm-a' });
    expect(byName).toMatchObject({ channelArn, channelName: 'cm-a', messageTtlSeconds: 30, channelType: 'SINGLE_MASTER' });
    expect(await cm.describeChannel({ channelArn })).toMatchObject({ channelName: 'cm-a' });
    const listed = await cm.listChannels({ prefix: 'cm-' });
    expect(listed.channels.map((c) => c.channelName).sort()).toEqual(['cm-a', 'cm-b']);
    await cm.deleteChannel({ channelArn });
    await cm.deleteChannel({ channelName: 'cm-b' });
    await cm.deleteChannel({ channelName: 'cm-b' }); // already gone: not an error
    await expect(cm.describeChannel({ channelName: 'cm-a' })).rejects.toMatchObject({ errorType: 'ResourceNotFoundException', httpStatus: 404 });
    expect((await cm.listChannels()).channels.map((c) => c.channelName)).toEqual(['other']);
  });

  test('getEndpoints and getIceServers (STUN first, then TURN)', async () => {
    const { channelArn } = await cm.createChannel({ channelName: 'cm-ep' });
    const ep = await cm.getEndpoints({ channelArn, role: 'VIEWER' });
    expect(ep.wssEndpoint).toMatch(/^wss:\/\//);
    expect(ep.httpsEndpoint).toMatch(/^https:\/\//);
    const ice = await cm.getIceServers({ channelArn, clientId: 'v1' });
    expect(ice[0]!.urls).toBe('stun:stun.kinesisvideo.us-west-2.amazonaws.com:443');
    expect(ice.slice(1).every((s) => (s.urls as string[]).every((u) => /^turns?:/.test(u)))).toBe(true);
    await expect(cm.getEndpoints({ channelArn, role: 'MASTER', protocols: ['WEBRTC'] })).rejects.toMatchObject({ errorType: 'InvalidArgumentException' });
  });

  test('bad input is a typed error naming the field, before any request', async () => {
    await expect(cm.createChannel({ channelName: 'bad name!' })).rejects.toMatchObject({ field: 'channelName' });
    await expect(cm.createChannel({ channelName: 'x', messageTtlSeconds: 1 })).rejects.toMatchObject({ field: 'messageTtlSeconds' });
    await expect(cm.getEndpoints({ channelArn: 'nope', role: 'MASTER' })).rejects.toMatchObject({ field: 'channelArn' });
    expect(h.emu.log.count()).toBe(0);
  });

  test('media storage: describe/update, and a master with joinStorageSession gets the media server offer on every (re)connect', async () => {
    const { channelArn } = await cm.createChannel({ channelName: 'cm-storage' });
    expect((await cm.describeMediaStorageConfiguration({ channelArn })).status).toBe('DISABLED');
    const streamArn = await h.createStream('cm-stream');
    await cm.updateMediaStorageConfiguration({ channelArn, status: 'ENABLED', streamArn });
    expect(await cm.describeMediaStorageConfiguration({ channelName: 'cm-storage' })).toMatchObject({ status: 'ENABLED', streamArn });
    const master = h.master('cm-storage', { joinStorageSession: true, dedupeWindowMs: 0, reconnect: { initialDelayMs: 10 } });
    const first = master.waitFor('sdpOffer', { timeoutMs: 3000 });
    await master.connect();
    expect(await first).toMatchObject({ senderClientId: expect.stringMatching(/^AWS_MEDIA_SERVER_/), payload: { type: 'offer' } });
    const again = master.waitFor('sdpOffer', { timeoutMs: 3000 });
    h.emu.faults.dropConnections({ role: 'MASTER' });
    await again;
    expect(h.emu.log.count('JoinStorageSession')).toBe(2);
  });

  test('close() is idempotent and later calls reject CLIENT_CLOSED', async () => {
    await cm.close();
    await cm.close();
    await expect(cm.listChannels()).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
  });
});
