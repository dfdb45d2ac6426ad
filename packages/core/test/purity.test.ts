/** Core has no runtime dependencies and touches nothing from Node or the DOM. */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const pkgDir = path.join(__dirname, '..');
const srcDir = path.join(pkgDir, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

// Comments and string literals may mention these names; only code counts.
function codeOnly(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '')
    .replace(/'(?:[^'\\\n]|\\.)*'/g, "''")
    .replace(/`(?:[^`\\]|\\.)*`/g, '``');
}

describe('core purity', () => {
  test('package.json declares no runtime or peer dependencies', () => {
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundledDependencies']) {
      const deps = pkg[field] as Record<string, string> | undefined;
      expect({ field, deps: Object.keys(deps ?? {}) }).toEqual({ field, deps: [] });
    }
  });

  const files = sourceFiles(srcDir);
  test('there are sources to check', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  test.each(files.map((f) => [path.relative(pkgDir, f), f]))('%s imports only relative modules', (_rel, file) => {
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\s*\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
    // `#codec` is core's own conditional module (package.json `imports`), checked below.
    for (const s of specifiers) if (s !== '#codec') expect(s).toMatch(/^\.\.?\//);
  });

  test('#codec, the one non-relative import, maps only to core\'s own codec sources', () => {
    const pkg = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { imports?: Record<string, unknown> };
    expect(Object.keys(pkg.imports ?? {})).toEqual(['#codec']);
    const targets = Object.values(pkg.imports?.['#codec'] as Record<string, string>);
    expect(targets.sort()).toEqual(['./src/codec-browser.ts', './src/codec.ts']);
    for (const t of targets) expect(files).toContain(path.join(pkgDir, t));
  });

  const forbidden = ['Buffer', 'process', 'require', 'window', 'document', 'fetch', 'WebSocket', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'setTimeout', 'setInterval', 'globalThis', 'self', 'navigator', 'crypto', 'URL', 'performance'];
  test.each(files.map((f) => [path.relative(pkgDir, f), f]))('%s references no Node/DOM globals, no Date.now', (rel, file) => {
    expect(violations(rel, readFileSync(file, 'utf8'))).toEqual([]);
  });

  // The one exception: the two builds of `#codec` (src/codec.ts and
  // src/codec-browser.ts) may use the web codecs, read once through
  // `const host = globalThis as NativeCodecs`, whose interface declares only
  // those four names; every `host.` read must name one of them.
  const NATIVE_CODECS = ['atob', 'btoa', 'TextEncoder', 'TextDecoder'];
  function sanctionedNativeReads(code: string): { rest: string; errors: string[] } {
    const errors: string[] = [];
    let rest = code;
    const iface = /interface\s+NativeCodecs\s*\{([^}]*)\}/.exec(rest);
    if (iface) {
      const members = (iface[1] ?? '').split(';').map((m) => m.trim()).filter((m) => m !== '');
      for (const m of members) {
        const name = /^readonly\s+(\w+)\?\s*:\s*unknown$/.exec(m)?.[1];
        if (name === undefined || !NATIVE_CODECS.includes(name)) errors.push(`NativeCodecs member not allowed: ${m}`);
      }
      rest = rest.replace(iface[0], '');
    }
    const reads = rest.match(/const\s+host\s*=\s*globalThis\s+as\s+NativeCodecs\s*;/g) ?? [];
    if (reads.length > 1) errors.push('globalThis is read more than once');
    rest = rest.replace(/const\s+host\s*=\s*globalThis\s+as\s+NativeCodecs\s*;/, '');
    for (const m of rest.matchAll(/(?<![\w.$])host\s*\.\s*([\w$]+)/g)) {
      if (!NATIVE_CODECS.includes(m[1] ?? '')) errors.push(`host.${m[1]} is not a native codec`);
    }
    return { rest, errors };
  }

  const CODEC_FILES = [path.join('src', 'codec.ts'), path.join('src', 'codec-browser.ts')];
  function violations(rel: string, text: string): string[] {
    let code = codeOnly(text);
    const errors: string[] = [];
    if (CODEC_FILES.includes(rel)) {
      const sanctioned = sanctionedNativeReads(code);
      code = sanctioned.rest;
      errors.push(...sanctioned.errors);
    }
    for (const name of forbidden) {
      if (new RegExp(`(?<![\\w.$'])${name}(?![\\w$])`).test(code)) errors.push(name);
    }
    if (/Date\s*\.\s*now/.test(code)) errors.push('Date.now');
    if (/new\s+Date\s*\(\s*\)/.test(code)) errors.push('new Date()');
    return errors;
  }

  const sanctioned = [
    'interface NativeCodecs { readonly atob?: unknown; readonly TextDecoder?: unknown; }',
    'const host = globalThis as NativeCodecs;',
    'const a = (host.atob as Atob).bind(host);',
    "const d = new (host.TextDecoder as Ctor)('utf-8');",
  ].join('\n');

  test('the codec builds may read the four web codecs through globalThis, and nothing else may', () => {
    for (const f of CODEC_FILES) expect(violations(f, sanctioned)).toEqual([]);
    expect(violations(path.join('src', 'base64.ts'), sanctioned)).toEqual(expect.arrayContaining(['atob', 'TextDecoder', 'globalThis']));
    // The same reads anywhere else in core are violations.
    expect(violations(path.join('src', 'json.ts'), sanctioned)).toEqual(expect.arrayContaining(['atob', 'TextDecoder', 'globalThis']));
  });

  test.each([
    ['a bare global', 'const s = atob(x);', 'atob'],
    ['new of a bare global', 'const e = new TextEncoder();', 'TextEncoder'],
    ['another global through host', 'const host = globalThis as NativeCodecs;\nhost.process.exit();', 'host.process is not a native codec'],
    ['globalThis read directly', 'const a = globalThis.atob;', 'globalThis'],
    ['globalThis cast to another type', 'const g = globalThis as Other;', 'globalThis'],
    ['a second globalThis read', 'const host = globalThis as NativeCodecs;\nconst host = globalThis as NativeCodecs;', 'globalThis is read more than once'],
    ['a non-codec member in NativeCodecs', 'interface NativeCodecs { readonly atob?: unknown; readonly Buffer?: unknown; }', 'NativeCodecs member not allowed: readonly Buffer?: unknown'],
    ['a typed member in NativeCodecs', 'interface NativeCodecs { readonly atob?: (s: string) => string; }', 'NativeCodecs member not allowed: readonly atob?: (s: string) => string'],
    ['Buffer', 'const b = Buffer.from(x);', 'Buffer'],
  ])('the codec exception still catches %s', (_what, snippet, expected) => {
    for (const f of CODEC_FILES) expect(violations(f, snippet)).toContain(expected);
  });

  test('the checker itself catches a violation', () => {
    const code = codeOnly("const x = Buffer.from('a'); // Buffer in a comment is fine");
    expect(/(?<![\w.$'])Buffer(?![\w$])/.test(code)).toBe(true);
    expect(/(?<![\w.$'])Buffer(?![\w$])/.test(codeOnly("// only Buffer in a comment\nconst s = 'Buffer';"))).toBe(false);
  });
});
