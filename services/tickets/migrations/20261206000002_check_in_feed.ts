import type { Knex } from '@ticketping/db';

/**
 * Scanners learn what other gates admitted since their last sync (`GET .../check-ins?since=`), so
 * a gate that is online refuses a second entry at once instead of flagging it later. `seq` is the
 * cursor: commit order per performance is not needed, only that nothing is skipped.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table check_ins add column seq bigint generated always as identity;
    create index check_ins_feed on check_ins (performance_id, seq);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table check_ins drop column seq');
}
