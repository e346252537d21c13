/**
 * Where the time between two services goes, read from the books after a sale: for each event
 * on the confirmation path, how long it waited in its outbox (written → published by the
 * relay) and on the bus (published → handled in the consumer's inbox). A slow confirmation
 * is then pinned to one hop instead of guessed at.
 */
import { percentile } from './report.ts';
import type { Books } from './targets.ts';

type Owner = 'booking' | 'payment';

export interface HopFigures { n: number; unhandled: number; outboxMs: number[]; busMs: number[]; totalMs: number[] }
export interface EventPaths { orderCreated: HopFigures; paymentSucceeded: HopFigures }

async function hops(books: Books, type: string, producer: Owner, consumer: Owner): Promise<HopFigures> {
  const written = await books.query(producer, `select id::text as id, extract(epoch from created_at) * 1000 as created_ms,
    extract(epoch from published_at) * 1000 as published_ms from ${producer}.outbox where type = $1`, [type]);
  const handled = new Map((await books.query(consumer, `select event_id::text as id, extract(epoch from handled_at) * 1000 as handled_ms from ${consumer}.inbox`))
    .map((row) => [String(row.id), Number(row.handled_ms)]));
  const figures: HopFigures = { n: written.length, unhandled: 0, outboxMs: [], busMs: [], totalMs: [] };
  for (const row of written) {
    const created = Number(row.created_ms);
    const published = row.published_ms === null ? Number.NaN : Number(row.published_ms);
    const handledAt = handled.get(String(row.id));
    if (!Number.isNaN(published)) figures.outboxMs.push(published - created);
    if (handledAt === undefined) {
      figures.unhandled++;
      continue;
    }
    if (!Number.isNaN(published)) figures.busMs.push(handledAt - published);
    figures.totalMs.push(handledAt - created);
  }
  return figures;
}

export async function readEventPaths(books: Books): Promise<EventPaths> {
  return {
    orderCreated: await hops(books, 'order.created', 'booking', 'payment'),
    paymentSucceeded: await hops(books, 'payment.succeeded', 'payment', 'booking'),
  };
}

const spread = (values: number[]) => `p50 ${percentile(values, 50).toFixed(0)} / p95 ${percentile(values, 95).toFixed(0)} / p99 ${percentile(values, 99).toFixed(0)} / max ${values.length ? Math.max(...values).toFixed(0) : 'n/a'} ms`;

export function describeEventPaths(paths: EventPaths): string[] {
  const line = (name: string, h: HopFigures) =>
    `event path ${name}: ${h.n} written, ${h.unhandled} not handled; in the outbox ${spread(h.outboxMs)}; on the bus ${spread(h.busMs)}; written → handled ${spread(h.totalMs)}`;
  return [line('order.created (booking → payment)', paths.orderCreated), line('payment.succeeded (payment → booking)', paths.paymentSucceeded)];
}
