// The small contract every page follows: a factory gets the context, keeps its own state in
// closures, calls `update()` when that state changes, and stops its timers in `dispose()`.

import type { TemplateResult } from 'lit-html';
import type { Api } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import type { Route } from '../lib/routes.ts';

export interface PageContext {
  api: Api;
  session: Session;
  route: Route;
  /** Re-render the current page (lit-html only touches what changed, so focus stays put). */
  update(): void;
  navigate(hash: string, options?: { replace?: boolean }): void;
  /** Say something to screen-reader users through the app's polite live region. */
  announce(message: string): void;
  /** A named real-user event (Faro), e.g. `queue_admitted`. */
  track(name: string, attributes?: Record<string, string>): void;
}

export interface PageView {
  title: string;
  render(): TemplateResult;
  dispose?(): void;
}

export type PageFactory = (ctx: PageContext) => PageView;

/** Async data a page shows: loading, loaded or failed, re-rendering the page as it settles. */
export interface Resource<T> {
  readonly value: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  reload(): Promise<void>;
}

export function resource<T>(ctx: Pick<PageContext, 'update'>, load: () => Promise<T>): Resource<T> {
  const state = { value: undefined as T | undefined, error: undefined as unknown, loading: true };
  const reload = async () => {
    state.loading = true;
    ctx.update();
    try {
      state.value = await load();
      state.error = undefined;
    } catch (error) {
      state.error = error;
    } finally {
      state.loading = false;
      ctx.update();
    }
  };
  void reload();
  return {
    get value() { return state.value; },
    get error() { return state.error; },
    get loading() { return state.loading; },
    reload,
  };
}
