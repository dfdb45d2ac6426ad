/**
 * The Node entry (`index.node.ts`) under an extensionless name, for the
 * workspace's tests and tools that import `src/index`. Not a package entry:
 * the exports map names `index.node` and `index.browser` only.
 * @packageDocumentation
 */
export * from './index.node';
