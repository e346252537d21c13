import { defineService } from '@ticketping/runtime';
import { loadConfig } from './config.ts';
import { migrate, SCHEMA } from './migrate.ts';
import { build } from './service.ts';

/** The booking service: run as this file (its own deployment), or by standalone's service-process.ts. */
export const definition = defineService({ name: 'booking', loadConfig, database: { schema: SCHEMA, migrate }, build });

if (import.meta.main) await definition.run();
