import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expectContract, expectContractAt, routeOf } from './contract.ts';

const seat = { id: '6f1c1d2e-1f6a-4c35-9a55-0d2f0a8f4b11', section: 'Floor', row: 1, number: 7, grade: 'VIP', price: 150000, currency: 'KRW', status: 'AVAILABLE' };

test('a seat map as the catalog sends it passes', () => {
  expectContract('getSeatMap', 200, { items: [seat] });
});

test('a seat whose row is a string fails, naming the field', () => {
  assert.throws(() => expectContract('getSeatMap', 200, { items: [{ ...seat, row: 'A' }] }), /items\.0\.row: Invalid input: expected number/);
});

test('a status the contract does not list for the route fails', () => {
  assert.throws(() => expectContract('getSeatMap', 201, { items: [] }), /does not list/);
});

test('a problem must carry a listed code with the status the contract gives it', () => {
  const problem = (code: string, status: number) => ({ type: 'https://ticketping.dev/problems/x', title: 'Not found', status, detail: 'No schedule', code });
  expectContract('getSeatMap', 404, problem('SCHEDULE_NOT_FOUND', 404));
  assert.throws(() => expectContract('getSeatMap', 404, problem('NO_SUCH_THING', 404)), /not in packages\/contracts/);
  assert.throws(() => expectContract('placeOrder', 409, problem('SCHEDULE_NOT_FOUND', 409)), /answers with 404/);
});

test('a bodiless answer must stay bodiless', () => {
  expectContract('leaveQueue', 204, '');
  assert.throws(() => expectContract('leaveQueue', 204, { left: true }), /has none/);
});

test('routeOf finds the public route of a request; internal routes have none', () => {
  assert.is(routeOf('GET', 'http://127.0.0.1:1234/api/v1/queues/6f1c1d2e-1f6a-4c35-9a55-0d2f0a8f4b11/entries/me'), 'pollQueueEntry');
  assert.is(routeOf('DELETE', '/api/v1/orders/x?reason=1'), 'cancelOrder');
  assert.is(routeOf('POST', '/internal/v1/status-polls'), undefined);
  expectContractAt('POST', '/internal/v1/status-polls', 200, { anything: true });
  assert.throws(() => expectContractAt('GET', '/api/v1/schedules/x/seats', 200, { items: [{ ...seat, row: 'A' }] }), /row/);
});

test.run();
