/**
 * Our SignalingClient wired to the in-memory socket for the message-cost
 * benchmark: a master on a known channel ARN and WSS endpoint, so no HTTP is
 * made (no HTTPS endpoint given, so no ICE prefetch either).
 * @packageDocumentation
 */
import { SignalingClient, type WebSocketConstructor } from '@kvs-sig/client';
import { FakeSocket, until } from './fake-socket';
import type { MessageSubject } from './message-cost';

/** Inputs of {@link createOursMaster}. @public */
export interface OursMasterInput {
  region: string;
  channelArn: string;
  wssEndpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  viewerId: string;
  /** Our client's duplicate window; 0 turns the check off (to size its cost). Default: the client's. */
  dedupeWindowMs?: number;
}

/** Builds our client as a master on the fake socket and opens it. @public */
export async function createOursMaster(input: OursMasterInput): Promise<MessageSubject> {
  const client = new SignalingClient({
    role: 'MASTER',
    region: input.region,
    channelArn: input.channelArn,
    signalingEndpoints: { wssEndpoint: input.wssEndpoint },
    credentials: input.credentials,
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
    reconnect: false,
    // Thousands of sends per second through one connection: pacing would queue them; the CPU is what is measured.
    sendRate: false,
    ...(input.dedupeWindowMs === undefined ? {} : { dedupeWindowMs: input.dedupeWindowMs }),
  });
  let delivered = 0;
  client.on('sdpOffer', (e) => {
    if (e.payload !== undefined && e.senderClientId !== undefined) delivered++;
  });
  client.on('iceCandidate', (e) => {
    if (e.payload !== undefined && e.senderClientId !== undefined) delivered++;
  });
  client.on('error', () => {});
  const before = FakeSocket.instances.length;
  const connected = client.connect();
  await until(() => FakeSocket.instances.length > before, 5000, 'our client to create its socket');
  const socket = FakeSocket.instances[FakeSocket.instances.length - 1] as FakeSocket;
  socket.open();
  await connected;
  // A failed send leaves the socket's frame count short, which the harness reports.
  const fail = (): void => undefined;
  return {
    name: input.dedupeWindowMs === 0 ? 'ours: SignalingClient, dedupeWindowMs 0' : 'ours: SignalingClient',
    recv: (event) => socket.deliver(event),
    sendAnswer: (a) => void client.sendSdpAnswer(a, input.viewerId).catch(fail),
    sendCandidate: (c) => void client.sendIceCandidate(c, input.viewerId).catch(fail),
    delivered: () => delivered,
    sentFrames: () => socket.sent,
    lastSent: () => socket.lastSent,
    close: () => client.close(),
  };
}
