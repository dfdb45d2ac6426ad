import { Role, SignalingClient } from 'amazon-kinesis-video-streams-webrtc';
import WebSocket from 'ws';
import type { Emulator } from '../src';
import { call, createChannel, withEmulator } from './helpers';

// The official KVS JS SDK's SignalingClient against the emulator: signs with its own
// SigV4 signer, connects, and exchanges an offer, an answer and candidates.
let emu: Emulator;
const globals = globalThis as unknown as { WebSocket?: unknown };
const previous = globals.WebSocket;

beforeAll(async () => {
  emu = await withEmulator();
  const ca = emu.ca;
  // Node 20 has no global WebSocket; the SDK uses the global, so give it ws with our CA.
  globals.WebSocket = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca });
    }
  };
});
afterAll(async () => {
  globals.WebSocket = previous;
  await emu.close();
});

function once<T extends unknown[]>(client: SignalingClient, event: string, timeoutMs = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    client.once(event, (...args: unknown[]) => {
      clearTimeout(t);
      resolve(args as T);
    });
    client.once('error', (e: unknown) => {
      clearTimeout(t);
      reject(e instanceof Error ? e : new Error(`SignalingClient error: ${String((e as { message?: string })?.message ?? e)}`));
    });
  });
}

test('SignalingClient connects as master and as viewer and exchanges offer, answer and ICE candidates', async () => {
  const arn = await createChannel(emu, 'official');
  const ep = await call(emu, '/getSignalingChannelEndpoint', {
    ChannelARN: arn,
    SingleMasterChannelEndpointConfiguration: { Protocols: ['WSS'], Role: 'MASTER' },
  });
  const wss = (ep.json.ResourceEndpointList as Array<{ ResourceEndpoint: string }>)[0]!.ResourceEndpoint;
  const common = { channelARN: arn, channelEndpoint: wss, region: emu.region, credentials: emu.credentials };
  const master = new SignalingClient({ ...common, role: Role.MASTER });
  const viewer = new SignalingClient({ ...common, role: Role.VIEWER, clientId: 'official-viewer' });
  try {
    const masterOpen = once(master, 'open');
    master.open();
    await masterOpen;
    const viewerOpen = once(viewer, 'open');
    viewer.open();
    await viewerOpen;
    expect(emu.connections({ channelArn: arn }).map((c) => [c.role, c.clientId])).toEqual([
      ['MASTER', undefined],
      ['VIEWER', 'official-viewer'],
    ]);

    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
    const gotOffer = once<[unknown, string]>(master, 'sdpOffer');
    viewer.sendSdpOffer(offer as never);
    const [offerPayload, sender] = await gotOffer;
    expect(offerPayload).toEqual(offer);
    expect(sender).toBe('official-viewer');

    const answer = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };
    const gotAnswer = once<[unknown]>(viewer, 'sdpAnswer');
    master.sendSdpAnswer(answer as never, 'official-viewer');
    expect((await gotAnswer)[0]).toEqual(answer);

    const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    const masterCand = once<[unknown, string]>(master, 'iceCandidate');
    viewer.sendIceCandidate(candidate as never);
    const [c1, from] = await masterCand;
    expect(c1).toEqual(candidate);
    expect(from).toBe('official-viewer');
    const viewerCand = once<[unknown]>(viewer, 'iceCandidate');
    master.sendIceCandidate(candidate as never, 'official-viewer');
    expect((await viewerCand)[0]).toEqual(candidate);

    // The frames it sent used the documented lower-camel keys, and the emulator relayed them.
    const inbound = emu.log.frames().filter((f) => f.direction === 'in' && f.channelArn === arn);
    expect(inbound).toHaveLength(4);
    for (const f of inbound) expect(Object.keys(JSON.parse(f.text) as object)).toContain('messagePayload');
  } finally {
    const closed = [once(master, 'close'), once(viewer, 'close')];
    master.close();
    viewer.close();
    await Promise.all(closed);
  }
});

test('a SignalingClient with wrong credentials is refused at the handshake (error, then close)', async () => {
  const arn = await createChannel(emu, 'official-bad');
  const client = new SignalingClient({
    channelARN: arn,
    channelEndpoint: emu.controlPlaneEndpoint.replace('https:', 'wss:'),
    region: emu.region,
    credentials: { accessKeyId: emu.credentials.accessKeyId, secretAccessKey: 'wrong' },
    role: Role.MASTER,
  });
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  const errored = new Promise<void>((resolve) => client.once('error', () => resolve()));
  client.open();
  await Promise.all([errored, closed]);
  const last = emu.log.requests().at(-1)!;
  expect([last.operation, last.status, last.errorType]).toEqual(['ConnectAsMaster', 403, 'AccessDeniedException']);
});

test('with temporary credentials, the official signer puts the session token in the signed query and is accepted', async () => {
  const temp = await withEmulator({ credentials: { accessKeyId: 'ASIAOFFICIAL', secretAccessKey: 'officialsecret', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE/+=' } });
  const ca = temp.ca;
  const saved = globals.WebSocket;
  globals.WebSocket = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca });
    }
  };
  try {
    const arn = await createChannel(temp, 'official-temp');
    const viewer = new SignalingClient({
      channelARN: arn,
      channelEndpoint: temp.controlPlaneEndpoint.replace('https:', 'wss:'),
      region: temp.region,
      credentials: temp.credentials,
      role: Role.VIEWER,
      clientId: 'temp-viewer',
    });
    const opened = once(viewer, 'open');
    viewer.open();
    await opened;
    expect(temp.connections({ clientId: 'temp-viewer' })).toHaveLength(1);
    const closed = once(viewer, 'close');
    viewer.close();
    await closed;
  } finally {
    globals.WebSocket = saved;
    await temp.close();
  }
});
