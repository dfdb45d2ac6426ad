/**
 * An in-memory WebSocket with the WHATWG surface both clients use
 * (`addEventListener`, `send`, `close`, `readyState`, `on*` properties), so
 * the message-cost benchmark feeds byte-identical frames to ours and the
 * official client with no network, framing or TLS cost in either.
 * @packageDocumentation
 */

type Listener = (event: Record<string, unknown>) => void;

/** The fake socket. Every instance registers itself in {@link FakeSocket.instances}. @public */
export class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  /** Every socket created, newest last. */
  static instances: FakeSocket[] = [];

  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;
  readyState = 0;
  /** Frames the client sent. */
  sent = 0;
  lastSent: string | null = null;
  onopen: Listener | null = null;
  onmessage: Listener | null = null;
  onclose: Listener | null = null;
  onerror: Listener | null = null;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  addEventListener(type: string, listener: Listener): void {
    const list = this.listeners.get(type);
    if (list) list.push(listener);
    else this.listeners.set(type, [listener]);
  }

  removeEventListener(type: string, listener: Listener): void {
    const list = this.listeners.get(type);
    if (!list) return;
    const i = list.indexOf(listener);
    if (i >= 0) list.splice(i, 1);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('FakeSocket: send while not open');
    this.sent++;
    this.lastSent = data;
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.dispatch('close', { type: 'close', code, reason, wasClean: true });
  }

  /** Completes the handshake. */
  open(): void {
    this.readyState = 1;
    this.dispatch('open', { type: 'open' });
  }

  /** Delivers one prebuilt message event (build it once, so no allocation is charged to either client). */
  deliver(event: Record<string, unknown>): void {
    this.dispatch('message', event);
  }

  private dispatch(type: string, event: Record<string, unknown>): void {
    const list = this.listeners.get(type);
    if (list) for (let i = 0; i < list.length; i++) (list[i] as Listener)(event);
    const prop = (this as unknown as Record<string, Listener | null>)[`on${type}`];
    if (typeof prop === 'function') prop(event);
  }
}

/** Waits until `predicate` holds, yielding to the event loop (at most `ms`). @public */
export async function until(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}
