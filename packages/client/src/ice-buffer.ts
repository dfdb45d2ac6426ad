/**
 * Holds ICE candidates that arrive before their sender's SDP. A candidate for
 * a peer connection without a remote description fails to apply, so the
 * official JS SDK holds them per sender; we do the same, bounded.
 * @packageDocumentation
 */

import type { IceCandidateInit } from '@kvs-sig/core';

/** The key used for messages without a senderClientId (they come from the master). @public */
export const MASTER_SENDER_KEY = '';

/** One held candidate. @public */
export interface HeldCandidate {
  payload: IceCandidateInit;
  senderClientId: string | undefined;
}

/**
 * Per-sender candidate buffer.
 * @internal
 */
export class IceCandidateBuffer {
  readonly #pending = new Map<string, HeldCandidate[]>();
  readonly #sdpSeen = new Set<string>();

  constructor(readonly maxPerSender = 256) {}

  static #key(sender: string | undefined): string {
    return sender ?? MASTER_SENDER_KEY;
  }

  /** True once an SDP from `sender` has been seen (or drained by hand). */
  hasSdp(sender: string | undefined): boolean {
    return this.#sdpSeen.has(IceCandidateBuffer.#key(sender));
  }

  /**
   * Holds a candidate.
   * @returns false when the sender's buffer is full (the caller reports it).
   */
  hold(candidate: HeldCandidate): boolean {
    const key = IceCandidateBuffer.#key(candidate.senderClientId);
    const list = this.#pending.get(key) ?? [];
    if (list.length >= this.maxPerSender) return false;
    list.push(candidate);
    this.#pending.set(key, list);
    return true;
  }

  /** Marks `sender`'s SDP as seen and returns its held candidates, in arrival order. */
  release(sender: string | undefined): HeldCandidate[] {
    const key = IceCandidateBuffer.#key(sender);
    this.#sdpSeen.add(key);
    const list = this.#pending.get(key) ?? [];
    this.#pending.delete(key);
    return list;
  }

  /** A copy of `sender`'s held candidates. */
  peek(sender: string | undefined): HeldCandidate[] {
    return [...(this.#pending.get(IceCandidateBuffer.#key(sender)) ?? [])];
  }

  /** Every sender that has held candidates. */
  senders(): Array<string | undefined> {
    return [...this.#pending.keys()].map((k) => (k === MASTER_SENDER_KEY ? undefined : k));
  }

  /** Forgets `sender`'s SDP and drops its held candidates (before a renegotiation). */
  reset(sender: string | undefined): number {
    const key = IceCandidateBuffer.#key(sender);
    this.#sdpSeen.delete(key);
    const n = this.#pending.get(key)?.length ?? 0;
    this.#pending.delete(key);
    return n;
  }

  /** Forgets everything. */
  clear(): void {
    this.#pending.clear();
    this.#sdpSeen.clear();
  }
}
