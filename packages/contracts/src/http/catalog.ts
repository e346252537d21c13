import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { dateTime, page, uuid } from './common.ts';

const ISO_4217 = new Set(Intl.supportedValuesOf('currency'));

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const count = (min: number, max: number) => z.number().int('must be an integer').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);
const instant = () => z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time with a time zone, e.g. 2030-05-01T19:00:00Z' }).transform((s) => new Date(s));
const futureInstant = (now: Date) => instant().refine((d) => d > now, 'must be in the future');
const currency = z.string().regex(/^[A-Z]{3}$/, { message: 'must be a 3-letter ISO 4217 code, e.g. KRW', abort: true }).refine((c) => ISO_4217.has(c), 'is not an ISO 4217 currency');

const queueSettings = z.object({
  capacity: count(1, LIMITS.queueCount),
  admitPerMinute: count(1, LIMITS.queueCount),
});

const section = z.object({
  name: text(LIMITS.textLength),
  rows: count(1, LIMITS.rowsPerSection),
  seatsPerRow: count(1, LIMITS.seatsPerRow),
  grade: text(LIMITS.gradeLength),
  price: count(0, LIMITS.price),
  currency,
});
export type SectionInput = z.infer<typeof section>;

/** Sections must agree with each other: unique names, one price per grade, one currency per performance. */
function checkSections(sections: SectionInput[], ctx: z.RefinementCtx): void {
  const names = new Set<string>();
  const grades = new Map<string, SectionInput>();
  const currencyOfFirst = sections[0]?.currency;
  sections.forEach((s, i) => {
    if (names.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicates another section's name "${s.name}"` });
    names.add(s.name);
    const sameGrade = grades.get(s.grade);
    if (sameGrade && sameGrade.price !== s.price) ctx.addIssue({ code: 'custom', path: [i, 'price'], message: `grade "${s.grade}" already costs ${sameGrade.price}` });
    if (!sameGrade) grades.set(s.grade, s);
    if (s.currency !== currencyOfFirst) ctx.addIssue({ code: 'custom', path: [i, 'currency'], message: `must be ${currencyOfFirst}, like the first section: one order is paid in one currency` });
  });
  const seats = seatsPerSchedule(sections);
  if (seats > LIMITS.seatsPerSchedule) ctx.addIssue({ code: 'custom', path: [], message: `lay out ${seats} seats per schedule; at most ${LIMITS.seatsPerSchedule}` });
}

export function seatsPerSchedule(sections: Pick<SectionInput, 'rows' | 'seatsPerRow'>[]): number {
  return sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
}

function checkSchedules(schedules: { startsAt: Date }[], ctx: z.RefinementCtx): void {
  const seen = new Set<number>();
  schedules.forEach((s, i) => {
    if (seen.has(s.startsAt.getTime())) ctx.addIssue({ code: 'custom', path: [i, 'startsAt'], message: 'duplicates another schedule' });
    seen.add(s.startsAt.getTime());
  });
}

/** Cross-element checks run only when every element parsed (zod runs them despite element issues). */
const everyElementParsed = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

/** Object-level checks run only when the fields they compare parsed, so they never mask field errors. */
const whenFieldsParsed = (...fields: string[]) => ({
  when: (payload: z.core.ParsePayload) =>
    typeof payload.value === 'object' && payload.value !== null && !payload.issues.some((issue) => !issue.path?.length || fields.includes(String(issue.path[0]))),
});

function checkBookingWindow(p: { bookingOpensAt: Date; bookingClosesAt: Date }, ctx: z.RefinementCtx): void {
  if (p.bookingOpensAt >= p.bookingClosesAt) ctx.addIssue({ code: 'custom', path: ['bookingClosesAt'], message: 'must be after bookingOpensAt' });
}

/** The admin body of `POST /api/v1/performances`; `now` decides what "in the future" means. */
export function createPerformanceSchema(now: Date) {
  return z
    .object({
      title: text(LIMITS.textLength),
      venue: text(LIMITS.textLength),
      description: z.string().max(LIMITS.descriptionLength, `must be at most ${LIMITS.descriptionLength} characters`).default(''),
      bookingOpensAt: instant(),
      bookingClosesAt: futureInstant(now),
      maxSeatsPerOrder: count(1, LIMITS.maxSeatsPerOrder),
      /** Over every schedule and order of the performance; unset, it is maxSeatsPerOrder. */
      maxSeatsPerPerson: count(1, LIMITS.maxSeatsPerPerson).optional(),
      requireVerifiedEmail: z.boolean().default(false).meta({ description: 'Only accounts with a confirmed e-mail address may enter the waiting room (403 `EMAIL_NOT_VERIFIED` otherwise). Off unless set: the performance asks for it.' }),
      schedules: z.array(z.object({ startsAt: futureInstant(now) })).min(1, 'must list at least one schedule').max(LIMITS.schedulesPerPerformance, `must list at most ${LIMITS.schedulesPerPerformance} schedules`).superRefine(checkSchedules, everyElementParsed),
      sections: z.array(section).min(1, 'must list at least one section').max(LIMITS.sectionsPerPerformance, `must list at most ${LIMITS.sectionsPerPerformance} sections`).superRefine(checkSections, everyElementParsed),
      queue: queueSettings,
    })
    .superRefine(checkBookingWindow, whenFieldsParsed('bookingOpensAt', 'bookingClosesAt'))
    .superRefine((p, ctx) => {
      const total = seatsPerSchedule(p.sections) * p.schedules.length;
      if (total > LIMITS.seatsInTotal) ctx.addIssue({ code: 'custom', path: ['schedules'], message: `generate ${total} seats over all schedules; at most ${LIMITS.seatsInTotal}` });
    }, whenFieldsParsed('schedules', 'sections'));
}
export type CreatePerformanceInput = z.infer<ReturnType<typeof createPerformanceSchema>>;

/** `PATCH /api/v1/performances/{id}`: what may change once seats are published (not the layout or prices). */
export function updatePerformanceSchema(now: Date) {
  return z
    .object({
      title: text(LIMITS.textLength),
      venue: text(LIMITS.textLength),
      description: z.string().max(LIMITS.descriptionLength, `must be at most ${LIMITS.descriptionLength} characters`),
      bookingOpensAt: instant(),
      bookingClosesAt: futureInstant(now),
      maxSeatsPerOrder: count(1, LIMITS.maxSeatsPerOrder),
      /** null: back to "as many as one order". */
      maxSeatsPerPerson: count(1, LIMITS.maxSeatsPerPerson).nullable(),
      requireVerifiedEmail: z.boolean(),
      queue: queueSettings,
    })
    .partial()
    .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'name at least one field to change', path: [] });
}
export type UpdatePerformanceInput = z.infer<ReturnType<typeof updatePerformanceSchema>>;


/** The docs' instance of the create body ("in the future" is checked per request by the service). */
export const NewPerformance = createPerformanceSchema(new Date(0)).meta({ id: 'NewPerformance' });
export const PerformanceChange = updatePerformanceSchema(new Date(0)).meta({
  id: 'PerformanceChange',
  description: 'What may change once seats are published (never the layout or prices). Name at least one field; unknown fields are ignored. Text is trimmed.',
});

export const PerformanceStatus = z.enum(['UPCOMING', 'ON_SALE', 'CLOSED', 'SOLD_OUT', 'CANCELLED']).meta({
  id: 'PerformanceStatus',
  description: 'The sale\'s phase now: `CANCELLED` once cancelled, else `CLOSED` from `bookingClosesAt`, else `SOLD_OUT`, else `UPCOMING` before `bookingOpensAt` and `ON_SALE` after.',
});

export const PerformanceSummary = z
  .object({ id: uuid(), title: z.string(), venue: z.string(), bookingOpensAt: dateTime(), bookingClosesAt: dateTime(), status: PerformanceStatus })
  .meta({ id: 'PerformanceSummary' });

export const Performance = PerformanceSummary.extend({
  description: z.string(),
  maxSeatsPerOrder: z.number().int().min(1),
  maxSeatsPerPerson: z.number().int().min(1).meta({
    description:
      'Seats one fan may hold over every schedule and order of the performance (live orders count; cancelled, expired and refunded ones do not). Equals `maxSeatsPerOrder` unless an admin set it.',
  }),
  requireVerifiedEmail: z.boolean().meta({ description: 'Only accounts with a confirmed e-mail address may enter the waiting room (403 `EMAIL_NOT_VERIFIED` otherwise). Off unless set: the performance asks for it.' }),
  queue: z
    .object({ capacity: z.number().int().min(1), admitPerMinute: z.number().int().min(1) })
    .meta({ description: 'The waiting-room settings the performance was published with (the live ones are at `GET /api/v1/queues/{performanceId}`).' }),
  schedules: z.array(z.object({ id: uuid(), startsAt: dateTime() })),
  grades: z.array(z.object({ name: z.string(), price: z.number().int().min(0), currency: z.string() })),
  sections: z
    .array(z.object({ name: z.string(), grade: z.string(), rows: z.number().int().min(1), seatsPerRow: z.number().int().min(1) }))
    .meta({ description: 'The seat layout, in layout order.' }),
}).meta({ id: 'Performance' });

export const PerformancePage = page(PerformanceSummary);

export const Schedule = z.object({ id: uuid(), performanceId: uuid(), startsAt: dateTime() }).meta({ id: 'Schedule' });

export const SeatStatus = z.enum(['AVAILABLE', 'HELD', 'SOLD']);
export const Seat = z
  .object({
    id: uuid(),
    section: z.string(),
    row: z.number().int().meta({ description: '1-based row number within the section' }),
    number: z.number().int(),
    grade: z.string(),
    price: z.number().int(),
    currency: z.string(),
    status: SeatStatus,
  })
  .meta({ id: 'Seat' });
export const SeatMap = z.object({ items: z.array(Seat) });

export type PerformanceSummary = z.infer<typeof PerformanceSummary>;
export type Performance = z.infer<typeof Performance>;
export type Schedule = z.infer<typeof Schedule>;
export type Seat = z.infer<typeof Seat>;
export type SeatStatus = z.infer<typeof SeatStatus>;
export type NewPerformanceBody = z.input<typeof NewPerformance>;
