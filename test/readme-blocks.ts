import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const root = path.resolve(__dirname, '..');

/** The text of the `## heading` section of a README (up to the next `## `). */
export function readmeSection(file: string, heading: string): string {
  const text = readFileSync(path.join(root, file), 'utf8');
  const parts = text.split(new RegExp(`^## ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`, 'm'));
  if (parts.length !== 2) throw new Error(`${file} must have exactly one "## ${heading}" section`);
  return parts[1]!.split(/^## /m)[0]!;
}

/** The bodies of the fenced code blocks of `text` whose language is `lang`. */
export function codeBlocks(text: string, lang: string): string[] {
  return [...text.matchAll(/^```([a-z]*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === lang).map((m) => m[2]!);
}

/** The "Test your KVS app without AWS" section of the root README: its jest test and jest config. */
export function readmeJestExample(): { test: string; config: string } {
  const section = readmeSection('README.md', 'Test your KVS app without AWS');
  const [test, ...moreTs] = codeBlocks(section, 'ts');
  const [config, ...moreJs] = codeBlocks(section, 'js');
  if (test === undefined || config === undefined || moreTs.length || moreJs.length) {
    throw new Error('the README section "Test your KVS app without AWS" must hold one ts block (the test) and one js block (jest.config.js)');
  }
  return { test, config };
}
