#!/usr/bin/env node
// Writes api/<package>.api.md: the public API of every published package, as
// the declarations its entry points export (plus the unexported ones they
// reach, such as a base class), printed without comments and sorted by name so
// that moving code between files changes nothing. test/api-report.test.ts
// fails when a report is stale, so every API change shows up in review.
//
//   node scripts/api-report.mjs            rewrite api/
//   node scripts/api-report.mjs --out DIR  write the reports to DIR instead
//
// Equivalent to an api-extractor report, without a build: one TypeScript
// program emits the declarations of every entry in memory (with the
// `@kvs-sig/source` condition, as the type check resolves packages), and a
// second program over those declarations is walked for what each entry exports.
// Exits 1 when an `@internal` member of a class or interface is reachable from
// an entry (an `@internal` declaration may be reachable, e.g. a base class that
// is not exported, but then only its public members are API).
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative, sep } from 'node:path';
import { dirs, root } from './workspace.mjs';

const ts = createRequire(import.meta.url)('typescript');
const SOURCE_CONDITION = '@kvs-sig/source';

const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outDir = outIndex >= 0 ? args[outIndex + 1] : join(root, 'api');
if (outIndex >= 0 && !outDir) throw new Error('--out needs a directory');

/** Published packages (not private) with the source file behind each export and condition. */
function packages() {
  const out = [];
  for (const dir of dirs('packages').sort()) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (pkg.private) continue;
    const entries = [];
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (subpath === './package.json' || typeof target !== 'object') continue;
      const source = target[SOURCE_CONDITION];
      if (source === undefined) throw new Error(`${pkg.name} ${subpath}: no ${SOURCE_CONDITION} condition`);
      const variants = typeof source === 'string' ? { default: source } : source;
      for (const [condition, file] of Object.entries(variants)) {
        const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
        entries.push({ specifier, condition, file: join(dir, file) });
      }
    }
    out.push({ name: pkg.name, folder: basename(dir), dir, bin: Object.keys(pkg.bin ?? {}).sort(), entries });
  }
  return out;
}

const pkgs = packages();
const base = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.base.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); } });
const options = {
  ...base.options,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  noEmit: false,
  declaration: true,
  emitDeclarationOnly: true,
  stripInternal: false,
  removeComments: false,
};
const rootNames = pkgs.flatMap((p) => p.entries.map((e) => e.file));

// 1. Declarations of every workspace source file the entries reach, in memory.
const emitted = new Map();
const first = ts.createProgram({ rootNames, options });
const emitResult = first.emit(undefined, (fileName, text) => {
  if (fileName.endsWith('.d.ts')) emitted.set(fileName.replace(/\.d\.ts$/, '.ts'), text);
}, undefined, true);
if (emitResult.emitSkipped) throw new Error('declaration emit failed');

// 2. The same files again, each read as its declarations.
const host = ts.createCompilerHost(options);
const readFile = host.readFile.bind(host);
host.readFile = (f) => emitted.get(f) ?? readFile(f);
const getSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (f, lang, onError, create) => {
  const text = emitted.get(f);
  return text === undefined ? getSourceFile(f, lang, onError, create) : ts.createSourceFile(f, text, lang, true);
};
const program = ts.createProgram({ rootNames, options: { ...options, noEmit: true }, host });
const checker = program.getTypeChecker();
const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** The package folder a declaration file belongs to (packages/<folder>/src/...), or undefined. */
function homeOf(fileName) {
  const rel = relative(join(root, 'packages'), fileName).split(sep);
  return rel.length > 2 && rel[1] === 'src' && !rel[0].startsWith('..') ? rel[0] : undefined;
}

const resolve = (s) => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);

function printDeclaration(node) {
  const target = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  const text = printer.printNode(ts.EmitHint.Unspecified, target, target.getSourceFile());
  // Inline import types name files; the report must not change when code moves between files.
  return text.replace(/import\("[^"]*"\)\./g, '');
}

const isInternal = (node) => ts.getJSDocTags(node).some((t) => t.tagName.text === 'internal');

/** Symbols a declaration names in types, heritage clauses and `typeof` queries. */
function referenced(node, found) {
  const visit = (n) => {
    let name;
    if (ts.isTypeReferenceNode(n)) name = n.typeName;
    else if (ts.isExpressionWithTypeArguments(n)) name = n.expression;
    else if (ts.isTypeQueryNode(n)) name = n.exprName;
    else if (ts.isImportTypeNode(n)) name = n.qualifier;
    if (name !== undefined) {
      const s = checker.getSymbolAtLocation(ts.isQualifiedName(name) ? name.right : ts.isPropertyAccessExpression(name) ? name.name : name);
      // Type parameters are part of their declaration, already printed.
      if (s !== undefined && !(s.flags & ts.SymbolFlags.TypeParameter)) found.add(resolve(s));
    }
    ts.forEachChild(n, visit);
  };
  visit(node);
}

const problems = [];

function report(pkg) {
  const lines = [`# ${pkg.name}: public API`, '', 'Generated by `node scripts/api-report.mjs` from the declarations the entry points export. Do not edit: run the script.', ''];
  if (pkg.bin.length > 0) lines.push(`Commands: ${pkg.bin.map((b) => `\`${b}\``).join(', ')}.`, '');
  if (pkg.entries.length === 0) {
    lines.push('No importable entry point.', '');
    return lines.join('\n');
  }
  const exported = new Map(); // symbol -> the names it is exported as
  const decls = new Map(); // symbol -> printed declarations
  lines.push('## Entry points', '');
  for (const entry of pkg.entries) {
    const sf = program.getSourceFile(entry.file);
    if (sf === undefined) throw new Error(`${entry.file} is not in the program`);
    const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(sf)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    lines.push(`### \`${entry.specifier}\` (${entry.condition})`, '');
    for (const s of exports) {
      const target = resolve(s);
      const home = (target.declarations ?? []).map((d) => homeOf(d.getSourceFile().fileName)).find((h) => h !== undefined);
      const typeOnly = !(target.flags & ts.SymbolFlags.Value);
      const renamed = target.name !== s.name && target.name !== 'default' ? `${target.name} as ` : '';
      const from = home !== undefined && home !== pkg.folder ? ` from @kvs-sig/${home}` : '';
      lines.push(`- ${typeOnly ? 'type ' : ''}${renamed}${s.name}${from}`);
      if (from === '') {
        if (!exported.has(target)) exported.set(target, new Set());
        exported.get(target).add(s.name);
      }
    }
    lines.push('');
  }
  // Declarations of this package that the exports reach, exported or not.
  const queue = [...exported.keys()];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const s = queue.shift();
    const own = (s.declarations ?? []).filter((d) => homeOf(d.getSourceFile().fileName) === pkg.folder);
    if (own.length === 0) continue;
    decls.set(s, own.map(printDeclaration).sort());
    const found = new Set();
    for (const d of own) {
      const where = `${pkg.name}: ${s.name}`;
      if (ts.isClassDeclaration(d) || ts.isInterfaceDeclaration(d)) {
        for (const m of d.members) {
          const hidden = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.PrivateKeyword) || (m.name !== undefined && ts.isPrivateIdentifier(m.name));
          if (!hidden && isInternal(m)) problems.push(`${where}.${m.name?.getText() ?? '(member)'} is @internal but reachable`);
        }
      }
      referenced(d, found);
    }
    for (const r of found) {
      if (seen.has(r)) continue;
      seen.add(r);
      queue.push(r);
    }
  }
  const byName = (a, b) => (a[0].name < b[0].name ? -1 : a[0].name > b[0].name ? 1 : a[1].join() < b[1].join() ? -1 : 1);
  const all = [...decls].sort(byName);
  lines.push('## Declarations', '', '```ts');
  for (const [s, texts] of all) if (exported.has(s)) lines.push(...texts.map((t) => `${t}\n`));
  lines.push('```', '');
  const reachable = all.filter(([s]) => !exported.has(s));
  if (reachable.length > 0) {
    lines.push('## Reachable, not exported', '', 'Named by an exported declaration (a base class, a parameter type) without being exported itself.', '', '```ts');
    for (const [, texts] of reachable) lines.push(...texts.map((t) => `${t}\n`));
    lines.push('```', '');
  }
  return lines.join('\n');
}

const reports = new Map(pkgs.map((p) => [`${p.folder}.api.md`, report(p)]));
if (problems.length > 0) {
  console.error(`Public API problems:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
for (const f of readdirSync(outDir)) if (f.endsWith('.api.md') && !reports.has(f)) rmSync(join(outDir, f));
for (const [f, text] of reports) writeFileSync(join(outDir, f), text);
console.log(`wrote ${[...reports.keys()].join(', ')} to ${relative(process.cwd(), outDir) || '.'}`);
