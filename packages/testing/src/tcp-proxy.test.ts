import net from 'node:net';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTcpProxy } from './tcp-proxy.ts';

/** Sends `text` through a new connection and resolves with what came back, or the connect error's code. */
async function roundTrip(port: number, text: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.write(text);
    const [data] = (await once(socket, 'data')) as [Buffer];
    return data.toString();
  } catch (error) {
    return (error as { code: string }).code;
  } finally {
    socket.destroy();
  }
}

test('the proxy forwards, refuses and resets while cut off, and forwards again once restored', async () => {
  const echoed = new Set<net.Socket>();
  const echo = net.createServer((socket) => {
    echoed.add(socket);
    socket.on('close', () => echoed.delete(socket));
    socket.on('error', () => undefined); // the proxy drops its side when cut off
    socket.pipe(socket);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as net.AddressInfo).port });
  try {
    assert.is(await roundTrip(proxy.port, 'hello'), 'hello');
    assert.is(proxy.rewrite('postgres://u@db.internal:5432/x'), `postgres://u@127.0.0.1:${proxy.port}/x`);

    const open = net.connect(proxy.port, '127.0.0.1');
    await once(open, 'connect');
    open.on('error', () => undefined); // a reset is as good as a close here
    const closed = new Promise((resolve) => open.once('close', resolve));
    await proxy.refuse();
    await closed; // an open connection is dropped
    assert.is(await roundTrip(proxy.port, 'hello'), 'ECONNREFUSED');

    await proxy.accept();
    assert.is(await roundTrip(proxy.port, 'again'), 'again');
  } finally {
    await proxy.close();
    for (const socket of echoed) socket.destroy();
    await new Promise((resolve) => echo.close(resolve));
  }
});

test.run();
