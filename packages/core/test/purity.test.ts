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
    for (const s of specifiers) expect(s).toMatch(/^\.\.?\//);
  });

  const forbidden = ['Buffer', 'process', 'require', 'window', 'document', 'fetch', 'WebSocket', 'TextEncoder', 'TextDecoder', 'atob', 'btoa', 'setTimeout', 'setInterval', 'globalThis', 'self', 'navigator', 'crypto', 'URL', 'performance'];
  test.each(files.map((f) => [path.relative(pkgDir, f), f]))('%s references no Node/DOM globals, no Date.now', (_rel, file) => {
    const code = codeOnly(readFileSync(file, 'utf8'));
    for (const name of forbidden) {
      expect({ name, found: new RegExp(`(?<![\\w.$'])${name}(?![\\w$])`).test(code) }).toEqual({ name, found: false });
    }
    expect(code).not.toMatch(/Date\s*\.\s*now/);
    expect(code).not.toMatch(/new\s+Date\s*\(\s*\)/);
  });

  test('the checker itself catches a violation', () => {
    const code = codeOnly("const x = Buffer.from('a'); // Buffer in a comment is fine");
    expect(/(?<![\w.$'])Buffer(?![\w$])/.test(code)).toBe(true);
    expect(/(?<![\w.$'])Buffer(?![\w$])/.test(codeOnly("// only Buffer in a comment\nconst s = 'Buffer';"))).toBe(false);
  });
});
