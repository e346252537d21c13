import { Writable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLogger } from './index.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, destination };
}

test('writes JSON lines with service, level label and ISO time', () => {
  const { lines, destination } = capture();
  createLogger({ service: 'queue', destination }).info({ performanceId: 'p1' }, 'admitted');
  const [line] = lines;
  assert.is(line?.service, 'queue');
  assert.is(line?.level, 'info');
  assert.is(line?.msg, 'admitted');
  assert.is(line?.performanceId, 'p1');
  assert.match(String(line?.time), /^\d{4}-\d{2}-\d{2}T/);
});

test('redacts secrets at any usual place', () => {
  const { lines, destination } = capture();
  const log = createLogger({ service: 'auth', destination });
  log.info({ password: 'hunter2', body: { refreshToken: 'r', cardNumber: '4242' }, req: { headers: { authorization: 'Bearer x' } } }, 'x');
  const text = JSON.stringify(lines[0]);
  for (const secret of ['hunter2', '"r"', '4242', 'Bearer x']) assert.not.ok(text.includes(secret), `${secret} leaked`);
  assert.ok(text.includes('[redacted]'));
});

test('child loggers carry request-scoped fields; mixin adds fields to every line', () => {
  const { lines, destination } = capture();
  const log = createLogger({ service: 'gateway', destination, mixin: () => ({ traceId: 'abc' }) });
  log.child({ requestId: 'r-1' }).warn('slow');
  assert.is(lines[0]?.requestId, 'r-1');
  assert.is(lines[0]?.traceId, 'abc');
});

test.run();
