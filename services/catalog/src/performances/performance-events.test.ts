import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PublishedSeat } from '../seats/seats.repo.ts';
import { performancePublished, seatsPublished, SEATS_PER_EVENT } from './performance-events.ts';
import { performanceStatus, type PerformanceDetail } from './performance.types.ts';

const detail: PerformanceDetail = {
  id: 'p1',
  title: 'Hamlet',
  venue: 'National Theater',
  description: '',
  bookingOpensAt: new Date('2030-01-02T10:00:00Z'),
  bookingClosesAt: new Date('2030-02-01T10:00:00Z'),
  maxSeatsPerOrder: 4,
  maxSeatsPerPerson: null,
  requireVerifiedEmail: true,
  queue: { capacity: 100, admitPerMinute: 300 },
  soldOut: false,
  cancelledAt: null,
  schedules: [{ id: 's1', performanceId: 'p1', startsAt: new Date('2030-02-10T19:00:00Z') }, { id: 's2', performanceId: 'p1', startsAt: new Date('2030-02-11T19:00:00Z') }],
  grades: [{ name: 'VIP', price: 150000, currency: 'KRW' }],
  sections: [{ id: 'x', name: 'Floor', grade: 'VIP', rows: 3, seatsPerRow: 4 }, { id: 'y', name: 'Balcony', grade: 'VIP', rows: 1, seatsPerRow: 8 }],
};

test('performance.published carries the sale settings and counts the seats of every schedule', () => {
  const event = performancePublished(detail);
  assert.equal([event.topic, event.type, event.key], ['catalog.performances', 'performance.published', 'p1']);
  assert.equal(event.payload, {
    performanceId: 'p1',
    title: 'Hamlet',
    bookingOpensAt: '2030-01-02T10:00:00.000Z',
    bookingClosesAt: '2030-02-01T10:00:00.000Z',
    maxSeatsPerOrder: 4,
    maxSeatsPerPerson: 4,
    requireVerifiedEmail: true,
    queue: { capacity: 100, admitPerMinute: 300 },
    totalSeats: 40,
    schedules: [{ scheduleId: 's1', startsAt: '2030-02-10T19:00:00.000Z' }, { scheduleId: 's2', startsAt: '2030-02-11T19:00:00.000Z' }],
  });
});

test('seats.published splits each schedule into events of at most 500 seats, losing none', () => {
  const seat = (scheduleId: string, n: number): PublishedSeat => ({ seatId: `${scheduleId}-${n}`, scheduleId, section: 'Floor', row: 1, number: n, grade: 'VIP', price: 1, currency: 'KRW' });
  const seats = [...Array.from({ length: 1001 }, (_, n) => seat('s1', n)), ...Array.from({ length: 3 }, (_, n) => seat('s2', n))];
  const events = seatsPublished('p1', seats);
  const payloads = events.map((e) => e.payload as { scheduleId: string; part: number; parts: number; seats: { seatId: string }[] });
  assert.equal(payloads.map((p) => [p.scheduleId, p.part, p.parts, p.seats.length]), [['s1', 1, 3, 500], ['s1', 2, 3, 500], ['s1', 3, 3, 1], ['s2', 1, 1, 3]]);
  assert.ok(payloads.every((p) => p.seats.length <= SEATS_PER_EVENT));
  assert.equal(payloads.flatMap((p) => p.seats.map((s) => s.seatId)), seats.map((s) => s.seatId));
  assert.ok(events.every((e) => e.key === 'p1' && e.type === 'seats.published'));
  assert.not.ok('scheduleId' in (payloads[0]!.seats[0] as object), 'the schedule is named once per event, not per seat');
});

test('the public status follows the booking window unless sold out or cancelled', () => {
  const at = (iso: string) => new Date(iso);
  assert.is(performanceStatus(detail, at('2030-01-01T00:00:00Z')), 'UPCOMING');
  assert.is(performanceStatus(detail, at('2030-01-10T00:00:00Z')), 'ON_SALE');
  assert.is(performanceStatus({ ...detail, soldOut: true }, at('2030-01-10T00:00:00Z')), 'SOLD_OUT');
  assert.is(performanceStatus(detail, at('2030-02-01T10:00:00Z')), 'CLOSED');
  assert.is(performanceStatus({ ...detail, cancelledAt: at('2030-01-05T00:00:00Z') }, at('2030-01-10T00:00:00Z')), 'CANCELLED');
});

test.run();
