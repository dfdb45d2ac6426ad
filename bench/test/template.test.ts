/**
 * The report's prose is in bench/templates/*.md; the renderer must fill it
 * exactly and refuse anything that would let prose and code drift apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseTemplates, templates, TEMPLATE_DIR } from '../src/template';

const FILE = 'test.md';
const t = (source: string) => parseTemplates(FILE, source);

describe('template blocks', () => {
  test('a block is its lines between markers, blank lines around it dropped, lines inside kept', () => {
    const tpl = t('preamble {{ignored}}\n<!-- a -->\n\nfirst line\n\nsecond line\n\n<!-- b.c -->\nonly\n');
    expect(tpl.names).toEqual(['a', 'b.c']);
    expect(tpl.render('a')).toBe('first line\n\nsecond line');
    expect(tpl.render('b.c')).toBe('only');
  });

  test('values, choices on booleans and counts, nested placeholders', () => {
    const tpl = t('<!-- x -->\n{{n}} exchange{{n#|s}} in {{ms}} ms, {{ok?met ({{n}} of {{of}})|missed}}.');
    expect(tpl.render('x', { n: 1, ms: '12.5', ok: true, of: 3 })).toBe('1 exchange in 12.5 ms, met (1 of 3).');
    expect(tpl.render('x', { n: 2, ms: '7', ok: false, of: 3 })).toBe('2 exchanges in 7 ms, missed.');
    // A difference of -1 is one thing too; NaN is not.
    expect(tpl.render('x', { n: -1, ms: '0', ok: false, of: 0 })).toBe('-1 exchange in 0 ms, missed.');
    expect(tpl.render('x', { n: Number.NaN, ms: '0', ok: false, of: 0 })).toBe('NaN exchanges in 0 ms, missed.');
  });

  test('markdown around placeholders is left alone (pipes, single braces, backticks)', () => {
    const tpl = t('<!-- x -->\n| a | `{ b }` | {{v}} |');
    expect(tpl.render('x', { v: 'c' })).toBe('| a | `{ b }` | c |');
  });

  test('strict: unknown block, missing value, unused value, wrong type', () => {
    const tpl = t('<!-- x -->\n{{a}} {{b?y|n}} {{c#one|many}}');
    expect(() => tpl.render('nope')).toThrow("test.md: no block 'nope'");
    expect(() => tpl.render('x', { a: 1, b: true })).toThrow("test.md <!-- x -->: no value for '{{c}}'");
    expect(() => tpl.render('x', { a: 1, b: true, c: 2, d: 4 })).toThrow("the block does not use 'd'");
    expect(() => tpl.render('x', { a: true, b: true, c: 2 })).toThrow('needs a string or number');
    expect(() => tpl.render('x', { a: 1, b: 'yes', c: 2 })).toThrow('needs a boolean');
    expect(() => tpl.render('x', { a: 1, b: true, c: '2' })).toThrow('needs a number');
  });

  test('malformed files are refused when read, naming the block', () => {
    expect(() => t('<!-- x -->\n{{ a}}')).toThrow('test.md <!-- x -->: a placeholder without a key');
    expect(() => t('<!-- x -->\n{{a b}}')).toThrow("'{{a' is followed by neither");
    expect(() => t('<!-- x -->\n{{a?yes}}')).toThrow("'{{a?' has no '|'");
    expect(() => t('<!-- x -->\n{{a?yes|no')).toThrow("'{{a?' is not closed");
    expect(() => t('<!-- x -->\n{{a?y|n|m}}')).toThrow("'{{a?' is not closed");
    expect(() => t('<!-- x -->\ntext }} more')).toThrow("a stray '}}'");
    expect(() => t('<!-- x -->\none\n<!-- x -->\ntwo')).toThrow("block 'x' appears twice");
  });
});

describe('bench/templates', () => {
  const files = readdirSync(TEMPLATE_DIR).filter((f) => f.endsWith('.md'));
  const srcDir = path.join(TEMPLATE_DIR, '..', 'src');
  const sources = readdirSync(srcDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(path.join(srcDir, f), 'utf8'))
    .join('\n');

  test('every template file parses, and every block in it is rendered by some benchmark', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const tpl = templates(f.replace(/\.md$/, ''));
      expect(tpl.names.length).toBeGreaterThan(0);
      // A block no code names is prose that no longer reaches the report.
      for (const name of tpl.names) expect([f, name, sources.includes(`'${name}'`)]).toEqual([f, name, true]);
    }
  });
});
