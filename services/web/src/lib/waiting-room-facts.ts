// What the waiting room tells a fan besides the place in line: the performance's price range
// (shown before anyone waits, as on-sale queues must) and an honest word on the odds. Pure, so
// the wording is unit-tested.

import type { QueueEntry } from '../api/types.ts';
import { formatMoney } from './format.ts';
import { href } from './routes.ts';

/** "€45.00 – €120.00", or one price when every grade costs the same; undefined without grades. */
export function priceRange(grades: { price: number; currency: string }[], locale?: string): string | undefined {
  if (grades.length === 0) return undefined;
  const prices = grades.map((g) => g.price);
  const currency = grades[0]!.currency;
  const low = Math.min(...prices);
  const high = Math.max(...prices);
  return low === high ? formatMoney(low, currency, locale) : `${formatMoney(low, currency, locale)} – ${formatMoney(high, currency, locale)}`;
}

export type Odds = NonNullable<QueueEntry['odds']>;

export interface OddsMessage {
  /** `warn` when the fan should hear it early and be offered the waitlist. */
  tone: 'good' | 'neutral' | 'warn';
  headline: string;
  /** The figures it is built from, in words. */
  basis: string;
}

export function oddsMessage(odds: Odds): OddsMessage {
  const seats = `${odds.seatsLeft.toLocaleString('en')} ${odds.seatsLeft === 1 ? 'seat is' : 'seats are'} left`;
  const perOrder = odds.seatsPerOrderMeasured
    ? `orders so far take ${odds.seatsPerOrder.toLocaleString('en', { maximumFractionDigits: 1 })} seats on average`
    : `no orders yet, so we assume the most a fan may buy (${odds.seatsPerOrder.toLocaleString('en')} seats)`;
  const ahead = `${odds.peopleAhead.toLocaleString('en')} ${odds.peopleAhead === 1 ? 'fan gets' : 'fans get'} to choose before you`;
  const basis = `${seats}; ${ahead}; ${perOrder}; about ${Math.round(odds.orderShare * 100)}% of fans who reach the seat map buy. We expect about ${odds.expectedSeatsBeforeYou.toLocaleString('en')} seats to go before your turn.`;
  switch (odds.outlook) {
    case 'LIKELY': return { tone: 'good', headline: 'Seats are likely to be left when it is your turn.', basis };
    case 'UNCERTAIN': return { tone: 'neutral', headline: 'It will be close: seats may run out around your turn.', basis };
    case 'UNLIKELY': return { tone: 'warn', headline: 'Seats are unlikely to be left by the time it is your turn.', basis };
    case 'NONE': return { tone: 'warn', headline: 'No seats are left right now. Some may come back if other fans do not pay.', basis };
  }
}

/** The performance's waitlist page, on the date the fan chose in the waiting room if any. */
export const waitlistHref = (performanceId: string, scheduleId?: string) => href({ name: 'waitlist', performanceId, ...(scheduleId ? { scheduleId } : {}) });

/** What a refused access code means for the fan, by the problem's code. */
export function accessCodeProblem(code: string | undefined, detail?: string): string | undefined {
  switch (code) {
    case 'ACCESS_CODE_INVALID': return 'That code is not valid for this performance. Check it and try again.';
    case 'ACCESS_CODE_USED_UP': return 'That code has already been used as many times as it allows.';
    case 'ACCESS_CODE_OUTSIDE_WINDOW': return detail ? `That code cannot be used right now: ${detail.replace(/^This access code can be used /, 'it works ')}.` : 'That code cannot be used right now.';
    case 'VALIDATION_FAILED': return 'Codes are 4 to 40 letters, digits or dashes.';
    case 'ACCESS_CODES_UNAVAILABLE': return 'Codes cannot be checked right now. Your place is kept; try the code again in a moment.';
    default: return undefined;
  }
}
