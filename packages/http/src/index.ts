export * from './errors.ts';
export * from './problem.ts';
export * from './validate.ts';
export * from './app.ts';
export * from './identity.ts';
export type { RequestLog } from './request-log.ts';
export * from './free-port.ts';
export * from './address-range.ts';
