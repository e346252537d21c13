import type { Knex } from '@ticketping/db';

export interface DueOfferMail { offerId: string; userId: string; attempts: number }

/** What the offer e-mail says: the show, the date, the seats, the deadline; undefined once the offer is gone. */
export interface OfferMailFacts {
  status: string;
  performanceId: string;
  title: string;
  startsAt: Date;
  expiresAt: Date;
  seats: Array<{ section: string; row: number; number: number; price: number; currency: string }>;
}

/** Asks for the offer's e-mail in the offer's own transaction (the outbox row), once per offer. */
export async function requestOfferMail(trx: Knex.Transaction, offerId: string, userId: string): Promise<void> {
  await trx('offer_mails').insert({ offer_id: offerId, user_id: userId }).onConflict('offer_id').ignore();
}

export async function lockDueOfferMails(trx: Knex.Transaction, limit: number): Promise<DueOfferMail[]> {
  const rows = (await trx('offer_mails')
    .whereNull('sent_at').whereNull('failed_at').where('next_attempt_at', '<=', trx.fn.now())
    .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked()
    .select('offer_id', 'user_id', 'attempts')) as Array<{ offer_id: string; user_id: string; attempts: number }>;
  return rows.map((r) => ({ offerId: r.offer_id, userId: r.user_id, attempts: r.attempts }));
}

export async function offerMailFacts(trx: Knex.Transaction, offerId: string): Promise<OfferMailFacts | undefined> {
  const result = await trx.raw<{ rows: Array<{ status: string; performance_id: string; title: string; starts_at: Date; expires_at: Date; seats: OfferMailFacts['seats'] }> }>(
    `select o.status, o.performance_id, p.title, s.starts_at, o.expires_at,
            (select coalesce(jsonb_agg(jsonb_build_object('section', st.section, 'row', st."row", 'number', st.number, 'price', st.price, 'currency', st.currency)
                      order by st.section, st."row", st.number), '[]'::jsonb)
               from seats st where st.seat_id = any(o.seat_ids)) as seats
       from waitlist_offers o join schedules s on s.schedule_id = o.schedule_id join performances p on p.performance_id = o.performance_id
      where o.id = ?`,
    [offerId],
  );
  const r = result.rows[0];
  return r ? { status: r.status, performanceId: r.performance_id, title: r.title, startsAt: r.starts_at, expiresAt: r.expires_at, seats: r.seats } : undefined;
}

export async function markOfferMailSent(trx: Knex.Transaction, offerId: string): Promise<void> {
  await trx('offer_mails').where('offer_id', offerId).update({ sent_at: trx.fn.now(), attempts: trx.raw('attempts + 1'), last_error: null });
}

export async function markOfferMailRetry(trx: Knex.Transaction, offerId: string, delayMs: number, error: string): Promise<void> {
  await trx('offer_mails').where('offer_id', offerId).update({
    attempts: trx.raw('attempts + 1'), last_error: error.slice(0, 500), next_attempt_at: trx.raw('now() + make_interval(secs => ?)', [delayMs / 1000]),
  });
}

export async function markOfferMailFailed(trx: Knex.Transaction, offerId: string, error: string): Promise<void> {
  await trx('offer_mails').where('offer_id', offerId).update({ attempts: trx.raw('attempts + 1'), failed_at: trx.fn.now(), last_error: error.slice(0, 500) });
}
