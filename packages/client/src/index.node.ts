/**
 * The Node entry point (the package's `node`/`import`/`require` conditions).
 * The code lives in `index.ts` so tools that read `.node` as a native-addon
 * extension can still import it by an extensionless path.
 * @packageDocumentation
 */
export * from './index';
