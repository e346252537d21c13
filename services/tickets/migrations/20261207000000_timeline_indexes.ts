import type { Knex } from '@ticketping/db';

/**
 * The organiser's per-minute timeline (GET .../timeline) counts one date's tickets by issued_at and
 * its entries by scanned_at: these keep it a range scan while a big show's door is busy.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create index tickets_schedule_issued on tickets (schedule_id, issued_at);
    create index check_ins_schedule_scanned on check_ins (schedule_id, scanned_at);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index check_ins_schedule_scanned; drop index tickets_schedule_issued');
}
