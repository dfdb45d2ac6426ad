/**
 * The connection's lifecycle as a pure, table-driven state machine: `transition(state,
 * event, context)` returns the next state, the next context and the effects the client must
 * run, in order. No I/O, no timers, no clock: what happened and when arrives in the event.
 *
 * Everything the lifecycle decides on lives here (the state, the loop and socket ids, the
 * counters of the outage, the close held during a replacement): the client class only runs
 * effects. Ids make late events harmless: an attempt of a loop that was replaced or
 * abandoned, or a socket that is no longer current, cannot change the state.
 * A (state, event) pair the table does not list is a bug: `transition` throws a
 * {@link MachineError} naming both.
 * @packageDocumentation
 */
import type { ClientState } from '../types';

/**
 * Internal states. `open` has a current socket and no loop; `replacing` a current socket
 * and a make-before-break loop (GO_AWAY, lifetime, idle limit); `replacing-lost` is a
 * replacement whose old socket closed first: its close is held (public state still `open`)
 * until the replacement fails.
 */
export type ConnState = 'idle' | 'connecting' | 'open' | 'replacing' | 'replacing-lost' | 'reconnecting' | 'closing' | 'closed';

export const CONN_STATES: readonly ConnState[] = ['idle', 'connecting', 'open', 'replacing', 'replacing-lost', 'reconnecting', 'closing', 'closed'];

/** The public state each internal state shows as. */
const PUBLIC: Record<ConnState, ClientState> = {
  idle: 'idle',
  connecting: 'connecting',
  open: 'open',
  replacing: 'open',
  'replacing-lost': 'open',
  reconnecting: 'reconnecting',
  closing: 'closing',
  closed: 'closed',
};

/** The public `ClientState` of an internal state. */
export function publicState(state: ConnState): ClientState {
  return PUBLIC[state];
}

/** A close code and reason. */
export interface CloseInfo {
  code: number;
  reason: string;
}

/** What the machine remembers besides its state. */
export interface ConnContext {
  /** The running connect loop's id (0: none); ids only grow. */
  loopId: number;
  /** The last loop id handed out. */
  loopSeq: number;
  /** The current socket's id (0: none). */
  connId: number;
  /** A connection of this client has opened before. */
  everOpened: boolean;
  /** Connections in a row that closed younger than {@link FLAP_MS}. */
  flaps: number;
  /** The old socket's close during a replacement, shown if the replacement fails. */
  heldClose: CloseInfo | undefined;
  /** Why the client shut itself down (close() reports it with willReconnect: false). */
  finalClose: CloseInfo | undefined;
  /** The next attempt refreshes credentials first. */
  refreshCredentials: boolean;
  /** Auth refusals in a row since the last open or a fresh connect(). */
  authFailures: number;
  /** Clock-skew refusals in a row since the last open or a fresh connect(). */
  skewRetries: number;
}

export function initialContext(): ConnContext {
  return { loopId: 0, loopSeq: 0, connId: 0, everOpened: false, flaps: 0, heldClose: undefined, finalClose: undefined, refreshCredentials: false, authFailures: 0, skewRetries: 0 };
}

/**
 * A connection that closes younger than this counts as a flap: the wait before the next
 * attempt keeps growing across such connections, so a service that accepts and then drops
 * at once is not hammered. Any older connection was a success: the next drop starts the
 * backoff over, whatever the outage before it cost.
 */
export const FLAP_MS = 5000;
const MAX_FLAPS = 30;

export type ConnEvent =
  /** connect() was called. */
  | { type: 'connect' }
  /** Every connect() waiting for the first connection was aborted. */
  | { type: 'abort' }
  /** GO_AWAY, the lifetime timer or the idle limit: replace the socket make-before-break. */
  | { type: 'replace'; reason: string }
  /** Loop `loopId` refreshed credentials as asked. */
  | { type: 'refreshed'; loopId: number }
  /** An attempt of loop `loopId` opened socket `connId`. */
  | { type: 'opened'; loopId: number; connId: number }
  /**
   * An attempt of loop `loopId` failed; `giveUp` when retrying cannot help or the attempts
   * ran out. The counters are the failure decision's (connection/decide.ts).
   */
  | { type: 'failed'; loopId: number; giveUp: boolean; refreshCredentials: boolean; authFailures: number; skewRetries: number }
  /** Loop `loopId` stopped before an attempt (the retry strategy said no). */
  | { type: 'stopped'; loopId: number }
  /** Socket `connId` closed (or its keepalive expired); `reconnect`: the policy allows reconnecting. */
  | { type: 'dropped'; connId: number; code: number; reason: string; openedAt: number; now: number; reconnect: boolean }
  /** close() was called. */
  | { type: 'close' }
  /** close() finished its work. */
  | { type: 'closed' };

export type ConnEventType = ConnEvent['type'];
export const CONN_EVENTS: readonly ConnEventType[] = ['connect', 'abort', 'replace', 'refreshed', 'opened', 'failed', 'stopped', 'dropped', 'close', 'closed'];

/** Work for the client, in order. */
export type ConnEffect =
  /** Emit `stateChange` for the new public state here (once per transition that changes it). */
  | { type: 'state' }
  /** A fresh connect(): earlier failures (backoff, describe 404) do not count against it. */
  | { type: 'reset-outage' }
  /** Start connect loop `loopId`; `replacing`: a live socket serves meanwhile; `cause`: a drop. */
  | { type: 'start-loop'; loopId: number; replacing: boolean; reason: string; cause?: CloseInfo }
  /** Make the opened socket current (closing the one it replaces) and start its timers. */
  | { type: 'install'; reconnected: boolean }
  /** Resolve connect(), emit `open`, flush queued sends, join the storage session if asked. */
  | { type: 'announce-open'; reconnected: boolean }
  /** The opened socket is not wanted (a replaced loop's, or the client is closing): close it. */
  | { type: 'discard-socket' }
  /** Emit the attempt's error. */
  | { type: 'report-error' }
  /** Stop the first connect: abort its loop, reject connect() and queued sends. */
  | { type: 'abandon' }
  /** Emit `close` with willReconnect: true. */
  | { type: 'emit-close'; code: number; reason: string }
  /** Advance the backoff this many extra steps (a flapping service). */
  | { type: 'backoff-steps'; steps: number }
  /** A 1009 close: the service sent a frame too large for the socket. */
  | { type: 'report-too-large'; code: number; reason: string }
  /** Stop for good: reject sends and waiters, then close() with this final close. */
  | { type: 'shut-down'; final: CloseInfo; rejectPending: boolean }
  /** Abort the running loop (close() is under way). */
  | { type: 'stop-loop' };

export interface Outcome {
  state: ConnState;
  context: ConnContext;
  effects: ConnEffect[];
}

/** A transition the table does not allow: a bug in the client, named for review. */
export class MachineError extends Error {
  override readonly name = 'MachineError';
  constructor(
    readonly state: ConnState,
    readonly event: ConnEventType,
  ) {
    super(`connection machine: no transition for event "${event}" in state "${state}"`);
  }
}

type Cell<E extends ConnEvent = ConnEvent> = (ctx: ConnContext, event: E, state: ConnState) => Outcome;
type Row = { [K in ConnEventType]?: Cell<Extract<ConnEvent, { type: K }>> };

/** Moves to `to`; a `state` effect goes first unless the effects place it. */
function go(from: ConnState, to: ConnState, ctx: ConnContext, effects: ConnEffect[] = []): Outcome {
  const changes = PUBLIC[from] !== PUBLIC[to];
  const placed = effects.some((e) => e.type === 'state');
  return { state: to, context: ctx, effects: changes && !placed ? [{ type: 'state' }, ...effects] : effects };
}

const stay: Cell = (ctx, _e, state) => ({ state, context: ctx, effects: [] });

/** No loop runs: an opened socket is a late one of a loop that ended; it is closed. */
const late: Cell = (ctx, _e, state) => ({ state, context: ctx, effects: [{ type: 'discard-socket' }] });

/** Events of a loop other than the running one change nothing. */
function ofLoop<E extends Extract<ConnEvent, { loopId: number }>>(cell: Cell<E>, onStale: ConnEffect[] = []): Cell<E> {
  return (ctx, e, state) => (e.loopId === ctx.loopId && ctx.loopId !== 0 ? cell(ctx, e, state) : { state, context: ctx, effects: [...onStale] });
}

/** Events of a socket that is not the current one change nothing. */
function ofSocket(cell: Cell<Extract<ConnEvent, { type: 'dropped' }>>): Cell<Extract<ConnEvent, { type: 'dropped' }>> {
  return (ctx, e, state) => (e.connId === ctx.connId && ctx.connId !== 0 ? cell(ctx, e, state) : { state, context: ctx, effects: [] });
}

function startLoop(ctx: ConnContext, replacing: boolean, reason: string, cause?: CloseInfo): [ConnContext, ConnEffect] {
  const loopId = ctx.loopSeq + 1;
  const effect: ConnEffect = cause ? { type: 'start-loop', loopId, replacing, reason, cause } : { type: 'start-loop', loopId, replacing, reason };
  return [{ ...ctx, loopSeq: loopId, loopId }, effect];
}

const refreshed = ofLoop<Extract<ConnEvent, { type: 'refreshed' }>>((ctx, _e, state) => ({ state, context: { ...ctx, refreshCredentials: false }, effects: [] }));

/** The failure's counters, kept for the next decision. */
function counted(ctx: ConnContext, e: Extract<ConnEvent, { type: 'failed' }>): ConnContext {
  return { ...ctx, refreshCredentials: ctx.refreshCredentials || e.refreshCredentials, authFailures: e.authFailures, skewRetries: e.skewRetries };
}

const opened = (from: ConnState) =>
  ofLoop<Extract<ConnEvent, { type: 'opened' }>>(
    (ctx, e) =>
      go(from, 'open', { ...ctx, loopId: 0, connId: e.connId, everOpened: true, heldClose: undefined, authFailures: 0, skewRetries: 0 }, [
        { type: 'install', reconnected: ctx.everOpened },
        { type: 'state' },
        { type: 'announce-open', reconnected: ctx.everOpened },
      ]),
    [{ type: 'discard-socket' }],
  );

const GAVE_UP: CloseInfo = { code: 1006, reason: 'reconnect failed' };

/** Stops for good: the final close is remembered for close() to report. */
function shutDown(ctx: ConnContext, final: CloseInfo, rejectPending: boolean): [ConnContext, ConnEffect] {
  return [{ ...ctx, loopId: 0, finalClose: final }, { type: 'shut-down', final, rejectPending }];
}

/** A replacement whose old socket closed: now the close shows, and the state is `reconnecting`. */
function surfaceHeld(ctx: ConnContext): ConnEffect[] {
  const held = ctx.heldClose ?? { code: 1006, reason: '' };
  return [{ type: 'emit-close', code: held.code, reason: held.reason }, { type: 'state' }];
}

/** Closing or closed: a late attempt's socket is closed, everything else changes nothing. */
const finished: Row = {
  // connect() refuses before it gets here (CLIENT_CLOSED): no `connect` cell.
  abort: stay,
  replace: stay,
  refreshed: stay,
  opened: late,
  failed: stay,
  stopped: stay,
  dropped: stay,
};

const dropWhileOpen = ofSocket((ctx, e) => {
  // A flapping service (connections closed young) sees the waits grow; after a connection
  // that lived, the next drop starts the backoff over (install reset it).
  const flaps = e.now - e.openedAt < FLAP_MS ? Math.min(ctx.flaps + 1, MAX_FLAPS) : 0;
  const effects: ConnEffect[] = [];
  // One young connection is not yet a pattern: the first step. Each further one doubles it.
  if (flaps > 1) effects.push({ type: 'backoff-steps', steps: flaps - 1 });
  if (e.code === 1009) effects.push({ type: 'report-too-large', code: e.code, reason: e.reason });
  const next = { ...ctx, flaps, connId: 0 };
  if (!e.reconnect) {
    // close() reports it, once, with willReconnect: false.
    const [down, shut] = shutDown(next, { code: e.code, reason: e.reason }, false);
    return go('open', 'open', down, [...effects, shut]);
  }
  const [looped, start] = startLoop(next, false, `connection closed (${e.code})`, { code: e.code, reason: e.reason });
  return go('open', 'reconnecting', looped, [...effects, { type: 'emit-close', code: e.code, reason: e.reason }, { type: 'state' }, start]);
});

/** The table: state → event → outcome. */
export const TRANSITIONS: Record<ConnState, Row> = {
  idle: {
    connect: (ctx) => {
      const [next, start] = startLoop({ ...ctx, authFailures: 0, skewRetries: 0 }, false, 'connect');
      return go('idle', 'connecting', next, [{ type: 'reset-outage' }, { type: 'state' }, start]);
    },
    abort: stay,
    replace: stay,
    refreshed: refreshed,
    opened: late,
    failed: stay,
    stopped: stay,
    dropped: stay,
    close: (ctx) => go('idle', 'closing', ctx),
  },
  connecting: {
    connect: stay,
    abort: (ctx) => go('connecting', 'idle', { ...ctx, loopId: 0 }, [{ type: 'abandon' }, { type: 'state' }]),
    replace: stay,
    refreshed,
    opened: opened('connecting'),
    failed: ofLoop((ctx, e) =>
      e.giveUp
        ? go('connecting', 'idle', { ...counted(ctx, e), loopId: 0 }, [{ type: 'report-error' }, { type: 'abandon' }, { type: 'state' }])
        : go('connecting', 'connecting', counted(ctx, e), [{ type: 'report-error' }]),
    ),
    stopped: ofLoop((ctx) => go('connecting', 'idle', { ...ctx, loopId: 0 }, [{ type: 'abandon' }, { type: 'state' }])),
    dropped: stay,
    close: (ctx) => go('connecting', 'closing', ctx, [{ type: 'state' }, { type: 'stop-loop' }]),
  },
  open: {
    connect: stay,
    abort: stay,
    replace: (ctx, e) => {
      const [next, start] = startLoop(ctx, true, e.reason);
      return go('open', 'replacing', next, [start]);
    },
    refreshed,
    opened: late,
    failed: stay,
    stopped: stay,
    dropped: dropWhileOpen,
    close: (ctx) => go('open', 'closing', ctx),
  },
  replacing: {
    connect: stay,
    abort: stay,
    replace: stay,
    refreshed,
    opened: opened('replacing'),
    // A failed make-before-break replacement: the old socket still works; the next drop retries.
    failed: ofLoop((ctx, e) =>
      e.giveUp ? go('replacing', 'open', { ...counted(ctx, e), loopId: 0 }, [{ type: 'report-error' }]) : go('replacing', 'replacing', counted(ctx, e), [{ type: 'report-error' }]),
    ),
    stopped: ofLoop((ctx) => go('replacing', 'open', { ...ctx, loopId: 0 }, [{ type: 'report-error' }])),
    // The replacement is under way (the service may close the old socket as the new one
    // arrives): stay quiet unless the replacement fails.
    dropped: ofSocket((ctx, e) => go('replacing', 'replacing-lost', { ...ctx, connId: 0, heldClose: { code: e.code, reason: e.reason } })),
    close: (ctx) => go('replacing', 'closing', ctx, [{ type: 'state' }, { type: 'stop-loop' }]),
  },
  'replacing-lost': {
    connect: stay,
    abort: stay,
    replace: stay,
    refreshed,
    opened: opened('replacing-lost'),
    failed: ofLoop((ctx, e) => {
      const next = { ...counted(ctx, e), heldClose: undefined };
      if (!e.giveUp) return go('replacing-lost', 'reconnecting', next, [...surfaceHeld(ctx), { type: 'report-error' }]);
      const [down, shut] = shutDown(next, GAVE_UP, true);
      return go('replacing-lost', 'reconnecting', down, [...surfaceHeld(ctx), { type: 'report-error' }, shut]);
    }),
    stopped: ofLoop((ctx) => {
      const [down, shut] = shutDown({ ...ctx, heldClose: undefined }, GAVE_UP, true);
      return go('replacing-lost', 'reconnecting', down, [...surfaceHeld(ctx), { type: 'report-error' }, shut]);
    }),
    dropped: stay,
    close: (ctx) => go('replacing-lost', 'closing', ctx, [{ type: 'state' }, { type: 'stop-loop' }]),
  },
  reconnecting: {
    connect: stay,
    abort: stay,
    replace: stay,
    refreshed,
    opened: opened('reconnecting'),
    failed: ofLoop((ctx, e) => {
      if (!e.giveUp) return go('reconnecting', 'reconnecting', counted(ctx, e), [{ type: 'report-error' }]);
      const [down, shut] = shutDown(counted(ctx, e), GAVE_UP, true);
      return go('reconnecting', 'reconnecting', down, [{ type: 'report-error' }, shut]);
    }),
    stopped: ofLoop((ctx) => {
      const [down, shut] = shutDown(ctx, GAVE_UP, true);
      return go('reconnecting', 'reconnecting', down, [{ type: 'report-error' }, shut]);
    }),
    dropped: stay,
    close: (ctx) => go('reconnecting', 'closing', ctx, [{ type: 'state' }, { type: 'stop-loop' }]),
  },
  closing: {
    ...finished,
    close: stay,
    closed: (ctx) => go('closing', 'closed', { ...ctx, loopId: 0, connId: 0 }),
  },
  closed: {
    ...finished,
    close: stay,
  },
};

/** One step of the machine. @throws MachineError when the table has no such transition. */
export function transition(state: ConnState, event: ConnEvent, ctx: ConnContext): Outcome {
  const cell = TRANSITIONS[state][event.type] as Cell | undefined;
  if (cell === undefined) throw new MachineError(state, event.type);
  return cell(ctx, event, state);
}
