import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** The lowest port handed out by default: below it are the well-known services people run locally. */
const LOWEST = 20_000;

/**
 * A free loopback port for a child process or server that binds it a moment later. It is taken
 * below the kernel's ephemeral range (Linux: ip_local_port_range), where neither the local port of
 * an outgoing connection nor another process's listen(0) can take it between this probe and the
 * bind, or while a supervised process restarts on it. Where that range is unknown, the kernel
 * picks the port.
 */
export async function freePort(): Promise<number> {
  ephemeralLow ??= ephemeralRangeStart() ?? 0;
  if (ephemeralLow - LOWEST >= 1000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = randomInt(LOWEST, ephemeralLow);
      if (await listens(port).then(() => true, () => false)) return port;
    }
  }
  return listens(0);
}

/** Read once: the kernel's setting does not change under a running process. */
let ephemeralLow: number | undefined;

function ephemeralRangeStart(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : undefined;
  } catch {
    return undefined;
  }
}

/** Listens on the port (0: any) on loopback, closes again, and answers the port that was bound. */
function listens(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
