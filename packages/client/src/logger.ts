/**
 * The logger contract users give, and the wrapper the client logs through:
 * it redacts messages and fields and never lets a failing logger break signaling.
 * @packageDocumentation
 */

import { redactSecrets } from '@kvs-sig/core';

/**
 * A logger. Every method is optional. Messages and fields never carry secrets:
 * URLs are redacted and credentials are never passed.
 * @public
 */
export interface Logger {
  debug?(message: string, fields?: Record<string, unknown>): void;
  info?(message: string, fields?: Record<string, unknown>): void;
  warn?(message: string, fields?: Record<string, unknown>): void;
  error?(message: string, fields?: Record<string, unknown>): void;
}

/** Logging that redacts messages and string fields. @internal */
export class SafeLogger {
  readonly #logger: Logger | undefined;

  constructor(logger: Logger | undefined) {
    this.#logger = logger;
  }

  #call(level: keyof Logger, message: string, fields?: Record<string, unknown>): void {
    const fn = this.#logger?.[level];
    if (typeof fn !== 'function') return;
    try {
      fn.call(this.#logger, redactSecrets(message), fields === undefined ? undefined : sanitizeFields(fields));
    } catch {
      // A failing logger must not break signaling.
    }
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.#call('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.#call('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.#call('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.#call('error', message, fields);
  }
}

function sanitizeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (/secret|token|password|credential|signature|authorization/i.test(k)) out[k] = '[REDACTED]';
    else if (typeof v === 'string') out[k] = redactSecrets(v);
    else if (v instanceof Error) out[k] = redactSecrets(`${v.name}: ${v.message}`);
    else if (typeof v === 'object' && v !== null) {
      try {
        out[k] = JSON.parse(redactSecrets(JSON.stringify(v))) as unknown;
      } catch {
        out[k] = '[unserialisable]';
      }
    } else out[k] = v;
  }
  return out;
}
