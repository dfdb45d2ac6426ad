import { ValidationError } from '@kvs-sig/core';
import type { Checksum, SourceData } from '@smithy/types';

const bytesOf = (data: SourceData): Uint8Array =>
  typeof data === 'string'
    ? new TextEncoder().encode(data)
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The part of WebCrypto's SubtleCrypto used here (the package builds without the DOM types). */
interface Subtle {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
  importKey(format: 'raw', key: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: false, usages: ['sign']): Promise<unknown>;
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

function subtle(): Subtle {
  const s = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (!s) {
    // Browsers expose crypto.subtle only in secure contexts (https:// pages, localhost).
    throw new ValidationError(
      'crypto.subtle',
      'SigV4 signing needs WebCrypto (crypto.subtle), which this page lacks: serve it over https:// (or localhost), or sign on a backend through requestSigner',
      'INVALID_CONFIGURATION',
    );
  }
  return s;
}

/**
 * SHA-256 (or HMAC-SHA-256 when given a secret) for smithy's `sha256` option,
 * through the platform's WebCrypto: the browser build ships no JavaScript hash.
 * WebCrypto does not stream, so updates are buffered until `digest()` (SigV4
 * hashes a canonical request and a body, both small).
 * @internal
 */
export class WebCryptoSha256 implements Checksum {
  readonly #secret: Uint8Array | undefined;
  #chunks: Uint8Array[] = [];

  constructor(secret?: SourceData) {
    // Copied: the caller may reuse its buffer before digest() runs.
    this.#secret = secret === undefined ? undefined : bytesOf(secret).slice();
  }

  update(data: Uint8Array): void {
    this.#chunks.push(bytesOf(data as SourceData).slice());
  }

  async digest(): Promise<Uint8Array> {
    let size = 0;
    for (const c of this.#chunks) size += c.length;
    const data = new Uint8Array(size);
    let at = 0;
    for (const c of this.#chunks) {
      data.set(c, at);
      at += c.length;
    }
    const s = subtle();
    if (this.#secret === undefined) return new Uint8Array(await s.digest('SHA-256', data));
    const key = await s.importKey('raw', this.#secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await s.sign('HMAC', key, data));
  }

  reset(): void {
    this.#chunks = [];
  }
}
