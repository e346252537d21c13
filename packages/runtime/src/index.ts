export * from './define-service.ts';
export * from './periodic.ts';
export * from './timeout.ts';
