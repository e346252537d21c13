// The smallest Faro transport: POST each batch as Faro's JSON body to the collector. `keepalive`
// lets the last batch leave while the page is being hidden or closed (Faro flushes on hide).

import { BaseTransport, getTransportBody, type TransportItem } from '@grafana/faro-core';

/** Browsers refuse keepalive bodies above 64 KiB in flight; stay under it. */
const KEEPALIVE_LIMIT = 60_000;

export class FetchTransport extends BaseTransport {
  readonly name = '@ticketping/web-fetch-transport';
  readonly version = '1.0.0';
  readonly #url: string;

  constructor(url: string) {
    super();
    this.#url = url;
  }

  send(items: TransportItem | TransportItem[]): void {
    const body = JSON.stringify(getTransportBody(Array.isArray(items) ? items : [items]));
    // Telemetry must never break or slow the page, nor report its own failures in a loop.
    fetch(this.#url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, keepalive: body.length < KEEPALIVE_LIMIT }).catch(() => undefined);
  }

  override isBatched(): boolean {
    return true;
  }

  /** Calls to the collector itself are not traced or counted. */
  override getIgnoreUrls() {
    return [this.#url];
  }
}
