export * from './aggregate-executor.ts';
export * from './command-context.ts';
