// The workspace's package folders, shared by the build and typecheck scripts.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('..', import.meta.url).pathname;

export function dirs(parent) {
  const abs = join(root, parent);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(abs, d.name));
}

/** Every tsconfig.json the type check covers. */
export function tsconfigs() {
  const candidates = [
    ...dirs('packages').flatMap((d) => [join(d, 'tsconfig.json'), join(d, 'test', 'tsconfig.json')]),
    ...dirs('examples').map((d) => join(d, 'tsconfig.json')),
    join(root, 'bench', 'tsconfig.json'),
    join(root, 'test', 'tsconfig.json'),
  ];
  return candidates.filter((f) => existsSync(f));
}
