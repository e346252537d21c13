/**
 * Limits that more than one side enforces or relies on: the services refuse past them, the gateway
 * and the web app size their requests by them, docs/openapi.yaml states them.
 */
export const LIMITS = {
  /** `limit` of a listing (performances, orders). */
  pageSize: { min: 1, max: 100, default: 20 },
  /** Seat ids one order request may name; the performance's `maxSeatsPerOrder` is checked after. */
  seatIdsPerOrder: 100,
  /** The highest `maxSeatsPerOrder` an administrator may give a performance. */
  maxSeatsPerOrder: 20,
  /** The highest per-person limit (seats over every schedule and order of a performance). */
  maxSeatsPerPerson: 100,
  /** `Idempotency-Key`: 1 to this many visible ASCII characters. */
  idempotencyKeyLength: 255,
  /** Status polls in one gateway → queue batch: keeps a batch's body (about 100 bytes a poll) well inside the JSON limit. */
  statusPollsPerBatch: 256,
  /** A waiting room's capacity and admission rate (per minute), and an explicit line limit. */
  queueCount: 1_000_000,
  /** The highest proof-of-work difficulty (ALTCHA `maxnumber`) an administrator may set: minutes of work in a browser. */
  proofOfWorkMaxNumber: 100_000_000,
  /** A performance's title, venue and section names. */
  textLength: 200,
  descriptionLength: 5_000,
  gradeLength: 40,
  /** Upper bounds that keep one request from generating an unbounded number of seats. */
  schedulesPerPerformance: 50,
  sectionsPerPerformance: 100,
  rowsPerSection: 200,
  seatsPerRow: 200,
  seatsPerSchedule: 20_000,
  /** Seats per schedule × schedules: what one create writes. */
  seatsInTotal: 100_000,
  /** Integer minor units; far above any ticket and still exact in a double. */
  price: 1_000_000_000_000,
} as const;
