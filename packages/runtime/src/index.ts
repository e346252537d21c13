export * from './periodic.ts';
