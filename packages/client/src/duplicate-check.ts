/**
 * The duplicate check of inbound peer messages: the service may deliver a message twice
 * (a retried send, a replaced connection), so the same type, sender and payload within the
 * dedupe window is dropped. Memory is bounded by count and by payload characters; what it
 * forgets is delivered again, never lost.
 * @packageDocumentation
 */

/** Most peer messages the duplicate check remembers at once. */
const MAX_REMEMBERED = 4096;
/**
 * Most payload characters it keeps at once (about 1 MB: some 130 full SDP
 * offers or thousands of candidates, far more than a session repeats). Without
 * it, a peer sending distinct large frames would pin 4,096 of them per client,
 * tens of MB each in a gateway holding thousands. Like the count, it only
 * shortens memory: a repeat of a forgotten message is delivered, never lost.
 * @internal
 */
export const MAX_REMEMBERED_CHARS = 1 << 20;
/**
 * Base64 characters of the payload's start in the duplicate check's short key:
 * about 96 JSON characters, which hold an SDP's origin line (session id and
 * version) and an ICE candidate's foundation, component, priority and address.
 */
const KEY_HEAD = 128;
/** Base64 characters of the payload's end in the short key (a candidate's sdpMid and ufrag). */
const KEY_TAIL = 32;

/** One remembered peer message. */
interface Seen {
  readonly key: number;
  readonly type: string;
  readonly sender: string | undefined;
  /** The whole base64 payload: what confirms a short-key match. */
  readonly payload: string;
  readonly at: number;
  /** The next younger message with the same short key. */
  sameKey: Seen | undefined;
  /** The next younger message of all. */
  newer: Seen | undefined;
}

/**
 * The duplicate check's map key: a 30-bit FNV-1a hash of the type, the sender,
 * the payload length and the two ends of the payload. Cheap whatever the
 * payload's size, and a number, so the map holds no string that could keep a
 * payload (or slices of it) alive. Distinct messages may share it; the caller
 * tells them apart.
 * @internal
 */
export function shortKey(type: string, sender: string | undefined, payload: string): number {
  const n = payload.length;
  let h = fnv(FNV_OFFSET ^ n, type, 0, type.length);
  if (sender !== undefined) h = fnv(h, sender, 0, sender.length);
  if (n <= KEY_HEAD + KEY_TAIL) return fnv(h, payload, 0, n) & 0x3fffffff;
  return fnv(fnv(h, payload, 0, KEY_HEAD), payload, n - KEY_TAIL, n) & 0x3fffffff;
}

const FNV_OFFSET = 0x811c9dc5;

function fnv(h: number, s: string, from: number, to: number): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * Remembers recent peer messages and says whether one is a repeat.
 * @internal
 */
export class DuplicateCheck {
  /** Recent peer messages by short key: the oldest entry with that key, the head of its chain. */
  private readonly recent = new Map<number, Seen>();
  /** Every remembered message, oldest first (a linked list through {@link Seen.newer}). */
  private oldest: Seen | undefined;
  private newest: Seen | undefined;
  private remembered = 0;
  private rememberedChars = 0;

  /** @param dedupeMs the window; 0 turns the check off. */
  constructor(private readonly dedupeMs: number) {}

  /**
   * True when the same type, sender and payload arrived within the dedupe
   * window; remembers the message otherwise. The map is keyed on a short
   * sample of the payload (hashing several KB of SDP per frame cost more than
   * parsing it), and a key match counts only once the whole payload compares
   * equal: two distinct messages that share a short key are both kept, in a chain.
   */
  isDuplicate(type: string, sender: string | undefined, payload: string): boolean {
    if (this.dedupeMs === 0) return false;
    const now = Date.now();
    // Arrival order is age order: the expired entries are the oldest ones.
    while (this.oldest !== undefined && now - this.oldest.at >= this.dedupeMs) this.forgetOldest();
    const key = shortKey(type, sender, payload);
    const head = this.recent.get(key);
    let last: Seen | undefined;
    for (let e = head; e !== undefined; e = e.sameKey) {
      if (e.payload === payload && e.sender === sender && e.type === type) return true;
      last = e;
    }
    const seen: Seen = { key, type, sender, payload, at: now, sameKey: undefined, newer: undefined };
    if (last === undefined) this.recent.set(key, seen);
    else last.sameKey = seen;
    if (this.newest === undefined) this.oldest = seen;
    else this.newest.newer = seen;
    this.newest = seen;
    this.remembered += 1;
    this.rememberedChars += payload.length;
    // The newest entry always stays: a frame is at most 1 MiB long (the inbox's MAX_INBOUND_FRAME).
    while (this.oldest !== seen && (this.remembered > MAX_REMEMBERED || this.rememberedChars > MAX_REMEMBERED_CHARS)) this.forgetOldest();
    return false;
  }

  /** Drops the oldest remembered message (the head of its key's chain: chains grow in arrival order too). */
  private forgetOldest(): void {
    const e = this.oldest!;
    this.oldest = e.newer;
    if (this.oldest === undefined) this.newest = undefined;
    this.remembered -= 1;
    this.rememberedChars -= e.payload.length;
    if (e.sameKey === undefined) this.recent.delete(e.key);
    else this.recent.set(e.key, e.sameKey);
  }
}
