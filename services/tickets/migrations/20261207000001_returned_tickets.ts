import type { Knex } from '@ticketping/db';

/** A ticket its holder returned is revoked with reason RETURNED when its seat is resold (issue 20). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table revocations drop constraint revocations_reason_check;
    alter table revocations add constraint revocations_reason_check check (reason in ('ORDER_REFUNDED', 'PERFORMANCE_CANCELLED', 'TRANSFERRED', 'RETURNED'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table revocations drop constraint revocations_reason_check;
    alter table revocations add constraint revocations_reason_check check (reason in ('ORDER_REFUNDED', 'PERFORMANCE_CANCELLED', 'TRANSFERRED'));
  `);
}
