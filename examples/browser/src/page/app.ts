/**
 * The master and viewer pages: a `SignalingClient` from `@kvs-sig/client`'s
 * browser build, signed by the example server (no keys here), a live log of
 * signaling events, a data-channel chat and camera video where there is one.
 *
 * `window.kvsExample` exposes the same actions as the buttons, for scripts and
 * the end-to-end tests.
 * @packageDocumentation
 */
import { SignalingClient } from '@kvs-sig/client';
import { createBackendSigner, createProxyFetch } from './remote-signer';

type Role = 'MASTER' | 'VIEWER';

interface StartOptions {
  region: string;
  channelName: string;
  role: Role;
  clientId?: string;
  /** `relay` sends everything through TURN. */
  iceTransportPolicy?: RTCIceTransportPolicy;
  /** Send the camera (if the browser has one). Default: master yes, viewer no. */
  sendVideo?: boolean;
  /** Viewer: ask the master for video. Default true. */
  receiveVideo?: boolean;
}

interface Peer {
  id: string;
  pc: RTCPeerConnection;
  channel?: RTCDataChannel;
  pending: RTCIceCandidateInit[];
  remoteSet: boolean;
}

interface ServerConfig {
  region: string;
  endpoint: string | null;
}

const $ = <T extends HTMLElement>(id: string): T | null => document.getElementById(id) as T | null;

const state = {
  log: [] as string[],
  received: [] as string[],
  errors: [] as string[],
  client: undefined as SignalingClient | undefined,
  peers: new Map<string, Peer>(),
  localStream: undefined as MediaStream | undefined,
  offs: [] as Array<() => void>,
};

function log(line: string): void {
  const stamped = `${new Date().toISOString().slice(11, 23)} ${line}`;
  state.log.push(line);
  const box = $<HTMLPreElement>('log');
  if (box) {
    box.textContent += `${stamped}\n`;
    box.scrollTop = box.scrollHeight;
  }
}

function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    return `${String((error as { code: unknown }).code)}: ${String((error as { message: unknown }).message)}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function fail(what: string, error: unknown): void {
  const line = `${what}: ${describeError(error)}`;
  state.errors.push(line);
  log(`error ${line}`);
}

async function loadConfig(): Promise<ServerConfig> {
  const response = await fetch('/config.json');
  return (await response.json()) as ServerConfig;
}

async function camera(): Promise<MediaStream | undefined> {
  if (!navigator.mediaDevices?.getUserMedia) return undefined;
  try {
    return await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch (error) {
    log(`no camera: ${describeError(error)}`);
    return undefined;
  }
}

function showLocal(stream: MediaStream | undefined): void {
  const video = $<HTMLVideoElement>('local-video');
  if (video && stream) video.srcObject = stream;
}

function showRemote(stream: MediaStream): void {
  const video = $<HTMLVideoElement>('remote-video');
  if (video) video.srcObject = stream;
}

function wireChannel(peer: Peer, channel: RTCDataChannel): void {
  peer.channel = channel;
  channel.onopen = () => log(`data channel open (${peer.id})`);
  channel.onclose = () => log(`data channel closed (${peer.id})`);
  channel.onmessage = (event) => {
    const text = typeof event.data === 'string' ? event.data : '[binary]';
    state.received.push(text);
    log(`chat < ${peer.id}: ${text}`);
  };
}

function newPeer(id: string, iceServers: RTCIceServer[], policy: RTCIceTransportPolicy | undefined, client: SignalingClient, recipient?: string): Peer {
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy: policy ?? 'all' });
  const peer: Peer = { id, pc, pending: [], remoteSet: false };
  pc.onicecandidate = ({ candidate }) => {
    if (!candidate) return;
    const init = candidate.toJSON();
    const payload = { candidate: init.candidate ?? '', sdpMid: init.sdpMid ?? null, sdpMLineIndex: init.sdpMLineIndex ?? null };
    Promise.resolve(recipient ? client.sendIceCandidate(payload, recipient) : client.sendIceCandidate(payload)).catch((e: unknown) =>
      fail('send candidate', e),
    );
  };
  pc.onconnectionstatechange = () => log(`peer ${id}: ${pc.connectionState}`);
  pc.ontrack = (event) => {
    const [stream] = event.streams;
    showRemote(stream ?? new MediaStream([event.track]));
  };
  state.peers.set(id, peer);
  return peer;
}

async function addCandidate(peer: Peer, candidate: RTCIceCandidateInit): Promise<void> {
  // Remote candidates can arrive before the remote description: hold them.
  if (!peer.remoteSet) peer.pending.push(candidate);
  else await peer.pc.addIceCandidate(candidate);
}

async function remoteDescriptionSet(peer: Peer): Promise<void> {
  peer.remoteSet = true;
  for (const c of peer.pending.splice(0)) await peer.pc.addIceCandidate(c);
}

async function start(options: StartOptions): Promise<void> {
  await stop();
  const config = await loadConfig();
  const { role } = options;
  const client = new SignalingClient({
    role,
    region: options.region || config.region,
    channelName: options.channelName,
    ...(role === 'VIEWER' ? { clientId: options.clientId || `viewer-${Math.random().toString(36).slice(2, 10)}` } : {}),
    requestSigner: createBackendSigner(),
    fetch: createProxyFetch(),
    createChannelIfMissing: true,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
  });
  state.client = client;
  const events = [
    'stateChange', 'open', 'close', 'reconnecting', 'error', 'sdpOffer', 'sdpAnswer', 'iceCandidate',
    'statusResponse', 'goAway', 'reconnectIceServer', 'iceServersChanged', 'unknownMessage',
  ] as const;
  for (const name of events) {
    state.offs.push(
      client.on(name, (payload: unknown) => {
        log(`${name} ${summarize(name, payload)}`);
      }),
    );
  }

  const sendVideo = options.sendVideo ?? role === 'MASTER';
  state.localStream = sendVideo ? await camera() : undefined;
  showLocal(state.localStream);

  await client.connect();
  const iceServers = (await client.getIceServers()) as RTCIceServer[];
  log(`ice servers: ${iceServers.length}`);

  if (role === 'MASTER') {
    state.offs.push(
      client.on('sdpOffer', ({ payload, senderClientId }) => {
        if (!senderClientId) return;
        answerViewer(client, senderClientId, payload, iceServers, options).catch((e: unknown) => fail(`answer ${senderClientId}`, e));
      }),
      client.on('iceCandidate', ({ payload, senderClientId }) => {
        const peer = senderClientId ? state.peers.get(senderClientId) : undefined;
        if (peer) addCandidate(peer, payload).catch((e: unknown) => fail('add candidate', e));
      }),
    );
    return;
  }

  const peer = newPeer('master', iceServers, options.iceTransportPolicy, client);
  wireChannel(peer, peer.pc.createDataChannel('kvs-sig'));
  const stream = state.localStream;
  // A sent track makes a sendrecv transceiver; without one, still ask for the master's video.
  if (stream) for (const track of stream.getTracks()) peer.pc.addTrack(track, stream);
  else if (options.receiveVideo ?? true) peer.pc.addTransceiver('video', { direction: 'recvonly' });
  state.offs.push(
    client.on('sdpAnswer', ({ payload }) => {
      peer.pc
        .setRemoteDescription(payload as RTCSessionDescriptionInit)
        .then(() => remoteDescriptionSet(peer))
        .catch((e: unknown) => fail('apply answer', e));
    }),
    client.on('iceCandidate', ({ payload }) => {
      addCandidate(peer, payload).catch((e: unknown) => fail('add candidate', e));
    }),
  );
  const offer = await peer.pc.createOffer();
  await peer.pc.setLocalDescription(offer);
  await client.sendSdpOffer({ type: 'offer', sdp: offer.sdp ?? '' });
  log('offer sent');
}

async function answerViewer(
  client: SignalingClient,
  viewerId: string,
  offer: { type: string; sdp?: string },
  iceServers: RTCIceServer[],
  options: StartOptions,
): Promise<void> {
  state.peers.get(viewerId)?.pc.close();
  const peer = newPeer(viewerId, iceServers, options.iceTransportPolicy, client, viewerId);
  peer.pc.ondatachannel = ({ channel }) => wireChannel(peer, channel);
  await peer.pc.setRemoteDescription(offer as RTCSessionDescriptionInit);
  await remoteDescriptionSet(peer);
  for (const track of state.localStream?.getTracks() ?? []) peer.pc.addTrack(track, state.localStream as MediaStream);
  const answer = await peer.pc.createAnswer();
  await peer.pc.setLocalDescription(answer);
  await client.sendSdpAnswer({ type: 'answer', sdp: answer.sdp ?? '' }, viewerId);
  log(`answer sent to ${viewerId}`);
}

function summarize(name: string, payload: unknown): string {
  if (payload === undefined) return '';
  if (name === 'sdpOffer' || name === 'sdpAnswer' || name === 'iceCandidate') {
    const p = payload as { senderClientId?: string };
    return p.senderClientId ? `from ${p.senderClientId}` : 'from master';
  }
  if (name === 'error') return describeError(payload);
  try {
    return JSON.stringify(payload);
  } catch {
    return '';
  }
}

/** Sends `text` to every open data channel; returns how many got it. */
function send(text: string): number {
  let sent = 0;
  for (const peer of state.peers.values()) {
    if (peer.channel?.readyState === 'open') {
      peer.channel.send(text);
      sent++;
    }
  }
  log(`chat > ${text} (${sent} peer${sent === 1 ? '' : 's'})`);
  return sent;
}

function openChannels(): number {
  return [...state.peers.values()].filter((p) => p.channel?.readyState === 'open').length;
}

/** `local/remote` candidate types (host, srflx, relay) of each peer's selected candidate pair. */
async function selectedCandidateTypes(): Promise<string[]> {
  const types: string[] = [];
  for (const peer of state.peers.values()) {
    const stats = await peer.pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
    const transports = [...byId.values()].filter((s) => s.type === 'transport' && typeof s.selectedCandidatePairId === 'string');
    const pairs = transports.length
      ? transports.map((t) => byId.get(String(t.selectedCandidatePairId)))
      : [...byId.values()].filter((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    for (const pair of pairs) {
      if (!pair) continue;
      const local = byId.get(String(pair.localCandidateId));
      const remote = byId.get(String(pair.remoteCandidateId));
      types.push(`${String(local?.candidateType)}/${String(remote?.candidateType)}`);
    }
  }
  return types;
}

async function stop(): Promise<void> {
  for (const off of state.offs.splice(0)) off();
  for (const peer of state.peers.values()) peer.pc.close();
  state.peers.clear();
  for (const track of state.localStream?.getTracks() ?? []) track.stop();
  state.localStream = undefined;
  const client = state.client;
  state.client = undefined;
  if (client) await client.close();
}

function formOptions(): StartOptions {
  const value = (id: string) => $<HTMLInputElement>(id)?.value.trim() ?? '';
  const role = (value('role') || 'VIEWER') as Role;
  return {
    region: value('region'),
    channelName: value('channel'),
    role,
    clientId: value('client-id'),
    iceTransportPolicy: $<HTMLInputElement>('relay')?.checked ? 'relay' : 'all',
    sendVideo: $<HTMLInputElement>('send-video')?.checked ?? role === 'MASTER',
  };
}

function bindForm(): void {
  void loadConfig().then((config) => {
    const region = $<HTMLInputElement>('region');
    if (region && !region.value) region.value = config.region;
  });
  $('start')?.addEventListener('click', () => {
    start(formOptions()).catch((e: unknown) => fail('start', e));
  });
  $('stop')?.addEventListener('click', () => {
    stop().catch((e: unknown) => fail('stop', e));
  });
  $('chat-form')?.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>('chat-input');
    if (input?.value) {
      send(input.value);
      input.value = '';
    }
  });
}

const api = {
  start: (options: StartOptions) => start(options),
  stop,
  send,
  openChannels,
  selectedCandidateTypes,
  get log() {
    return [...state.log];
  },
  get received() {
    return [...state.received];
  },
  get errors() {
    return [...state.errors];
  },
  get state() {
    return state.client?.state ?? 'idle';
  },
};

declare global {
  interface Window {
    kvsExample: typeof api;
  }
}

window.kvsExample = api;
bindForm();
