export * from './periodic.ts';
export * from './serve.ts';
