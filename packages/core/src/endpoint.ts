/**
 * Control-plane endpoint resolution (protocol.md 3.1.1), STUN URLs (3.1.4),
 * and endpoint checks shared by the builders.
 * @packageDocumentation
 */
import { ValidationError } from './errors';
import { requireString } from './validate';

/** Options of {@link resolveControlPlaneEndpoint} and `createSignaling`. @public */
export interface ControlPlaneOptions {
  /** AWS region, e.g. `us-west-2`. Not checked against a list (new regions work at once). */
  region?: string;
  /** A custom control-plane endpoint, used verbatim (a trailing `/` is dropped). */
  endpoint?: string;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
}

const REGION_RE = /^[a-zA-Z0-9-]{1,64}$/;
/** Two letters, one or more words, a number: every AWS region name has this shape. */
const AWS_REGION_RE = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const LOOPBACK_HOST_RE = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;
const HOST_PORT_RE = /^(\[[^\]]*\]|[^:]*)(?::\d{1,5})?$/;

/**
 * True for a loopback host name: `localhost`, `127.x.y.z` or `[::1]` (a URL's
 * hostname, without port). The one check behind every "`http://`/`ws://` only
 * towards loopback" rule of the SDK (core's builders, the signer, the client).
 * @public
 */
export function isLoopbackHost(hostname: string): boolean {
  return typeof hostname === 'string' && LOOPBACK_HOST_RE.test(hostname);
}
const URL_RE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#\s@]+)([^?#\s]*)$/i;

/**
 * Checks an endpoint URL and returns it without a trailing `/` (so that
 * appending a path never yields `//path`). Only the given schemes are
 * accepted; the insecure one (`http`/`ws`) only towards a loopback host.
 * @throws ValidationError `BAD_PARAM` or `INSECURE_ENDPOINT`.
 * @internal
 */
export function requireEndpoint(value: unknown, field: string, secure: 'https' | 'wss'): string {
  const s = requireString(value, field);
  const m = URL_RE.exec(s);
  if (m === null) throw new ValidationError(field, `must be an absolute ${secure}:// URL with no query or fragment`);
  const scheme = (m[1] as string).toLowerCase();
  const insecure = secure === 'https' ? 'http' : 'ws';
  if (scheme === insecure) {
    const host = HOST_PORT_RE.exec(m[2] as string)?.[1];
    if (host === undefined || !isLoopbackHost(host)) {
      throw new ValidationError(field, `${insecure}:// is allowed only for a loopback host; use ${secure}://`, 'INSECURE_ENDPOINT');
    }
  } else if (scheme !== secure) {
    throw new ValidationError(field, `must use ${secure}://, got ${scheme}://`);
  }
  return s.replace(/\/+$/, '');
}

function isChina(region: string): boolean {
  return region.length >= 3 && region.startsWith('cn-');
}

/**
 * The control-plane base URL for a region, following the official endpoint
 * rules: standard, China (`cn-`), FIPS, dual-stack, GovCloud, ISO/ISOB, or a
 * custom endpoint used verbatim.
 * @throws ValidationError `INVALID_CONFIGURATION` for FIPS/dual-stack with a custom endpoint, dual-stack in ISO/ISOB, or neither region nor endpoint; `BAD_PARAM` for a malformed region or endpoint.
 * @public
 */
export function resolveControlPlaneEndpoint(options: ControlPlaneOptions): string {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object');
  const { region, endpoint } = options;
  const fips = options.useFipsEndpoint === true;
  const dual = options.useDualstackEndpoint === true;
  if (endpoint !== undefined) {
    if (fips) throw new ValidationError('useFipsEndpoint', 'cannot be combined with a custom endpoint', 'INVALID_CONFIGURATION');
    if (dual) throw new ValidationError('useDualstackEndpoint', 'cannot be combined with a custom endpoint', 'INVALID_CONFIGURATION');
    if (region !== undefined) requireRegion(region);
    return requireEndpoint(endpoint, 'endpoint', 'https');
  }
  if (region === undefined) throw new ValidationError('region', 'Missing Region: give a region or a custom endpoint', 'INVALID_CONFIGURATION');
  requireRegion(region);
  const host = `kinesisvideo${fips ? '-fips' : ''}.${region}`;
  if (region.startsWith('us-isob-')) {
    if (dual) throw new ValidationError('useDualstackEndpoint', 'dual-stack is not available in the aws-iso-b partition', 'INVALID_CONFIGURATION');
    return `https://${host}.sc2s.sgov.gov`;
  }
  if (region.startsWith('us-iso-')) {
    if (dual) throw new ValidationError('useDualstackEndpoint', 'dual-stack is not available in the aws-iso partition', 'INVALID_CONFIGURATION');
    return `https://${host}.c2s.ic.gov`;
  }
  if (isChina(region)) return `https://${host}.${dual ? 'api.amazonwebservices.com.cn' : 'amazonaws.com.cn'}`;
  return `https://${host}.${dual ? 'api.aws' : 'amazonaws.com'}`;
}

/**
 * Whether `region` has the shape of an AWS region name (`us-west-2`,
 * `us-gov-west-1`, `cn-north-1`, `us-isob-east-1`, `eu-isoe-west-1`, ...), so
 * that it can form a KVS host name such as `kinesisvideo.<region>.amazonaws.com`.
 * A shape, not a list: new regions pass at once, typos such as `xx`, `us-west`
 * or `US-WEST-2` do not. {@link resolveControlPlaneEndpoint} itself accepts any
 * region token (as the C SDK does); a client that builds host names from the
 * region checks this first, and accepts any token when given a custom endpoint.
 * @public
 */
export function isValidRegion(region: unknown): region is string {
  return typeof region === 'string' && region.length <= 64 && AWS_REGION_RE.test(region);
}

/** @internal */
export function requireRegion(value: unknown, field = 'region'): string {
  const s = requireString(value, field);
  if (!REGION_RE.test(s)) throw new ValidationError(field, 'must be 1-64 characters of [a-zA-Z0-9-]');
  return s;
}

/** Options of {@link generateStunUrl}. @public */
export interface StunUrlOptions {
  region: string;
  useFipsEndpoint?: boolean;
  useDualstackEndpoint?: boolean;
}

/**
 * The KVS STUN server URL of a region, as the official SDK's
 * `FipsUtils.generateStunUrl` builds it (`stuns:` with FIPS, `api.aws` with
 * dual-stack), with the China suffix `.amazonaws.com.cn` of the C SDK.
 * @throws ValidationError `BAD_PARAM` on a malformed region.
 * @public
 */
export function generateStunUrl(options: StunUrlOptions): string {
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', 'must be an object');
  const region = requireRegion(options.region);
  const fips = options.useFipsEndpoint === true;
  const dual = options.useDualstackEndpoint === true;
  const suffix = isChina(region) ? (dual ? 'api.amazonwebservices.com.cn' : 'amazonaws.com.cn') : dual ? 'api.aws' : 'amazonaws.com';
  return `${fips ? 'stuns' : 'stun'}:stun.kinesisvideo${fips ? '-fips' : ''}.${region}.${suffix}:443`;
}
