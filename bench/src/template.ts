/**
 * The report's prose lives in Markdown files under `bench/templates/`, one per
 * benchmark, so it reads and diffs as prose; the benchmarks only compute the
 * values. A file is a series of blocks, each opened by a line `<!-- name -->`
 * (anything before the first is a comment for the reader). A block is used as
 * written, with placeholders filled:
 *
 * - `{{key}}`: a string or number value;
 * - `{{key?yes|no}}`: `yes` when the boolean value is true, else `no`;
 * - `{{key#one|many}}`: `one` when the number value is 1 or -1, else `many`.
 *
 * Branches may hold placeholders of their own. Rendering is strict so that the
 * prose and the code cannot drift apart unnoticed: an unknown block, a value the
 * block does not use, a placeholder without a value, or a value of the wrong
 * type throws, naming the file, the block and the key.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the template files are. @public */
export const TEMPLATE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'templates');

/** A value a placeholder can take. @public */
export type TemplateValue = string | number | boolean;

/** The blocks of one template file. @public */
export interface Templates {
  /** Block `name` with its placeholders filled from `values` (exactly the keys it uses). */
  render(name: string, values?: Readonly<Record<string, TemplateValue>>): string;
  /** The block names, in file order. */
  readonly names: readonly string[];
}

type Node = string | { key: string; kind: '' | '?' | '#'; branches: Node[][] };

const MARKER = /^<!-- ([A-Za-z0-9._-]+) -->$/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Parses one block's text; `where` names it in errors. */
function parse(text: string, where: string): Node[] {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why} at offset ${i}`);
  };
  // Reads text and placeholders up to the end, or (inside a branch) up to a top-level `|` or `}}`.
  const sequence = (inBranch: boolean): Node[] => {
    const out: Node[] = [];
    let literal = '';
    while (i < text.length) {
      if (text.startsWith('{{', i)) {
        if (literal) out.push(literal);
        literal = '';
        i += 2;
        const key = KEY.exec(text.slice(i))?.[0] ?? fail('a placeholder without a key');
        i += key.length;
        if (text.startsWith('}}', i)) {
          i += 2;
          out.push({ key, kind: '', branches: [] });
          continue;
        }
        const kind = text[i];
        if (kind !== '?' && kind !== '#') return fail(`'{{${key}' is followed by neither '}}', '?' nor '#'`);
        i++;
        const first = sequence(true);
        if (text[i] !== '|') return fail(`'{{${key}${kind}' has no '|'`);
        i++;
        const second = sequence(true);
        if (!text.startsWith('}}', i)) return fail(`'{{${key}${kind}' is not closed`);
        i += 2;
        out.push({ key, kind, branches: [first, second] });
        continue;
      }
      if (inBranch && (text[i] === '|' || text.startsWith('}}', i))) break;
      if (text.startsWith('}}', i)) fail("a stray '}}'");
      literal += text[i];
      i++;
    }
    if (literal) out.push(literal);
    return out;
  };
  const nodes = sequence(false);
  if (i !== text.length) fail("a stray '|' or '}}'");
  return nodes;
}

function keysOf(nodes: readonly Node[], into: Set<string>): Set<string> {
  for (const n of nodes) {
    if (typeof n === 'string') continue;
    into.add(n.key);
    for (const b of n.branches) keysOf(b, into);
  }
  return into;
}

function fill(nodes: readonly Node[], values: Readonly<Record<string, TemplateValue>>, where: string): string {
  let out = '';
  for (const n of nodes) {
    if (typeof n === 'string') {
      out += n;
      continue;
    }
    const v = values[n.key];
    const wrong = (want: string): never => {
      throw new Error(`${where}: '{{${n.key}${n.kind}…}}' needs a ${want}, got ${typeof v} ${String(v)}`);
    };
    if (n.kind === '') out += typeof v === 'string' || typeof v === 'number' ? String(v) : wrong('string or number');
    else if (n.kind === '?') out += fill(typeof v === 'boolean' ? (v ? n.branches[0]! : n.branches[1]!) : wrong('boolean'), values, where);
    else out += fill(typeof v === 'number' ? (Math.abs(v) === 1 ? n.branches[0]! : n.branches[1]!) : wrong('number'), values, where);
  }
  return out;
}

/** Parses a template file's text into its blocks (exported for the tests). @public */
export function parseTemplates(file: string, source: string): Templates {
  const blocks = new Map<string, { nodes: Node[]; keys: Set<string> }>();
  let name: string | null = null;
  let lines: string[] = [];
  const close = (): void => {
    if (name === null) return;
    // Blank lines around a block separate it from its neighbours in the file; they are not part of it.
    while (lines.length && lines[0]!.trim() === '') lines.shift();
    while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
    const where = `${file} <!-- ${name} -->`;
    const nodes = parse(lines.join('\n'), where);
    blocks.set(name, { nodes, keys: keysOf(nodes, new Set()) });
  };
  for (const line of source.split(/\r?\n/)) {
    const m = MARKER.exec(line);
    if (!m) {
      lines.push(line);
      continue;
    }
    close();
    name = m[1]!;
    if (blocks.has(name)) throw new Error(`${file}: block '${name}' appears twice`);
    lines = [];
  }
  close();
  return {
    names: [...blocks.keys()],
    render(block, values = {}) {
      const b = blocks.get(block);
      if (!b) throw new Error(`${file}: no block '${block}'`);
      const where = `${file} <!-- ${block} -->`;
      for (const k of b.keys) if (!(k in values)) throw new Error(`${where}: no value for '{{${k}}}'`);
      for (const k of Object.keys(values)) if (!b.keys.has(k)) throw new Error(`${where}: the block does not use '${k}'`);
      return fill(b.nodes, values, where);
    },
  };
}

const loaded = new Map<string, Templates>();

/** The blocks of `bench/templates/<name>.md`, read once. @public */
export function templates(name: string): Templates {
  let t = loaded.get(name);
  if (!t) {
    const file = path.join(TEMPLATE_DIR, `${name}.md`);
    t = parseTemplates(path.relative(path.resolve(TEMPLATE_DIR, '..', '..'), file), readFileSync(file, 'utf8'));
    loaded.set(name, t);
  }
  return t;
}
