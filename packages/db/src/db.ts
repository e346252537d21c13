import knexFactory, { type Knex } from 'knex';
import pg from 'pg';

export type { Knex };

// Postgres bigint (int8) and numeric come back as strings by default; our money is integer minor
// units and counts fit in a double, so parse them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface DbConfig {
  url: string;
  /** The service's own schema: its tables live there and it reads no other. */
  schema: string;
  poolMax?: number;
  /** Statement timeout so a stuck query fails instead of holding a connection forever. */
  statementTimeoutMs?: number;
}

/** knex over pg with the service's schema first on the search path. */
export function createDb({ url, schema, poolMax = 10, statementTimeoutMs = 15_000 }: DbConfig): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, statement_timeout: statementTimeoutMs, application_name: schema },
    searchPath: [schema, 'public'],
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 10_000,
  });
}

/** Readiness check: a round trip to the database. */
export async function pingDb(knex: Knex): Promise<void> {
  await knex.raw('select 1');
}
