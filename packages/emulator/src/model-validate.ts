import { invalidArgument } from './aws-errors';
import { MODEL_OPERATIONS, MODEL_SHAPES, type ModelShape } from './model-table';

/**
 * Request validation driven by the service models (see model-table.ts): required
 * members, lengths in Unicode code points, patterns matched against the whole
 * value, enums, ranges and list/map sizes. Runs before any lookup, as the
 * service validates first: a malformed request for a channel that does not
 * exist is a 400, not a 404. Unknown members are ignored, as the service does.
 * @internal
 */

const patterns = new Map<string, RegExp>();

/** The model's pattern, anchored: the whole value must match (Java `matches()`, as the service runs it). */
function wholeValue(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

/** Length in Unicode code points (the unit of the models' string lengths). */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return `'${codePoints(text) > 100 ? `${[...text].slice(0, 100).join('')}…` : text}'`;
}

/** lowerCamel member path, as the service names members in validation messages. */
function segment(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

function typeOk(shape: ModelShape, value: unknown): boolean {
  switch (shape.type) {
    case 'structure':
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'list':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
    case 'long':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'timestamp':
    case 'double':
    case 'float':
      return typeof value === 'number' || typeof value === 'string';
    case 'blob':
      return typeof value === 'string';
  }
}

/** Every violation of `shapeKey` by `value`, in member order. */
export function violations(shapeKey: string, value: unknown, path: string, out: string[] = []): string[] {
  const shape = MODEL_SHAPES[shapeKey];
  if (!shape) throw new Error(`model table has no shape ${shapeKey}`);
  const fail = (rule: string) => out.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: ${rule}`);
  if (!typeOk(shape, value)) {
    fail(`Member must be of type ${shape.type}`);
    return out;
  }
  if (shape.type === 'string') {
    const s = value as string;
    const n = codePoints(s);
    if (shape.min !== undefined && n < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && n > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
    if (shape.pattern !== undefined && !wholeValue(shape.pattern).test(s)) fail(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    if (shape.enum !== undefined && !shape.enum.includes(s)) fail(`Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
  } else if (shape.type === 'integer' || shape.type === 'long') {
    const v = value as number;
    if (shape.min !== undefined && v < shape.min) fail(`Member must have value greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && v > shape.max) fail(`Member must have value less than or equal to ${shape.max}`);
  } else if (shape.type === 'list') {
    const list = value as unknown[];
    if (shape.min !== undefined && list.length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && list.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
    list.forEach((item, i) => {
      if (item === null) out.push(`Value null at '${path}.${i + 1}.member' failed to satisfy constraint: Member must not be null`);
      else violations(shape.member as string, item, `${path}.${i + 1}.member`, out);
    });
  } else if (shape.type === 'map') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (shape.min !== undefined && entries.length < shape.min) fail(`Member must have length greater than or equal to ${shape.min}`);
    if (shape.max !== undefined && entries.length > shape.max) fail(`Member must have length less than or equal to ${shape.max}`);
    for (const [k, v] of entries) {
      violations(shape.key as string, k, `${path}.${k}`, out);
      if (v === null) out.push(`Value null at '${path}.${k}' failed to satisfy constraint: Member must not be null`);
      else violations(shape.value as string, v, `${path}.${k}`, out);
    }
  } else if (shape.type === 'structure') {
    const obj = value as Record<string, unknown>;
    for (const [member, memberShape] of Object.entries(shape.members ?? {})) {
      const v = obj[member];
      const at = path === '' ? segment(member) : `${path}.${segment(member)}`;
      if (v === undefined || v === null) {
        if (shape.required?.includes(member)) out.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
        continue;
      }
      violations(memberShape, v, at, out);
    }
  }
  return out;
}

/**
 * Refuses `body` with the service's `InvalidArgumentException` (400) and its
 * "N validation errors detected" wording when it breaks the operation's input shape.
 * @internal
 */
export function validateInput(operation: string, body: Record<string, unknown>): void {
  const op = MODEL_OPERATIONS[operation];
  if (!op?.input) return;
  const found = violations(op.input, body, '');
  if (found.length === 0) return;
  const n = found.length;
  throw invalidArgument(`${n} validation error${n === 1 ? '' : 's'} detected: ${found.join('; ')}`);
}
