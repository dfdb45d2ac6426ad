import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

// The emulator's validation table is derived from the committed service models, not written by hand.
test('src/model-table.ts is what generate-table.mjs makes from the models in test/models', () => {
  const dir = join(__dirname, 'models');
  const fresh = execFileSync(process.execPath, ['--input-type=module', '-e', `import { generate } from ${JSON.stringify(join(dir, 'generate-table.mjs'))}; process.stdout.write(generate());`], { encoding: 'utf8' });
  const committed = readFileSync(join(__dirname, '..', 'src', 'model-table.ts'), 'utf8');
  expect(committed).toBe(fresh);
  expect(committed).toContain('"JoinStorageSessionAsViewer"');
});
