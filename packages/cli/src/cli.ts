#!/usr/bin/env node
/**
 * Entry point of the `kvs-sig` command (bundled to `dist/cli.js` with a
 * `#!/usr/bin/env node` banner). See `kvs-sig --help`.
 * @packageDocumentation
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from './cli/main';

const controller = new AbortController();
// Sessions (connect, emulator) stop gracefully on the first signal; one-shot
// commands have nothing to clean up and stop at once.
const longRunning = process.argv[2] === 'connect' || process.argv[2] === 'emulator' || process.argv[2] === 'doctor';
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!longRunning || ++signals > 1) process.exit(130);
    controller.abort(new Error(`interrupted by ${signal}`));
  });
}

// `kvs-sig emulator` uses the project's @kvs-sig/emulator, else the one next to this CLI.
const emulatorFrom = [process.cwd(), dirname(fileURLToPath(import.meta.url))];
const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
runCli(process.argv.slice(2), io, controller.signal, { emulatorFrom }).then(
  (code) => {
    process.exitCode = code;
    // stdin may still be open (connect); nothing else should keep the process alive.
    process.stdin.destroy();
  },
  (error: unknown) => {
    process.stderr.write(`kvs-sig: internal error: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
