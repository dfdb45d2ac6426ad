/**
 * The connection machine without sockets or timers: every state × every event, on a fake
 * clock. The table below is the documented outcome of each cell; changing any transition
 * of the machine fails this test until the table here changes with it (in review).
 */
import {
  CONN_EVENTS,
  CONN_STATES,
  FLAP_MS,
  MachineError,
  initialContext,
  publicState,
  transition,
  type ConnContext,
  type ConnEffect,
  type ConnEvent,
  type ConnEventType,
  type ConnState,
} from '../../src/connection/machine';

/** A fake clock: the machine takes time only from events. */
const clock = { now: 1_000_000 };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function step(state: ConnState, ctx: ConnContext, event: ConnEvent) {
  // Pure: the input is frozen, so any mutation throws (strict mode).
  return transition(state, event, deepFreeze(structuredClone(ctx)));
}

/** Each state, reached by the machine's own transitions from `idle`. */
function reach(target: ConnState): { state: ConnState; ctx: ConnContext } {
  let state: ConnState = 'idle';
  let ctx = initialContext();
  const go = (event: ConnEvent) => {
    const out = step(state, ctx, event);
    state = out.state;
    ctx = out.context;
  };
  const path: Record<ConnState, () => void> = {
    idle: () => undefined,
    connecting: () => go({ type: 'connect' }),
    open: () => {
      path.connecting();
      go({ type: 'opened', loopId: ctx.loopId, connId: 1 });
    },
    replacing: () => {
      path.open();
      go({ type: 'replace', reason: 'GO_AWAY' });
    },
    'replacing-lost': () => {
      path.replacing();
      go({ type: 'dropped', connId: 1, code: 1001, reason: 'going away', openedAt: clock.now - 60_000, now: clock.now, reconnect: true });
    },
    reconnecting: () => {
      path.open();
      go({ type: 'dropped', connId: 1, code: 1006, reason: '', openedAt: clock.now - 60_000, now: clock.now, reconnect: true });
    },
    closing: () => {
      path.open();
      go({ type: 'close' });
    },
    closed: () => {
      path.closing();
      go({ type: 'closed' });
    },
  };
  path[target]();
  expect(state).toBe(target);
  return { state, ctx };
}

/** An event of each type carrying the ids the context calls current (or the last ones handed out). */
function eventOf(type: ConnEventType, ctx: ConnContext, variant: { stale?: boolean; giveUp?: boolean; reconnect?: boolean } = {}): ConnEvent {
  const loopId = variant.stale ? 999 : ctx.loopId || ctx.loopSeq;
  const connId = variant.stale ? 999 : ctx.connId || 1;
  switch (type) {
    case 'connect':
    case 'abort':
    case 'close':
    case 'closed':
      return { type };
    case 'replace':
      return { type, reason: 'connection lifetime' };
    case 'refreshed':
    case 'stopped':
      return { type, loopId };
    case 'opened':
      return { type, loopId, connId: 7 };
    case 'failed':
      return { type, loopId, giveUp: variant.giveUp ?? false, refreshCredentials: true, authFailures: 1, skewRetries: 0 };
    case 'dropped':
      return { type, connId, code: 1006, reason: 'gone', openedAt: clock.now - 60_000, now: clock.now, reconnect: variant.reconnect ?? true };
  }
}

function render(effects: ConnEffect[]): string {
  return effects
    .map((e) => {
      switch (e.type) {
        case 'start-loop':
          return `start-loop#${e.loopId}${e.replacing ? '(replacing)' : ''}`;
        case 'install':
        case 'announce-open':
          return `${e.type}${e.reconnected ? '(reconnected)' : ''}`;
        case 'emit-close':
          return `emit-close(${e.code})`;
        case 'shut-down':
          return `shut-down(${e.final.code}${e.rejectPending ? ',reject' : ''})`;
        case 'backoff-steps':
          return `backoff-steps(${e.steps})`;
        default:
          return e.type;
      }
    })
    .join(' ');
}

function cell(state: ConnState, type: ConnEventType, variant: { giveUp?: boolean; reconnect?: boolean } = {}): string {
  const { ctx } = reach(state);
  try {
    const out = step(state, ctx, eventOf(type, ctx, variant));
    const fx = render(out.effects);
    return fx ? `${out.state}: ${fx}` : out.state;
  } catch (error) {
    if (error instanceof MachineError) return 'ILLEGAL';
    throw error;
  }
}

/**
 * The documented outcome of every (state, event): "next state: effects in order".
 * `failed!` gives up (fatal, or the attempts ran out); `dropped-` has reconnecting disabled.
 */
const TABLE: Record<ConnState, Record<string, string>> = {
  idle: {
    connect: 'connecting: reset-outage state start-loop#1',
    abort: 'idle',
    replace: 'idle',
    refreshed: 'idle',
    opened: 'idle: discard-socket',
    failed: 'idle',
    'failed!': 'idle',
    stopped: 'idle',
    dropped: 'idle',
    'dropped-': 'idle',
    close: 'closing: state',
    closed: 'ILLEGAL',
  },
  connecting: {
    connect: 'connecting',
    abort: 'idle: abandon state',
    replace: 'connecting',
    refreshed: 'connecting',
    opened: 'open: install state announce-open',
    failed: 'connecting: report-error',
    'failed!': 'idle: report-error abandon state',
    stopped: 'idle: abandon state',
    dropped: 'connecting',
    'dropped-': 'connecting',
    close: 'closing: state stop-loop',
    closed: 'ILLEGAL',
  },
  open: {
    connect: 'open',
    abort: 'open',
    replace: 'replacing: start-loop#2(replacing)',
    refreshed: 'open',
    opened: 'open: discard-socket',
    failed: 'open',
    'failed!': 'open',
    stopped: 'open',
    dropped: 'reconnecting: emit-close(1006) state start-loop#2',
    'dropped-': 'open: shut-down(1006)',
    close: 'closing: state',
    closed: 'ILLEGAL',
  },
  replacing: {
    connect: 'replacing',
    abort: 'replacing',
    replace: 'replacing',
    refreshed: 'replacing',
    opened: 'open: install(reconnected) state announce-open(reconnected)',
    failed: 'replacing: report-error',
    'failed!': 'open: report-error',
    stopped: 'open: report-error',
    dropped: 'replacing-lost',
    'dropped-': 'replacing-lost',
    close: 'closing: state stop-loop',
    closed: 'ILLEGAL',
  },
  'replacing-lost': {
    connect: 'replacing-lost',
    abort: 'replacing-lost',
    replace: 'replacing-lost',
    refreshed: 'replacing-lost',
    opened: 'open: install(reconnected) state announce-open(reconnected)',
    failed: 'reconnecting: emit-close(1001) state report-error',
    'failed!': 'reconnecting: emit-close(1001) state report-error shut-down(1006,reject)',
    stopped: 'reconnecting: emit-close(1001) state report-error shut-down(1006,reject)',
    dropped: 'replacing-lost',
    'dropped-': 'replacing-lost',
    close: 'closing: state stop-loop',
    closed: 'ILLEGAL',
  },
  reconnecting: {
    connect: 'reconnecting',
    abort: 'reconnecting',
    replace: 'reconnecting',
    refreshed: 'reconnecting',
    opened: 'open: install(reconnected) state announce-open(reconnected)',
    failed: 'reconnecting: report-error',
    'failed!': 'reconnecting: report-error shut-down(1006,reject)',
    stopped: 'reconnecting: report-error shut-down(1006,reject)',
    dropped: 'reconnecting',
    'dropped-': 'reconnecting',
    close: 'closing: state stop-loop',
    closed: 'ILLEGAL',
  },
  closing: {
    connect: 'ILLEGAL',
    abort: 'closing',
    replace: 'closing',
    refreshed: 'closing',
    opened: 'closing: discard-socket',
    failed: 'closing',
    'failed!': 'closing',
    stopped: 'closing',
    dropped: 'closing',
    'dropped-': 'closing',
    close: 'closing',
    closed: 'closed: state',
  },
  closed: {
    connect: 'ILLEGAL',
    abort: 'closed',
    replace: 'closed',
    refreshed: 'closed',
    opened: 'closed: discard-socket',
    failed: 'closed',
    'failed!': 'closed',
    stopped: 'closed',
    dropped: 'closed',
    'dropped-': 'closed',
    close: 'closed',
    closed: 'ILLEGAL',
  },
};

describe('connection machine: every state × every event', () => {
  test('the table covers exactly the machine\'s states and events', () => {
    expect(Object.keys(TABLE).sort()).toEqual([...CONN_STATES].sort());
    for (const state of CONN_STATES) {
      expect(Object.keys(TABLE[state]).sort()).toEqual([...CONN_EVENTS, 'failed!', 'dropped-'].sort());
    }
  });

  const cases = CONN_STATES.flatMap((state) => CONN_EVENTS.map((event) => [state, event] as const));
  test.each(cases)('%s × %s', (state, event) => {
    expect(cell(state, event)).toBe(TABLE[state][event]);
    if (event === 'failed') expect(cell(state, event, { giveUp: true })).toBe(TABLE[state]['failed!']);
    if (event === 'dropped') expect(cell(state, event, { reconnect: false })).toBe(TABLE[state]['dropped-']);
  });

  test.each(CONN_STATES)('%s: an event of a replaced loop or socket changes nothing', (state) => {
    const { ctx } = reach(state);
    for (const type of ['refreshed', 'opened', 'failed', 'stopped', 'dropped'] as const) {
      for (const variant of [{ stale: true }, { stale: true, giveUp: true }, { stale: true, reconnect: false }]) {
        const out = step(state, ctx, eventOf(type, ctx, variant));
        expect(out.state).toBe(state);
        expect(out.context).toEqual(ctx);
        // A socket a replaced loop opened is closed, never installed.
        expect(render(out.effects)).toBe(type === 'opened' ? 'discard-socket' : '');
      }
    }
  });

  test('an illegal transition names the state and the event', () => {
    const { ctx } = reach('open');
    expect(() => transition('open', { type: 'closed' }, ctx)).toThrow(new MachineError('open', 'closed'));
    expect(() => transition('open', { type: 'closed' }, ctx)).toThrow('no transition for event "closed" in state "open"');
  });

  test('the public state is a projection of the internal one', () => {
    expect(CONN_STATES.map((s) => `${s}→${publicState(s)}`).join(' ')).toBe(
      'idle→idle connecting→connecting open→open replacing→open replacing-lost→open reconnecting→reconnecting closing→closing closed→closed',
    );
  });

  test('every transition that changes the public state announces it exactly once', () => {
    for (const state of CONN_STATES) {
      const { ctx } = reach(state);
      for (const type of CONN_EVENTS) {
        for (const variant of [{}, { giveUp: true }, { reconnect: false }]) {
          let out;
          try {
            out = step(state, ctx, eventOf(type, ctx, variant));
          } catch (error) {
            if (error instanceof MachineError) continue;
            throw error;
          }
          const announced = out.effects.filter((e) => e.type === 'state').length;
          expect([state, type, announced]).toEqual([state, type, publicState(out.state) === publicState(state) ? announced : 1]);
          expect(announced).toBeLessThanOrEqual(1);
        }
      }
    }
  });
});

describe('connection machine: context', () => {
  const drop = (openedAt: number, now: number): ConnEvent => ({ type: 'dropped', connId: 1, code: 1006, reason: '', openedAt, now, reconnect: true });

  test('young connections in a row (fake clock) grow the backoff from the second one; a connection that lived resets it', () => {
    let { state, ctx } = reach('open');
    const steps: string[] = [];
    for (const ageMs of [100, FLAP_MS - 1, 200, FLAP_MS, 300]) {
      clock.now += 10_000;
      const out = step(state, ctx, drop(clock.now - ageMs, clock.now));
      steps.push(`${out.context.flaps}:${render(out.effects.filter((e) => e.type === 'backoff-steps'))}`);
      const reopened = step(out.state, out.context, { type: 'opened', loopId: out.context.loopId, connId: 1 });
      state = reopened.state;
      ctx = reopened.context;
    }
    expect(steps).toEqual(['1:', '2:backoff-steps(1)', '3:backoff-steps(2)', '0:', '1:']);
  });

  test('the flap count is capped at 30', () => {
    let { state, ctx } = reach('open');
    for (let i = 0; i < 40; i++) {
      const out = step(state, ctx, drop(clock.now, clock.now));
      const reopened = step(out.state, out.context, { type: 'opened', loopId: out.context.loopId, connId: 1 });
      state = reopened.state;
      ctx = reopened.context;
    }
    expect(ctx.flaps).toBe(30);
  });

  test('a failure keeps its counters and asks for fresh credentials until they are refreshed; an open resets the counters', () => {
    const { ctx } = reach('connecting');
    const failed = step('connecting', ctx, { type: 'failed', loopId: ctx.loopId, giveUp: false, refreshCredentials: true, authFailures: 2, skewRetries: 1 });
    expect(failed.context).toMatchObject({ refreshCredentials: true, authFailures: 2, skewRetries: 1 });
    const refreshed = step('connecting', failed.context, { type: 'refreshed', loopId: ctx.loopId });
    expect(refreshed.context.refreshCredentials).toBe(false);
    const opened = step('connecting', refreshed.context, { type: 'opened', loopId: ctx.loopId, connId: 3 });
    expect(opened.context).toMatchObject({ authFailures: 0, skewRetries: 0, connId: 3, loopId: 0, everOpened: true });
  });

  test('a fresh connect() from idle forgets the earlier outage\'s counters and starts a new loop id', () => {
    const { ctx } = reach('connecting');
    const gaveUp = step('connecting', ctx, { type: 'failed', loopId: ctx.loopId, giveUp: true, refreshCredentials: false, authFailures: 3, skewRetries: 2 });
    expect(gaveUp.state).toBe('idle');
    const again = step('idle', gaveUp.context, { type: 'connect' });
    expect(again.context).toMatchObject({ authFailures: 0, skewRetries: 0, loopId: 2 });
    // The given-up loop's late events no longer count.
    const late = step('connecting', again.context, { type: 'failed', loopId: 1, giveUp: true, refreshCredentials: false, authFailures: 9, skewRetries: 9 });
    expect(late.state).toBe('connecting');
    expect(late.context).toEqual(again.context);
  });

  test('a replacement holds the old socket\'s close and shows it only when the replacement fails; close() then reports the final close', () => {
    const { state, ctx } = reach('replacing-lost');
    expect(ctx.heldClose).toEqual({ code: 1001, reason: 'going away' });
    const failed = step(state, ctx, { type: 'failed', loopId: ctx.loopId, giveUp: true, refreshCredentials: false, authFailures: 0, skewRetries: 0 });
    expect(failed.context.heldClose).toBeUndefined();
    expect(failed.context.finalClose).toEqual({ code: 1006, reason: 'reconnect failed' });
    const opened = step(state, ctx, { type: 'opened', loopId: ctx.loopId, connId: 2 });
    expect(opened.context.heldClose).toBeUndefined();
  });
});
