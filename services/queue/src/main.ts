import { defineService } from '@ticketping/runtime';
import { loadConfig } from './config.ts';
import { build } from './service.ts';

/** The queue service: run as this file (its own deployment), or by standalone's service-process.ts. */
export const definition = defineService({ name: 'queue', loadConfig, build });

if (import.meta.main) await definition.run();
