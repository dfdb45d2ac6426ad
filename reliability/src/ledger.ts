/**
 * Per-message accounting shared by the chaos soak and the hostile-operations
 * scenarios: every message carries an id in its SDP or candidate; the sender's
 * promise (sent, or rejected with a typed error) and STATUS_RESPONSE reports
 * are counted on one side, deliveries on the other, and the emulator's frame
 * log and undelivered log then say where each message that was sent but never
 * delivered was lost.
 * @packageDocumentation
 */
import type { SignalingClient } from '@kvs-sig/client';
import type { FrameRecord, UndeliveredRecord } from '@kvs-sig/emulator';

/** The message types the ledger tracks. @public */
export type MessageKind = 'SDP_OFFER' | 'SDP_ANSWER' | 'ICE_CANDIDATE';

/** One tagged message. @public */
export interface Tracked {
  id: number;
  from: string;
  to: string;
  kind: MessageKind;
  sentAt: number;
  outcome: 'pending' | 'sent' | 'failed';
  code?: string;
  delivered: number;
  /** When it was first delivered (Date.now()). */
  deliveredAt?: number;
  statusReported: boolean;
}

/** Where a message that was sent (promise resolved) but never delivered was lost. @public */
export type LostWhere =
  /** Written by the sender, never read by the emulator: the sender's socket died under it. */
  | 'beforeEmulator'
  /** Held for an absent recipient, then replaced by a newer offer/answer: the service's rule, unreported. */
  | 'replaced'
  /** Held for an absent recipient past the channel's TTL: the service's rule, unreported. */
  | 'expired'
  /** Refused at the emulator's hold bound; its STATUS_RESPONSE did not reach the sender. */
  | 'droppedByBound'
  /** Given up by the emulator for another recorded reason (channel deleted, emulator closed). */
  | 'otherRecorded'
  /** Read by the emulator, never written to the recipient, and not in its undelivered log. */
  | 'untraced'
  /** Written by the emulator to a receiver socket that died. */
  | 'afterEmulator';

/** Figures of a run's messages. @public */
export interface Accounting {
  sent: number;
  deliveredOnce: number;
  duplicated: number;
  /** Rejected sends plus resolved sends that got a STATUS_RESPONSE. */
  failedReported: number;
  /** The failures reported to the sender, by error code (`STATUS_RESPONSE` for the reports). */
  failedCodes: Record<string, number>;
  /** Sent (promise resolved), never delivered, no STATUS_RESPONSE: by where the emulator's logs say it was lost. */
  lost: Record<LostWhere, number> & { total: number };
  /** Each lost message, with where; callers decide which an injected fault explains. */
  lostMessages: Array<{ t: Tracked; where: LostWhere }>;
  stillPending: number;
  /** Sends rejected (the sender told it failed) whose message was delivered all the same. */
  failedButDelivered: number;
  /**
   * Sends rejected with a code that says the message may have been delivered
   * (`DELIVERY_UNCONFIRMED`, `CLIENT_CLOSED`) and that were: the sender was told the truth.
   */
  unconfirmedButDelivered: number;
}

/** Rejection codes that tell the sender its message may or may not have been delivered. @public */
export const MAYBE_DELIVERED_CODES: ReadonlySet<string> = new Set(['DELIVERY_UNCONFIRMED', 'CLIENT_CLOSED']);

const ID_RE = /kvsid-(\d+)-/;

function idOf(payload: { sdp?: string; candidate?: string }): number | undefined {
  const m = ID_RE.exec(payload.sdp ?? payload.candidate ?? '');
  return m ? Number(m[1]) : undefined;
}

/** The ledger id inside a base64 message payload. @public */
export function idOfPayload(payload: string): number | undefined {
  const m = ID_RE.exec(Buffer.from(payload, 'base64').toString('utf8'));
  return m ? Number(m[1]) : undefined;
}

function idOfFrame(text: string): number | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const p = v.messagePayload ?? v.MessagePayload;
    return typeof p === 'string' ? idOfPayload(p) : undefined;
  } catch {
    return undefined;
  }
}

function codeOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'NOT_A_SIGNALING_ERROR';
}

/**
 * Tags, sends and counts messages between named clients (the master is
 * `MASTER`, viewers by client id), then classifies each one.
 * @public
 */
export class Ledger {
  readonly tracked = new Map<number, Tracked>();
  /** Contract breaks seen while counting (a message at the wrong client, an untyped rejection). */
  readonly findings: string[] = [];
  private nextId = 1;

  /** Counts what `client` (named `name`) receives and the STATUS_RESPONSEs it gets. */
  attach(client: SignalingClient, name: string): void {
    const received = (payload: { sdp?: string; candidate?: string }, sender: string | undefined): void => {
      const id = idOf(payload);
      const t = id === undefined ? undefined : this.tracked.get(id);
      if (!t) {
        this.findings.push(`${name} received an untracked message from ${sender ?? 'the master'}`);
        return;
      }
      if (t.to !== name || t.from !== (sender ?? 'MASTER')) this.findings.push(`message ${t.id} from ${t.from} to ${t.to} arrived at ${name} from ${sender ?? 'MASTER'}`);
      t.delivered++;
      t.deliveredAt ??= Date.now();
    };
    client.on('sdpOffer', (e) => received(e.payload, e.senderClientId));
    client.on('sdpAnswer', (e) => received(e.payload, e.senderClientId));
    client.on('iceCandidate', (e) => received(e.payload, e.senderClientId));
    client.on('statusResponse', (e) => {
      const m = /^m(\d+)$/.exec(e.correlationId);
      const t = m ? this.tracked.get(Number(m[1])) : undefined;
      if (t) t.statusReported = true;
    });
  }

  /**
   * Sends one tagged message from `client` (named `from`) to `to` with a
   * correlationId, and records how its promise settles. The returned promise
   * never rejects.
   */
  send(client: SignalingClient, from: string, to: string, kind: MessageKind): { t: Tracked; settled: Promise<void> } {
    const id = this.nextId++;
    const t: Tracked = { id, from, to, kind, sentAt: Date.now(), outcome: 'pending', delivered: 0, statusReported: false };
    this.tracked.set(id, t);
    const tag = `kvsid-${id}-`;
    const recipient = from === 'MASTER' ? to : undefined;
    const opts = { correlationId: `m${id}` };
    const p =
      kind === 'ICE_CANDIDATE'
        ? client.sendIceCandidate({ candidate: `candidate:${tag} 1 udp 2122260223 127.0.0.1 ${50000 + (id % 10000)} typ host`, sdpMid: '0', sdpMLineIndex: 0 }, recipient, opts)
        : kind === 'SDP_OFFER'
          ? client.sendSdpOffer({ type: 'offer', sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\n` }, recipient, opts)
          : client.sendSdpAnswer({ type: 'answer', sdp: `v=0\r\no=- ${tag} 2 IN IP4 127.0.0.1\r\n` }, recipient, opts);
    const settled = p.then(
      () => {
        t.outcome = 'sent';
      },
      (e: unknown) => {
        t.outcome = 'failed';
        t.code = codeOf(e);
        if (t.code === 'NOT_A_SIGNALING_ERROR') this.findings.push(`send ${id} rejected with a non-SignalingError: ${String(e)}`);
      },
    );
    return { t, settled };
  }

  /**
   * Classifies every tracked message against the emulator's frame log and its
   * record of what it gave up on (`undelivered`). Pass the logs of every
   * emulator process the run used.
   */
  classify(frames: Iterable<FrameRecord>, undelivered: Iterable<UndeliveredRecord>): Accounting {
    const seenIn = new Set<number>();
    const seenOut = new Set<number>();
    for (const f of frames) {
      const id = idOfFrame(f.text);
      if (id === undefined) continue;
      (f.direction === 'in' ? seenIn : seenOut).add(id);
    }
    const givenUp = new Map<number, UndeliveredRecord>();
    for (const u of undelivered) {
      const id = idOfPayload(u.messagePayload);
      if (id !== undefined) givenUp.set(id, u);
    }
    const a: Accounting = {
      sent: this.tracked.size,
      deliveredOnce: 0,
      duplicated: 0,
      failedReported: 0,
      failedCodes: {},
      lost: { beforeEmulator: 0, replaced: 0, expired: 0, droppedByBound: 0, otherRecorded: 0, untraced: 0, afterEmulator: 0, total: 0 },
      lostMessages: [],
      stillPending: 0,
      failedButDelivered: 0,
      unconfirmedButDelivered: 0,
    };
    const failedButDelivered: Tracked[] = [];
    for (const t of this.tracked.values()) {
      if (t.delivered > 1) a.duplicated++;
      if (t.delivered === 1) a.deliveredOnce++;
      if (t.outcome === 'failed') {
        a.failedReported++;
        a.failedCodes[t.code ?? '?'] = (a.failedCodes[t.code ?? '?'] ?? 0) + 1;
        if (t.delivered > 0 && MAYBE_DELIVERED_CODES.has(t.code ?? '')) a.unconfirmedButDelivered++;
        else if (t.delivered > 0) failedButDelivered.push(t);
      } else if (t.outcome === 'pending') {
        a.stillPending++;
      } else if (t.delivered === 0) {
        if (t.statusReported) {
          a.failedReported++;
          a.failedCodes.STATUS_RESPONSE = (a.failedCodes.STATUS_RESPONSE ?? 0) + 1;
          continue;
        }
        let where: LostWhere;
        if (!seenIn.has(t.id)) where = 'beforeEmulator';
        else if (!seenOut.has(t.id)) {
          const record = givenUp.get(t.id);
          if (record === undefined) where = 'untraced';
          else if (record.reason === 'RECIPIENT_HOLD_FULL' || record.reason === 'CHANNEL_HOLD_FULL') where = 'droppedByBound';
          else if (record.reason === 'REPLACED') where = 'replaced';
          else if (record.reason === 'EXPIRED') where = 'expired';
          else where = 'otherRecorded';
        } else where = 'afterEmulator';
        a.lost[where]++;
        a.lost.total++;
        a.lostMessages.push({ t, where });
      }
    }
    a.failedButDelivered = failedButDelivered.length;
    if (failedButDelivered.length > 0) {
      const codes = [...new Set(failedButDelivered.map((t) => t.code))].join(', ');
      const ids = failedButDelivered.slice(0, 5).map((t) => `${t.id} (${t.kind} ${t.from}->${t.to})`).join(', ');
      this.findings.push(`${failedButDelivered.length} messages reported failed (${codes}) to their sender but delivered, e.g. ${ids}`);
    }
    return a;
  }
}
