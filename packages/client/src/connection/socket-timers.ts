/**
 * The timers of one open socket: the keepalive (a ping, and no pong in time replaces the
 * connection), the idle limit where no ping exists (browsers), and the lifetime limit.
 * They only observe and report; the machine decides what a report means.
 * @packageDocumentation
 */
import type { OutboundLink } from '../outbox';

/** A socket with the timers it owns. */
export interface TimedSocket extends OutboundLink {
  timers: Array<ReturnType<typeof setTimeout>>;
}

export interface SocketTimerHost<S extends TimedSocket = TimedSocket> {
  readonly keepaliveMs: number;
  readonly idleAfterMs: number;
  readonly proactiveAfterMs: number;
  /** When the oldest unanswered ping of `socket` left, if one is out. */
  oldestPingSentAt(socket: S): number | undefined;
  /** Sends a ping; false when the platform has none (browsers). */
  ping(socket: S): boolean;
  /** No pong within the keepalive interval. */
  onKeepaliveTimeout(socket: S): void;
  /** Quiet for `idleAfterMs` without a ping to keep it alive. */
  onIdle(socket: S): void;
  /** The socket reached `proactiveAfterMs`. */
  onLifetime(socket: S): void;
}

/** Starts the socket's timers (kept on `socket.timers`, stopped by {@link stopSocketTimers}). */
export function startSocketTimers<S extends TimedSocket>(socket: S, host: SocketTimerHost<S>): void {
  const keepalive = setInterval(() => {
    const pingSentAt = host.oldestPingSentAt(socket);
    if (pingSentAt !== undefined && Date.now() - pingSentAt >= host.keepaliveMs) {
      host.onKeepaliveTimeout(socket);
      return;
    }
    if (pingSentAt !== undefined) return;
    if (!host.ping(socket) && Date.now() - socket.lastActivity >= host.idleAfterMs) host.onIdle(socket);
  }, Math.min(host.keepaliveMs, host.idleAfterMs));
  const lifetime = setTimeout(() => host.onLifetime(socket), host.proactiveAfterMs);
  socket.timers.push(keepalive, lifetime);
}

/** Stops every timer of the socket. */
export function stopSocketTimers(socket: TimedSocket): void {
  for (const t of socket.timers) clearTimeout(t);
  socket.timers = [];
}
