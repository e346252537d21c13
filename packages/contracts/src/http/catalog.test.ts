import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPerformanceSchema, updatePerformanceSchema } from './catalog.ts';
import { pageQuery as listQuery } from './common.ts';

const now = new Date('2030-01-01T00:00:00Z');
const schema = createPerformanceSchema(now);

const valid = () => ({
  title: 'Hamlet',
  venue: 'National Theater',
  description: 'To be, or not to be',
  bookingOpensAt: '2030-01-02T10:00:00Z',
  bookingClosesAt: '2030-02-01T10:00:00+09:00',
  maxSeatsPerOrder: 4,
  schedules: [{ startsAt: '2030-02-10T19:00:00Z' }, { startsAt: '2030-02-11T19:00:00Z' }],
  sections: [
    { name: 'Floor', rows: 10, seatsPerRow: 20, grade: 'VIP', price: 150000, currency: 'KRW' },
    { name: 'Balcony', rows: 5, seatsPerRow: 30, grade: 'R', price: 90000, currency: 'KRW' },
  ],
  queue: { capacity: 200, admitPerMinute: 600 },
});

/** The field paths a body is rejected for. */
function badFields(body: unknown): string[] {
  const result = schema.safeParse(body);
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

test('a valid body parses, with dates as Date and description defaulting to empty', () => {
  const parsed = schema.parse({ ...valid(), description: undefined });
  assert.equal(parsed.bookingClosesAt, new Date('2030-02-01T01:00:00Z'));
  assert.is(parsed.description, '');
  assert.is(parsed.sections.length, 2);
});

const cases: [string, (b: ReturnType<typeof valid>) => unknown, string[]][] = [
  ['missing title', (b) => ({ ...b, title: undefined }), ['title']],
  ['blank venue', (b) => ({ ...b, venue: '   ' }), ['venue']],
  ['title too long', (b) => ({ ...b, title: 'x'.repeat(201) }), ['title']],
  ['date without zone', (b) => ({ ...b, bookingOpensAt: '2030-01-02T10:00:00' }), ['bookingOpensAt']],
  ['not a date', (b) => ({ ...b, bookingOpensAt: 'tomorrow' }), ['bookingOpensAt']],
  ['window closes before it opens', (b) => ({ ...b, bookingOpensAt: '2030-03-01T00:00:00Z' }), ['bookingClosesAt']],
  ['window already closed', (b) => ({ ...b, bookingOpensAt: '2029-01-01T00:00:00Z', bookingClosesAt: '2029-12-31T00:00:00Z' }), ['bookingClosesAt']],
  ['maxSeatsPerOrder 0', (b) => ({ ...b, maxSeatsPerOrder: 0 }), ['maxSeatsPerOrder']],
  ['maxSeatsPerOrder 21', (b) => ({ ...b, maxSeatsPerOrder: 21 }), ['maxSeatsPerOrder']],
  ['maxSeatsPerOrder 1.5', (b) => ({ ...b, maxSeatsPerOrder: 1.5 }), ['maxSeatsPerOrder']],
  ['no schedules', (b) => ({ ...b, schedules: [] }), ['schedules']],
  ['schedule in the past', (b) => ({ ...b, schedules: [{ startsAt: '2029-12-31T19:00:00Z' }] }), ['schedules.0.startsAt']],
  ['duplicate schedule', (b) => ({ ...b, schedules: [b.schedules[0], b.schedules[0]] }), ['schedules.1.startsAt']],
  ['no sections', (b) => ({ ...b, sections: [] }), ['sections']],
  ['101 sections', (b) => ({ ...b, sections: Array.from({ length: 101 }, (_, i) => ({ ...b.sections[0]!, name: `S${i}`, rows: 1, seatsPerRow: 1 })) }), ['sections']],
  ['201 rows', (b) => ({ ...b, sections: [{ ...b.sections[0]!, rows: 201 }] }), ['sections.0.rows']],
  ['201 seats per row', (b) => ({ ...b, sections: [{ ...b.sections[0]!, seatsPerRow: 201 }] }), ['sections.0.seatsPerRow']],
  ['negative price', (b) => ({ ...b, sections: [{ ...b.sections[0]!, price: -1 }] }), ['sections.0.price']],
  ['fractional price', (b) => ({ ...b, sections: [{ ...b.sections[0]!, price: 10.5 }] }), ['sections.0.price']],
  ['price as a string', (b) => ({ ...b, sections: [{ ...b.sections[0]!, price: '100' }] }), ['sections.0.price']],
  ['lower-case currency', (b) => ({ ...b, sections: [{ ...b.sections[0]!, currency: 'krw' }] }), ['sections.0.currency']],
  ['made-up currency', (b) => ({ ...b, sections: [{ ...b.sections[0]!, currency: 'XYZ' }] }), ['sections.0.currency']],
  ['two currencies', (b) => ({ ...b, sections: [b.sections[0], { ...b.sections[1]!, currency: 'USD' }] }), ['sections.1.currency']],
  ['one grade, two prices', (b) => ({ ...b, sections: [b.sections[0], { ...b.sections[1]!, grade: 'VIP' }] }), ['sections.1.price']],
  ['duplicate section name', (b) => ({ ...b, sections: [b.sections[0], { ...b.sections[1]!, name: 'Floor' }] }), ['sections.1.name']],
  ['too many seats per schedule', (b) => ({ ...b, sections: [{ ...b.sections[0]!, rows: 200, seatsPerRow: 200 }] }), ['sections']],
  ['too many seats in total', (b) => ({ ...b, schedules: Array.from({ length: 11 }, (_, i) => ({ startsAt: `2030-03-${String(i + 1).padStart(2, '0')}T19:00:00Z` })), sections: [{ ...b.sections[0]!, rows: 100, seatsPerRow: 100 }] }), ['schedules']],
  ['queue capacity 0', (b) => ({ ...b, queue: { ...b.queue, capacity: 0 } }), ['queue.capacity']],
  ['queue missing', (b) => ({ ...b, queue: undefined }), ['queue']],
];

for (const [name, mutate, expected] of cases) {
  test(`rejects ${name}, naming ${expected.join(', ')}`, () => {
    assert.equal(badFields(mutate(valid())), expected);
  });
}

test('names every bad field at once, cross-field checks included', () => {
  const fields = badFields({ ...valid(), title: '', maxSeatsPerOrder: 99, bookingOpensAt: '2030-03-01T00:00:00Z', sections: [valid().sections[0], { ...valid().sections[1], name: 'Floor' }] });
  assert.equal(fields.sort(), ['bookingClosesAt', 'maxSeatsPerOrder', 'sections.1.name', 'title']);
});

test('a body that is not an object is rejected as a whole', () => {
  assert.equal(badFields([1, 2]), ['']);
});

test('an update needs at least one field and validates the ones given', () => {
  const update = updatePerformanceSchema(now);
  assert.not.ok(update.safeParse({}).success);
  assert.ok(update.safeParse({ title: 'Hamlet (revival)' }).success);
  const bad = update.safeParse({ maxSeatsPerOrder: 0, bookingClosesAt: '2029-01-01T00:00:00Z' });
  assert.equal(bad.success ? [] : bad.error.issues.map((i) => i.path.join('.')).sort(), ['bookingClosesAt', 'maxSeatsPerOrder']);
});

test('list limits default to 20 and stay within 1..100', () => {
  assert.equal(listQuery.parse({}), { limit: 20 });
  assert.equal(listQuery.parse({ limit: '5', cursor: 'abc' }), { limit: 5, cursor: 'abc' });
  for (const limit of ['0', '101', 'ten', '2.5']) assert.not.ok(listQuery.safeParse({ limit }).success, limit);
});

test.run();
