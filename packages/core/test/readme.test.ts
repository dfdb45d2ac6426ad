import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ErrorCodes } from '@kvs-sig/core';

test('README lists every error code with its meaning', () => {
  const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const rows = new Map([...readme.matchAll(/^\| `([A-Z0-9_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]));
  expect(Object.fromEntries(rows)).toEqual({ ...ErrorCodes });
});
