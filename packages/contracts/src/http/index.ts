export * from './auth.ts';
export * from './booking.ts';
export * from './catalog.ts';
export * from './common.ts';
export * from './payment.ts';
export * from './platform.ts';
export * from './queue.ts';
export * from './routes.ts';
