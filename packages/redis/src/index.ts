export * from './client.ts';
export * from './lua.ts';
export * from './queue-keys.ts';
