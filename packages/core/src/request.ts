/**
 * The request shape every builder returns.
 * @packageDocumentation
 */
import { ValidationError } from './errors';
import { requireEndpoint } from './endpoint';
import type { HttpRequest } from './types';

/**
 * Where a control-plane builder sends its request: the base URL from
 * {@link resolveControlPlaneEndpoint} (what `createSignaling` binds for you).
 * @public
 */
export interface ControlPlaneTarget {
  controlPlaneEndpoint: string;
}

/** @internal */
export function controlPlaneUrl(target: unknown, path: string): string {
  if (typeof target !== 'object' || target === null) {
    throw new ValidationError('controlPlaneEndpoint', 'is required: pass { controlPlaneEndpoint } or use createSignaling()');
  }
  const base = requireEndpoint((target as Record<string, unknown>).controlPlaneEndpoint, 'controlPlaneEndpoint', 'https');
  return base + path;
}

/** @internal */
export function postJson(url: string, body: unknown): HttpRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
