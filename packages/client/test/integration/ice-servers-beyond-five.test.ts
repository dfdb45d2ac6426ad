/**
 * GetIceServerConfig replies longer than the C SDK's 5 servers: the client keeps
 * every one (core's default cap of 5 is the C array size; RTCPeerConnection takes
 * more), both through SignalingClient.getIceServers() and ChannelManager.
 */
import { ChannelManager } from '../../src/index';
import { Harness } from '../support/helpers';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start({ iceServerCount: 7 });
});
afterEach(async () => {
  await h.stop();
});

test('a GetIceServerConfig reply with 7 servers gives STUN + all 7 TURN servers, in order', async () => {
  const master = h.master('seven', { createChannelIfMissing: true });
  await master.connect();
  const servers = await master.getIceServers();
  expect(servers).toHaveLength(8);
  expect(servers[0]).toEqual({ urls: 'stun:stun.kinesisvideo.us-west-2.amazonaws.com:443' });
  const turn = servers.slice(1);
  for (const s of turn) expect(s).toMatchObject({ urls: expect.arrayContaining([expect.stringMatching(/^turns?:/)]) as unknown, username: expect.any(String) as unknown, credential: expect.any(String) as unknown });
  expect(new Set(turn.map((s) => s.username)).size).toBe(7);

  const cm = new ChannelManager(h.base());
  try {
    const config = await cm.getIceServerConfig({ channelArn: master.channelArn! });
    expect(config.iceServers).toHaveLength(8);
    expect(config.ttlSeconds).toBe(300);
  } finally {
    await cm.close();
  }
});
