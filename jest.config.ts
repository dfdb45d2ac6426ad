/** @jest-config-loader-options {"transpileOnly": true} */
import * as path from 'node:path';
import type { Config } from 'jest';

const root = __dirname;

// Tests run on the TypeScript sources of the workspace packages (through the
// `@kvs-sig/source` export condition), so no build is needed before `jest`.
const swc: [string, Record<string, unknown>] = [
  '@swc/jest',
  {
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

function project(name: string, dir: string, extra: Partial<Config> = {}): Config {
  return {
    displayName: name,
    rootDir: path.join(root, dir),
    testEnvironment: 'node',
    testEnvironmentOptions: { customExportConditions: ['@kvs-sig/source', 'node', 'require', 'default'] },
    transform: { '^.+\\.(t|j)sx?$': swc },
    transformIgnorePatterns: ['/node_modules/'],
    testMatch: ['<rootDir>/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
    ...extra,
  };
}

const config: Config = {
  projects: [
    project('core', 'packages/core'),
    project('signer', 'packages/signer'),
    project('emulator', 'packages/emulator'),
    project('client', 'packages/client'),
    project('cli', 'packages/cli'),
    project('webrtc', 'packages/webrtc'),
    // The vitest and node:test versions of examples/testing run under their own runners (runners.test.ts).
    project('examples', 'examples', { testPathIgnorePatterns: ['/node_modules/', '/dist/', '/examples/testing/(vitest|node-test)/'] }),
    project('reliability', 'reliability'),
    project('bench', 'bench'),
    project('repo', 'test'),
  ],
};

export default config;
