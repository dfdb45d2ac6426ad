/**
 * Secret-leak scanning: fixed test credentials with recognisable values, every
 * form they can take on the wire (raw, percent-encoded, JSON-escaped), and any
 * SigV4 signature, searched for in whatever a path produced (log lines, error
 * messages, `toJSON()`, `util.inspect`, events, CLI output).
 * @packageDocumentation
 */
import { inspect } from 'node:util';

/** Credentials whose secret parts are easy to spot and contain `/` and `+` (so encodings differ). @public */
export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIDRELIABILITY0TEST',
  secretAccessKey: 'reliabilitySECRET/key+0123456789abcdefGHIJ',
  sessionToken: 'IQoJreliabilitySESSION/token+0123456789abcdefZ==',
} as const;

/** One leak: where, what, and a little context around it. @public */
export interface Leak {
  label: string;
  secret: string;
  context: string;
}

const SIGNATURE_RE = /(?:signature|X-Amz-Signature)["']?\s*[=:]\s*["']?([0-9a-f]{64})/gi;

/**
 * Collects text from every path and records each secret found. Signatures are
 * found by pattern (a 64-hex value after `Signature`) and by value (every
 * signature the run produced, registered with {@link SecretScanner.addSignature}).
 * @public
 */
export class SecretScanner {
  readonly leaks: Leak[] = [];
  /** How many texts were scanned, and their total size (so a test can show it looked). */
  scanned = 0;
  bytes = 0;
  private readonly needles = new Map<string, string>();

  constructor(secrets: string[] = [TEST_CREDENTIALS.secretAccessKey, TEST_CREDENTIALS.sessionToken]) {
    for (const s of secrets) this.addSecret(s);
  }

  /** Adds a secret in all its encodings. */
  addSecret(secret: string, name = 'secret'): void {
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), secret.replace(/\//g, '\\/')])) {
      this.needles.set(form, name);
    }
  }

  /** Adds a signature that must never be shown. */
  addSignature(signature: string): void {
    this.needles.set(signature, 'signature');
  }

  /** How many distinct signatures are being searched for. */
  get signatureCount(): number {
    return [...this.needles.values()].filter((v) => v === 'signature').length;
  }

  /** Registers every signature in a presigned URL or Authorization header. */
  addSignaturesFrom(text: string): void {
    for (const m of text.matchAll(/(?:X-Amz-Signature=|Signature=)([0-9a-f]{64})/g)) this.addSignature(m[1] as string);
  }

  /** Scans one text. */
  scan(label: string, text: string | undefined): void {
    if (text === undefined) return;
    this.scanned++;
    this.bytes += text.length;
    for (const [needle, name] of this.needles) {
      const i = text.indexOf(needle);
      if (i >= 0) this.leaks.push({ label, secret: name, context: text.slice(Math.max(0, i - 60), i + needle.length + 20) });
    }
    for (const m of text.matchAll(SIGNATURE_RE)) {
      this.leaks.push({ label, secret: 'signature', context: text.slice(Math.max(0, (m.index ?? 0) - 40), (m.index ?? 0) + m[0].length) });
    }
  }

  /**
   * Scans an error in every form a program shows it: message, `String()`,
   * stack, `toJSON()` (when it has one), `JSON.stringify` and `util.inspect`
   * (what `console.log(err)` prints, causes included).
   */
  scanError(label: string, error: unknown): void {
    if (error instanceof Error) {
      this.scan(`${label} message`, error.message);
      this.scan(`${label} String()`, String(error));
      this.scan(`${label} stack`, error.stack);
    }
    const withJson = error as { toJSON?: () => unknown };
    if (typeof withJson?.toJSON === 'function') {
      try {
        this.scan(`${label} toJSON()`, JSON.stringify(withJson.toJSON()));
      } catch (e) {
        this.leaks.push({ label: `${label} toJSON()`, secret: 'toJSON threw', context: String(e) });
      }
    }
    try {
      this.scan(`${label} JSON.stringify`, JSON.stringify(error));
    } catch {
      // circular errors cannot be stringified; inspect below still covers them
    }
    this.scan(`${label} util.inspect`, inspect(error, { depth: 8 }));
  }

  /** Scans any value (event payloads, log arguments) as `util.inspect` and JSON show it. */
  scanValue(label: string, value: unknown): void {
    if (value instanceof Error) return this.scanError(label, value);
    this.scan(`${label} util.inspect`, inspect(value, { depth: 8 }));
    try {
      this.scan(`${label} JSON`, JSON.stringify(value));
    } catch {
      // not serialisable; inspect covered it
    }
  }
}
