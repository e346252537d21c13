import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitlistRows } from './admin-waitlist.ts';

const none = { LISTED: 0, SOLD: 0, REFUNDED: 0, WITHDRAWN: 0 };
const offers = (o: Partial<Record<'OPEN' | 'CLAIMED' | 'EXPIRED' | 'DECLINED' | 'WITHDRAWN', number>>) => ({ OPEN: 0, CLAIMED: 0, EXPIRED: 0, DECLINED: 0, WITHDRAWN: 0, ...o });

test('one row per date in date order: waiting, offers made and what became of them, returns listed and sold; a quiet date shows zeros', () => {
  const rows = waitlistRows(
    [{ id: 's2', startsAt: '2026-12-13T19:30:00Z' }, { id: 's1', startsAt: '2026-12-12T19:30:00Z' }],
    [
      { scheduleId: 's1', performanceId: 'p', waiting: 40, offers: offers({ OPEN: 2, CLAIMED: 5, EXPIRED: 3, DECLINED: 1, WITHDRAWN: 1 }), returns: { LISTED: 3, SOLD: 1, REFUNDED: 2, WITHDRAWN: 4 } },
      { scheduleId: 'other', performanceId: 'q', waiting: 9, offers: offers({ OPEN: 9 }), returns: none },
    ],
  );
  assert.equal(rows, [
    { scheduleId: 's1', startsAt: '2026-12-12T19:30:00Z', waiting: 40, made: 12, open: 2, claimed: 5, expired: 3, declined: 2, returnsListed: 3, returnsSold: 3 },
    { scheduleId: 's2', startsAt: '2026-12-13T19:30:00Z', waiting: 0, made: 0, open: 0, claimed: 0, expired: 0, declined: 0, returnsListed: 0, returnsSold: 0 },
  ]);
});

test.run();
