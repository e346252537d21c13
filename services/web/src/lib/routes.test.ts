import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { href, parseRoute, safeNext, type Route } from './routes.ts';

test('parses every page route', () => {
  assert.equal(parseRoute(''), { name: 'performances' });
  assert.equal(parseRoute('#/'), { name: 'performances' });
  assert.equal(parseRoute('#/performances/p1'), { name: 'performance', performanceId: 'p1' });
  assert.equal(parseRoute('#/performances/p1/queue?schedule=s1'), { name: 'queue', performanceId: 'p1', scheduleId: 's1' });
  assert.equal(parseRoute('#/performances/p1/queue'), { name: 'queue', performanceId: 'p1' });
  assert.equal(parseRoute('#/performances/p1/schedules/s1/seats'), { name: 'seats', performanceId: 'p1', scheduleId: 's1' });
  assert.equal(parseRoute('#/orders/o1/checkout'), { name: 'checkout', orderId: 'o1' });
  assert.equal(parseRoute('#/orders/o1/confirmation'), { name: 'confirmation', orderId: 'o1' });
  assert.equal(parseRoute('#/login?next=%23%2Fbookings'), { name: 'login', next: '#/bookings' });
  assert.equal(parseRoute('#/verify?token=abc_-123'), { name: 'verify', token: 'abc_-123' });
  // the path the waiting room's odds message and the offer mail link to
  assert.equal(parseRoute('#/waitlist/p1'), { name: 'waitlist', performanceId: 'p1' });
  assert.equal(parseRoute('#/waitlist/p1?schedule=s1'), { name: 'waitlist', performanceId: 'p1', scheduleId: 's1' });
  assert.equal(parseRoute('#/nope'), { name: 'not-found', path: '/nope' });
});

test('href and parse round-trip', () => {
  const routes: Route[] = [
    { name: 'performances' }, { name: 'performance', performanceId: 'a b' }, { name: 'queue', performanceId: 'p', scheduleId: 's' },
    { name: 'seats', performanceId: 'p', scheduleId: 's' }, { name: 'checkout', orderId: 'o' }, { name: 'confirmation', orderId: 'o' },
    { name: 'bookings' }, { name: 'login', next: '#/bookings' }, { name: 'signup' }, { name: 'admin' },
    { name: 'verify', token: 't', next: '#/performances/p/queue' }, { name: 'verify' },
    { name: 'waitlist', performanceId: 'a b' }, { name: 'waitlist', performanceId: 'p', scheduleId: 's' },
  ];
  for (const route of routes) assert.equal(parseRoute(href(route)), route);
});

test('log-in only returns to our own pages', () => {
  assert.is(safeNext('#/bookings'), '#/bookings');
  assert.is(safeNext('https://evil.example/'), '#/');
  assert.is(safeNext(undefined), '#/');
});

test.run();
