import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { codeBlocks, readmeJestExample, readmeSection } from './readme-blocks';

const root = path.resolve(__dirname, '..');
const read = (f: string) => readFileSync(path.join(root, f), 'utf8');

/** The commands of the README's Quick start code block, one per line. */
function quickStartCommands(): string[] {
  const readme = read('README.md');
  const section = readme.split(/^## Quick start\s*$/m)[1];
  if (section === undefined) throw new Error('README.md has no "## Quick start" section');
  const blocks = [...section.split(/^## /m)[0]!.matchAll(/```[a-z]*\n([\s\S]*?)```/g)];
  expect(blocks).toHaveLength(1);
  return blocks[0]![1]!.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

describe('the two set-up commands', () => {
  test('the Quick start holds exactly two commands: the demo, then the tests', () => {
    const [demo, tests, ...rest] = quickStartCommands();
    expect(rest).toEqual([]);
    expect(demo).toMatch(/ demo$/);
    expect(tests).toMatch(/ test$/);
  });

  test('both commands use the pnpm version pinned in packageManager', () => {
    const pinned = JSON.parse(read('package.json')).packageManager as string;
    expect(pinned).toMatch(/^pnpm@\d+\.\d+\.\d+$/);
    for (const cmd of quickStartCommands()) {
      const uses = [...cmd.matchAll(/pnpm@[\d.]+/g)].map((m) => m[0]);
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) expect(u).toBe(pinned);
    }
  });

  test('.ci/run calls exactly the README test command', () => {
    const tests = quickStartCommands()[1]!;
    const ci = read('.ci/run');
    expect(ci).toContain(`{ ${tests}; }`);
  });

  test('the lockfile is committed and the scripts the commands name exist', () => {
    expect(existsSync(path.join(root, 'pnpm-lock.yaml'))).toBe(true);
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.demo).toBeDefined();
    expect(scripts.test).toBeDefined();
    const demoEntry = scripts.demo!.split(' ').find((w) => w.endsWith('.ts'));
    expect(demoEntry && existsSync(path.join(root, demoEntry))).toBe(true);
  });
});

describe('"Test your KVS app without AWS"', () => {
  const example = read('examples/testing/jest/signaling.test.ts');

  test('the root README shows the jest example CI runs, byte for byte, and a jest config', () => {
    const { test: shown, config } = readmeJestExample();
    expect(shown).toBe(example);
    expect(config).toMatch(/^\/\/ jest\.config\.js\nmodule\.exports = /);
    // The config must load as a plain CommonJS jest.config.js does.
    const loaded = new Function('module', `${config}; return module.exports;`)({ exports: {} }) as { transform: Record<string, string> };
    expect(Object.values(loaded.transform)).toEqual(['@swc/jest']);
    expect('kvs.test.ts').toMatch(new RegExp(Object.keys(loaded.transform)[0]!));
  });

  test('the emulator README shows the same test and documents every member of the testing API', () => {
    const section = readmeSection('packages/emulator/README.md', 'Test your KVS app without AWS');
    expect(codeBlocks(section, 'ts')).toEqual([example]);
    const api = read('packages/emulator/src/testing.ts');
    const members = [...api.slice(api.indexOf('export interface TestEmulator')).split('\n}\n')[0]!.matchAll(/^ {2}(?:readonly )?([a-zA-Z]+)[(:]/gm)].map((m) => m[1]!);
    expect(members.length).toBeGreaterThan(10);
    for (const m of members) expect([m, section.includes(`emu.${m}`)]).toEqual([m, true]);
    expect(section).toContain('startTestEmulator(');
  });
});
