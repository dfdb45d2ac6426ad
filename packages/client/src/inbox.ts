/**
 * The inbound path: parses each frame, drops duplicates, holds ICE candidates
 * that arrive before their sender's SDP, and delivers peer messages as events
 * and to the async iterators. Frames it cannot use are reported as
 * `unknownMessage`, never dropped silently.
 * @packageDocumentation
 */

import {
  ProtocolError,
  ServiceError,
  SignalingError,
  parseWssRecvMessage,
  type IceCandidateInit,
  type IceServer,
  type SdpPayload,
  type StatusResponse,
} from '@kvs-sig/core';
import { DuplicateCheck } from './duplicate-check';
import { toSignalingError } from './errors';
import { IceCandidateBuffer } from './ice-buffer';
import { KEEP_EVERY_ICE_SERVER } from './ice-servers';
import type { SafeLogger } from './logger';
import type { ClientMetrics, SignalingClientEvents, SignalingMessage } from './types';

/** Inbound frames longer than this are reported, not parsed. */
const MAX_INBOUND_FRAME = 1024 * 1024;

/** What the inbox needs from the client. @internal */
export interface InboxHost {
  emit<K extends keyof SignalingClientEvents>(event: K, payload: SignalingClientEvents[K]): void;
  /** Counts, logs and emits a failure as `error`. */
  reportError(error: SignalingError): void;
  /** The service sent GO_AWAY (after the `goAway` event). */
  onGoAway(): void;
  /** The service sent RECONNECT_ICE_SERVER (after the `reconnectIceServer` event). */
  onReconnectIceServer(): void;
  /** An SDP_OFFER carried an `IceServerList` (before its `sdpOffer` event, so its handler sees the new servers). */
  onOfferIceServers(servers: IceServer[], senderClientId: string | undefined): void;
  /** True once the client is closed: a new iterator ends at once. */
  isClosed(): boolean;
  /** The client's live counters (`messagesReceived`, `duplicatesDropped`). */
  readonly metrics: ClientMetrics;
  readonly log: SafeLogger;
}

/** How the inbox treats ICE candidates and repeats (validated options). @internal */
export interface InboxOptions {
  iceMode: boolean | 'manual';
  dedupeMs: number;
}

/**
 * Frame dispatch, dedupe (duplicate-check.ts), ICE buffering and the message iterators.
 * @internal
 */
export class Inbox {
  private readonly ice = new IceCandidateBuffer();
  private readonly iceMode: boolean | 'manual';
  private readonly duplicates: DuplicateCheck;
  private readonly iterators = new Set<{ push(m: SignalingMessage): void; end(): void }>();

  constructor(options: InboxOptions, private readonly host: InboxHost) {
    this.iceMode = options.iceMode;
    this.duplicates = new DuplicateCheck(options.dedupeMs);
  }

  /**
   * Handles one frame from the socket (`text` undefined: a binary frame).
   * @param current false for a socket already replaced but still read: its GO_AWAY and
   *   RECONNECT_ICE_SERVER concern a connection the client has left, and are ignored.
   */
  onFrame(text: string | undefined, raw: unknown, current = true): void {
    const host = this.host;
    host.metrics.messagesReceived += 1;
    if (text === undefined) {
      host.emit('unknownMessage', {
        raw: String(raw),
        error: new ProtocolError('UNEXPECTED_RESPONSE', 'binary WebSocket frames are not part of the protocol'),
      });
      return;
    }
    if (text.length > MAX_INBOUND_FRAME) {
      // Real frames are ~14 KB at most: do not spend time parsing megabytes of junk.
      host.emit('unknownMessage', {
        raw: text,
        error: new ProtocolError('FRAME_TOO_LARGE', `a ${text.length}-character frame is far beyond the service's message size`),
      });
      return;
    }
    let msg: ReturnType<typeof parseWssRecvMessage>;
    try {
      msg = parseWssRecvMessage(text, KEEP_EVERY_ICE_SERVER);
    } catch (error) {
      host.emit('unknownMessage', { raw: text, error: toSignalingError(error) });
      return;
    }
    const sender = msg.senderClientId;
    if (msg.iceServers !== undefined && msg.messageType !== 'SDP_OFFER') {
      // Only an offer's list describes the servers the peer expects us to use (peers.md 3.4).
      host.log.info(`a ${msg.messageType} frame carried an IceServerList; only an SDP_OFFER's is adopted`);
    }
    switch (msg.messageType) {
      case 'SDP_OFFER':
      case 'SDP_ANSWER': {
        const payload = asSdp(msg.payload);
        if (!payload) {
          host.emit('unknownMessage', { raw: text, error: new ProtocolError('UNEXPECTED_RESPONSE', `${msg.messageType} without an SDP payload`) });
          return;
        }
        if (this.dropIfDuplicate(msg.messageType, sender, msg.messagePayload)) return;
        if (msg.iceServers !== undefined && msg.messageType === 'SDP_OFFER') host.onOfferIceServers(msg.iceServers, sender);
        const event = msg.messageType === 'SDP_OFFER' ? 'sdpOffer' : 'sdpAnswer';
        host.emit(event, { payload, senderClientId: sender });
        this.pushMessage({ type: event, payload, senderClientId: sender });
        // Manual mode: held candidates wait for drainPendingIceCandidates().
        if (this.iceMode === true) this.drainPendingIceCandidates(sender);
        return;
      }
      case 'ICE_CANDIDATE': {
        const payload = asCandidate(msg.payload);
        if (!payload) {
          host.emit('unknownMessage', { raw: text, error: new ProtocolError('UNEXPECTED_RESPONSE', 'ICE_CANDIDATE without a candidate payload') });
          return;
        }
        if (this.dropIfDuplicate(msg.messageType, sender, msg.messagePayload)) return;
        // hasSdp: after the SDP (auto mode) or after a drain (manual mode).
        if (this.iceMode === false || this.ice.hasSdp(sender)) {
          this.emitCandidate(payload, sender);
        } else if (!this.ice.hold({ payload, senderClientId: sender })) {
          host.reportError(
            new SignalingError('QUEUE_FULL', `more than ${this.ice.maxPerSender} early ICE candidates from ${sender ?? 'the master'}; candidate not held`),
          );
        }
        return;
      }
      case 'STATUS_RESPONSE': {
        const sr = msg.statusResponse;
        if (!sr) {
          host.emit('unknownMessage', { raw: text, error: new ProtocolError('INVALID_STATUS_RESPONSE', 'STATUS_RESPONSE without statusResponse') });
          return;
        }
        const event: StatusResponse = { correlationId: sr.correlationId };
        if (sr.errorType !== undefined) event.errorType = sr.errorType;
        if (sr.statusCode !== undefined) event.statusCode = sr.statusCode;
        if (sr.description !== undefined) event.description = sr.description;
        if (sr.success !== undefined) event.success = sr.success;
        host.emit('statusResponse', event);
        const status = Number(sr.statusCode ?? '0');
        if (sr.success !== true && status !== 200) {
          host.reportError(
            new ServiceError(
              `message ${sr.correlationId} was not delivered${sr.description ? `: ${sr.description}` : ''}`,
              { errorType: sr.errorType ?? 'DeliveryFailed', httpStatus: Number.isFinite(status) ? status : 0 },
              'DELIVERY_FAILED',
            ),
          );
        }
        return;
      }
      case 'GO_AWAY':
        if (!current) return host.log.debug('GO_AWAY on a replaced connection ignored');
        host.emit('goAway', {});
        host.onGoAway();
        return;
      case 'RECONNECT_ICE_SERVER':
        if (!current) return host.log.debug('RECONNECT_ICE_SERVER on a replaced connection ignored');
        host.emit('reconnectIceServer', {});
        host.onReconnectIceServer();
        return;
      default:
        host.emit('unknownMessage', { raw: text });
    }
  }

  /**
   * Counts and drops a repeat of a peer message. Called only once the frame has
   * parsed into a usable SDP or candidate: anything else (unknown types, garbled
   * payloads) is always surfaced, so a repeat of it can never vanish unseen.
   */
  private dropIfDuplicate(type: string, sender: string | undefined, messagePayload: string | undefined): boolean {
    if (messagePayload === undefined || !this.duplicates.isDuplicate(type, sender, messagePayload)) return false;
    this.host.metrics.duplicatesDropped += 1;
    this.host.log.debug(`dropped a duplicate ${type} from ${sender ?? 'the master'}`);
    return true;
  }

  private emitCandidate(payload: IceCandidateInit, sender: string | undefined): void {
    this.host.emit('iceCandidate', { payload, senderClientId: sender });
    this.pushMessage({ type: 'iceCandidate', payload, senderClientId: sender });
  }

  /** Releases the candidates held for `senderClientId` as events and marks its SDP as seen. @returns how many. */
  drainPendingIceCandidates(senderClientId: string | undefined): number {
    const held = this.ice.release(senderClientId);
    for (const c of held) this.emitCandidate(c.payload, c.senderClientId);
    return held.length;
  }

  /** A copy of the candidates held for `senderClientId`. */
  getPendingIceCandidates(senderClientId: string | undefined): IceCandidateInit[] {
    return this.ice.peek(senderClientId).map((c) => c.payload);
  }

  /** Forgets `senderClientId`'s SDP and drops its held candidates. @returns how many were dropped. */
  resetIceCandidateState(senderClientId: string | undefined): number {
    return this.ice.reset(senderClientId);
  }

  /** Peer messages as an async iterator; ends with {@link Inbox.endIterators} or when `signal` aborts. */
  messages(options: { signal?: AbortSignal }): AsyncIterableIterator<SignalingMessage> {
    const buffer: SignalingMessage[] = [];
    let wake: (() => void) | undefined;
    let done = this.host.isClosed() || options.signal?.aborted === true;
    const sink = {
      push: (m: SignalingMessage) => {
        buffer.push(m);
        wake?.();
      },
      end: () => {
        done = true;
        this.iterators.delete(sink);
        options.signal?.removeEventListener('abort', sink.end);
        wake?.();
      },
    };
    if (!done) {
      this.iterators.add(sink);
      options.signal?.addEventListener('abort', sink.end, { once: true });
    }
    const iterator: AsyncIterableIterator<SignalingMessage> = {
      [Symbol.asyncIterator]() {
        return iterator;
      },
      async next(): Promise<IteratorResult<SignalingMessage>> {
        for (;;) {
          const m = buffer.shift();
          if (m) return { value: m, done: false };
          if (done) return { value: undefined, done: true };
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<SignalingMessage>> {
        sink.end();
        buffer.length = 0;
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }

  /** Ends every open iterator (the client closed). */
  endIterators(): void {
    for (const it of [...this.iterators]) it.end();
  }

  private pushMessage(m: SignalingMessage): void {
    for (const it of this.iterators) it.push(m);
  }
}

function asSdp(payload: Record<string, unknown> | undefined): SdpPayload | undefined {
  if (!payload || typeof payload.type !== 'string') return undefined;
  const out: SdpPayload = { type: payload.type as SdpPayload['type'] };
  if (typeof payload.sdp === 'string') out.sdp = payload.sdp;
  return out;
}

function asCandidate(payload: Record<string, unknown> | undefined): IceCandidateInit | undefined {
  if (!payload || typeof payload.candidate !== 'string') return undefined;
  const out: IceCandidateInit = { candidate: payload.candidate };
  if (typeof payload.sdpMid === 'string' || payload.sdpMid === null) out.sdpMid = payload.sdpMid;
  if (typeof payload.sdpMLineIndex === 'number' || payload.sdpMLineIndex === null) out.sdpMLineIndex = payload.sdpMLineIndex;
  if (typeof payload.usernameFragment === 'string' || payload.usernameFragment === null) out.usernameFragment = payload.usernameFragment;
  return out;
}
