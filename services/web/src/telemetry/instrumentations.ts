// Two instrumentations on Faro's core API: uncaught errors and Core Web Vitals. (The Faro web SDK
// has richer ones; these keep the bundle small and cover what on-call reads.)

import { BaseInstrumentation, type ExceptionStackFrame, type Stacktrace } from '@grafana/faro-core';
import { onCLS, onFCP, onINP, onLCP, onTTFB, type Metric } from 'web-vitals';

export class ErrorsInstrumentation extends BaseInstrumentation {
  readonly name = '@ticketping/web-errors';
  readonly version = '1.0.0';

  initialize(): void {
    window.addEventListener('error', (event) => {
      const error = event.error instanceof Error ? event.error : new Error(event.message || 'Script error');
      this.api.pushError(error, { type: 'uncaught' });
    });
    window.addEventListener('unhandledrejection', (event: PromiseRejectionEvent) => {
      const reason: unknown = event.reason;
      this.api.pushError(reason instanceof Error ? reason : new Error(String(reason)), { type: 'unhandledrejection' });
    });
  }
}

export class WebVitalsInstrumentation extends BaseInstrumentation {
  readonly name = '@ticketping/web-vitals';
  readonly version = '1.0.0';

  initialize(): void {
    // Same shape as the Faro web SDK sends, so Grafana's Frontend Observability reads it as is.
    const report = (metric: Metric) =>
      this.api.pushMeasurement({ type: 'web-vitals', values: { [metric.name.toLowerCase()]: metric.value } }, { context: { rating: metric.rating, navigationType: metric.navigationType } });
    onCLS(report);
    onFCP(report);
    onINP(report);
    onLCP(report);
    onTTFB(report);
  }
}

/** Chromium "    at fn (url:line:col)" and Firefox/Safari "fn@url:line:col" stack lines → frames. */
export function parseStacktrace(error: Error): Stacktrace {
  const frames: ExceptionStackFrame[] = [];
  for (const line of (error.stack ?? '').split('\n')) {
    const match = /^\s*at (?:(.+?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line) ?? /^(.*?)@(.+?):(\d+):(\d+)$/.exec(line);
    if (match) frames.push({ function: match[1] || '?', filename: match[2]!, lineno: Number(match[3]), colno: Number(match[4]) });
  }
  return { frames };
}
