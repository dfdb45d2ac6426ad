/**
 * A small typed event emitter with no dependency on Node's `events`, so the
 * browser build stays free of Node modules.
 * @packageDocumentation
 */

import { AbortError, TimeoutError } from '@kvs-sig/core';

/** A listener of one event: receives that event's single payload object. @public */
export type Listener<T> = (payload: T) => void;

/** Options of {@link TypedEmitter.once}. @public */
export interface OnceOptions {
  /** Removes the listener when aborted. */
  signal?: AbortSignal;
}

/** Options of {@link TypedEmitter.waitFor}. @public */
export interface WaitForOptions<T> {
  /** Rejects with `ABORTED` when aborted. */
  signal?: AbortSignal;
  /** Rejects with `TIMEOUT` after this many milliseconds. */
  timeoutMs?: number;
  /** Only a payload for which this returns true settles the promise. */
  filter?: (payload: T) => boolean;
}

/**
 * Typed emitter keyed by an event map (`{ eventName: payloadType }`).
 *
 * A listener that throws does not stop the others: the exception goes to the
 * `onListenerError` hook given to the constructor (the client logs it).
 * @public
 */
export class TypedEmitter<Events extends object> {
  // Arrays are copied on emit, so listeners may add or remove listeners while running.
  readonly #listeners = new Map<keyof Events, Array<Listener<never>>>();
  readonly #waiters = new Set<(error: unknown) => void>();

  constructor(private readonly onListenerError?: (error: unknown, event: keyof Events) => void) {}

  /**
   * Adds a listener.
   * @returns a function that removes it (safe to call more than once).
   */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    if (typeof listener !== 'function') throw new TypeError(`listener for "${String(event)}" must be a function`);
    const list = this.#listeners.get(event) ?? [];
    list.push(listener as Listener<never>);
    this.#listeners.set(event, list);
    return () => this.off(event, listener);
  }

  /** Adds a listener that runs at most once. @returns a function that removes it. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>, options: OnceOptions = {}): () => void {
    const { signal } = options;
    if (signal?.aborted) return () => undefined;
    const wrapped: Listener<Events[K]> = (payload) => {
      remove();
      listener(payload);
    };
    const onAbort = () => remove();
    const off = this.on(event, wrapped);
    const remove = () => {
      off();
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    return remove;
  }

  /** Removes one registration of `listener` for `event` (no-op if absent). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    const i = list.indexOf(listener as Listener<never>);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#listeners.delete(event);
  }

  /** Number of listeners of `event`, or of all events. */
  listenerCount(event?: keyof Events): number {
    if (event !== undefined) return this.#listeners.get(event)?.length ?? 0;
    let n = 0;
    for (const list of this.#listeners.values()) n += list.length;
    return n;
  }

  /** Removes every listener (of `event`, or of all events). */
  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
  }

  /**
   * Resolves with the next payload of `event` that passes `filter`.
   * @throws `ABORTED` ({@link AbortError}) or `TIMEOUT` ({@link TimeoutError}).
   */
  waitFor<K extends keyof Events>(event: K, options: WaitForOptions<Events[K]> = {}): Promise<Events[K]> {
    const { signal, timeoutMs, filter } = options;
    return new Promise<Events[K]>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortError(`waitFor("${String(event)}") was aborted`, { cause: signal.reason }));
        return;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cancel = (error: unknown) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        off();
        this.#waiters.delete(cancel);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      this.#waiters.add(cancel);
      const onAbort = () => {
        cleanup();
        reject(new AbortError(`waitFor("${String(event)}") was aborted`, { cause: signal?.reason }));
      };
      const off = this.on(event, (payload) => {
        if (filter && !filter(payload)) return;
        cleanup();
        resolve(payload);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          reject(new TimeoutError(`waitFor("${String(event)}") timed out after ${timeoutMs} ms`));
        }, timeoutMs);
      }
    });
  }

  /** Rejects every pending {@link TypedEmitter.waitFor} with `error` (used on close). */
  protected cancelWaiters(error: unknown): void {
    for (const cancel of [...this.#waiters]) cancel(error);
  }

  /** Calls every listener of `event` with `payload`, in registration order. */
  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.#listeners.get(event);
    if (!list) return;
    for (const listener of [...list]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        this.onListenerError?.(error, event);
      }
    }
  }
}
