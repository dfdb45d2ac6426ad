/**
 * Phase timing and the short, aligned lines the examples print.
 * @packageDocumentation
 */

/** One measured phase. @public */
export interface Phase {
  name: string;
  /** Milliseconds the phase took. */
  ms: number;
  /** Extra words printed after the timing. */
  detail?: string;
}

/**
 * Records phases relative to a start time. `mark` closes a phase that began at
 * the previous mark; `add` records a duration measured elsewhere (for example
 * the client's own `metrics()`).
 * @public
 */
export class PhaseTimer {
  readonly phases: Phase[] = [];
  private last: number;

  constructor(readonly start: number = performance.now()) {
    this.last = start;
  }

  /** Ends a phase that started at the previous mark (or the start). */
  mark(name: string, detail?: string): Phase {
    const now = performance.now();
    const phase: Phase = { name, ms: now - this.last, ...(detail === undefined ? {} : { detail }) };
    this.last = now;
    this.phases.push(phase);
    return phase;
  }

  /** Records a phase measured elsewhere. */
  add(name: string, ms: number, detail?: string): Phase {
    const phase: Phase = { name, ms, ...(detail === undefined ? {} : { detail }) };
    this.phases.push(phase);
    return phase;
  }

  /** Milliseconds since the start. */
  elapsed(): number {
    return performance.now() - this.start;
  }
}

/** Formats milliseconds for people: `0.8 ms`, `12 ms`, `1.24 s`. @public */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** One aligned line: `  name ........ 12 ms  detail`. @public */
export function formatPhase(phase: Phase, width = 12): string {
  const name = phase.name.padEnd(width, ' ');
  const time = formatMs(phase.ms).padStart(9, ' ');
  return `  ${name}${time}${phase.detail ? `  ${phase.detail}` : ''}`;
}
