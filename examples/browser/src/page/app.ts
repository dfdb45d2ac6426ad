/**
 * The master and viewer pages: a `SignalingClient` from `@kvs-sig/client`'s
 * browser build, signed by the example server (no keys here), peer sessions
 * from `@kvs-sig/webrtc`, a live log of signaling events, a data-channel chat
 * and camera video both ways where there is one.
 *
 * `window.kvsExample` exposes the same actions as the buttons, for scripts and
 * the end-to-end tests.
 * @packageDocumentation
 */
import { SignalingClient } from '@kvs-sig/client';
import { createMasterSession, createViewerSession, type MasterSession, type ViewerSession } from '@kvs-sig/webrtc';
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
  session: undefined as MasterSession | ViewerSession | undefined,
  /** The chat channel of each peer: `master` on a viewer, the viewer's id on a master. */
  channels: new Map<string, RTCDataChannel>(),
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

function show(id: 'local-video' | 'remote-video', stream: MediaStream): void {
  const video = $<HTMLVideoElement>(id);
  if (!video) return;
  video.srcObject = stream;
  // autoplay alone may not start a stream set after load (and never in a page
  // the user has not touched if it had sound); start it explicitly, muted.
  video.muted = true;
  video.play().catch((e: unknown) => log(`${id}: ${describeError(e)}`));
}

function wireChannel(peerId: string, channel: RTCDataChannel): void {
  state.channels.set(peerId, channel);
  if (channel.readyState === 'open') log(`data channel open (${peerId})`);
  channel.addEventListener('open', () => log(`data channel open (${peerId})`));
  channel.addEventListener('close', () => log(`data channel closed (${peerId})`));
  channel.addEventListener('message', (event: MessageEvent) => {
    const text = typeof event.data === 'string' ? event.data : '[binary]';
    state.received.push(text);
    log(`chat < ${peerId}: ${text}`);
  });
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
  const stream = sendVideo ? await camera() : undefined;
  state.localStream = stream;
  if (stream) show('local-video', stream);
  const tracks = stream?.getTracks().map((track) => ({ track, streams: [stream] })) ?? [];
  const configuration = { iceTransportPolicy: options.iceTransportPolicy ?? 'all' };

  if (role === 'MASTER') {
    const master = createMasterSession({ signaling: client, configuration, tracks });
    state.session = master;
    master.on('viewerJoined', ({ clientId, peer }) => {
      log(`answering ${clientId}`);
      peer.on('stateChange', ({ to }) => log(`peer ${clientId}: ${to}`));
    });
    master.on('viewerLeft', ({ clientId, reason }) => {
      if (reason !== 'replaced') state.channels.delete(clientId);
      log(`viewer ${clientId} left (${reason})`);
    });
    master.on('dataChannel', ({ clientId, channel }) => wireChannel(clientId, channel as RTCDataChannel));
    master.on('track', ({ streams, track }) => show('remote-video', (streams[0] as MediaStream | undefined) ?? new MediaStream([track as MediaStreamTrack])));
    master.on('error', (e) => fail('master', e));
    await master.connect();
    log(`ice servers: ${(await client.getIceServers()).length}`);
    return;
  }

  // A sent camera makes a send-and-receive video transceiver; without one, still ask for the master's video.
  const receive: Array<'video'> = !stream && (options.receiveVideo ?? true) ? ['video'] : [];
  const viewer = createViewerSession({ signaling: client, configuration, tracks, receive, dataChannels: [{ label: 'kvs-sig' }] });
  state.session = viewer;
  viewer.on('stateChange', ({ to }) => log(`peer master: ${to}`));
  viewer.on('dataChannel', ({ channel }) => wireChannel('master', channel as RTCDataChannel));
  viewer.on('track', ({ streams, track }) => show('remote-video', (streams[0] as MediaStream | undefined) ?? new MediaStream([track as MediaStreamTrack])));
  viewer.on('error', (e) => fail('viewer', e));
  await viewer.connect();
  log('connected to the master');
}

/** The peer connections of the page: the viewer's one, or one per viewer on a master. */
function peerConnections(): RTCPeerConnection[] {
  const session = state.session;
  if (!session) return [];
  if ('peers' in session) return [...session.peers.values()].map((p) => p.pc as unknown as RTCPeerConnection);
  return session.pc ? [session.pc as unknown as RTCPeerConnection] : [];
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
  for (const channel of state.channels.values()) {
    if (channel.readyState === 'open') {
      channel.send(text);
      sent++;
    }
  }
  log(`chat > ${text} (${sent} peer${sent === 1 ? '' : 's'})`);
  return sent;
}

function openChannels(): number {
  return [...state.channels.values()].filter((c) => c.readyState === 'open').length;
}

/** Every stats entry of the page's peer connections, grouped per connection. */
async function allStats(): Promise<Array<Map<string, Record<string, unknown>>>> {
  const all: Array<Map<string, Record<string, unknown>>> = [];
  for (const pc of peerConnections()) {
    const byId = new Map<string, Record<string, unknown>>();
    (await pc.getStats()).forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
    all.push(byId);
  }
  return all;
}

/** `local/remote` candidate types (host, srflx, relay) of each peer's selected candidate pair. */
async function selectedCandidateTypes(): Promise<string[]> {
  const types: string[] = [];
  for (const byId of await allStats()) {
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

/** Video frames decoded from each peer (`inbound-rtp` `framesDecoded`), one number per peer connection. */
async function framesDecoded(): Promise<number[]> {
  return (await allStats()).map((byId) =>
    [...byId.values()].filter((s) => s.type === 'inbound-rtp' && s.kind === 'video').reduce((n, s) => n + Number(s.framesDecoded ?? 0), 0),
  );
}

async function stop(): Promise<void> {
  for (const off of state.offs.splice(0)) off();
  const session = state.session;
  state.session = undefined;
  state.channels.clear();
  await session?.close();
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
  framesDecoded,
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
