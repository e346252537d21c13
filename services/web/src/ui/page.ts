// The small contract every page follows: a factory gets the context, keeps its own state in
// closures, calls `update()` when that state changes, and stops its timers in `dispose()`.

import { html, type TemplateResult } from 'lit-html';
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

/** A page whose code is fetched when first opened (a separate chunk in the build). */
export function lazyPage(load: () => Promise<PageFactory>): PageFactory {
  return (ctx) => {
    let page: PageView | undefined;
    let failed = false;
    let disposed = false;
    load().then(
      (factory) => {
        if (disposed) return;
        page = factory(ctx);
        ctx.update();
      },
      () => {
        failed = true;
        ctx.update();
      },
    );
    return {
      get title() { return page?.title ?? 'Loading'; },
      render: () => page?.render() ?? (failed
        ? html`<p class="notice notice-error" role="alert">This page could not be loaded. Check your connection and reload.</p>`
        : html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>Loading…</p>`),
      dispose: () => {
        disposed = true;
        page?.dispose?.();
      },
    };
  };
}
