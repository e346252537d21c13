// Who is signed in. The access token lives only in memory (a script injected later cannot read it
// from storage); the refresh token lives in localStorage when the fan asked to be remembered, else
// in sessionStorage, so a reload keeps the fan signed in. A 401 triggers one refresh.

import { ApiError, requestJson } from './http.ts';
import type { Tokens, User } from './types.ts';

const REFRESH_KEY = 'ticketping.refreshToken';

export interface Session {
  readonly user: User | undefined;
  isSignedIn(): boolean;
  accessToken(): Promise<string | undefined>;
  /** After a 401: rotate the tokens once; false means the fan must log in again. */
  refresh(rejectedAccessToken: string | undefined): Promise<boolean>;
  logIn(email: string, password: string, remember: boolean): Promise<User>;
  logOut(): Promise<void>;
  /** Loads the user behind a stored refresh token at start-up; quiet when there is none. */
  restore(): Promise<void>;
  onChange(listener: () => void): void;
}

export function createSession(apiBase: string): Session {
  let access: string | undefined;
  let user: User | undefined;
  let refreshing: Promise<boolean> | undefined;
  const listeners: (() => void)[] = [];
  const changed = () => listeners.forEach((l) => l());

  const storedRefresh = () => localStorage.getItem(REFRESH_KEY) ?? sessionStorage.getItem(REFRESH_KEY) ?? undefined;
  const store = (tokens: Tokens, remember: boolean) => {
    access = tokens.accessToken;
    (remember ? localStorage : sessionStorage).setItem(REFRESH_KEY, tokens.refreshToken);
    (remember ? sessionStorage : localStorage).removeItem(REFRESH_KEY);
  };
  const forget = () => {
    access = undefined;
    user = undefined;
    localStorage.removeItem(REFRESH_KEY);
    sessionStorage.removeItem(REFRESH_KEY);
    changed();
  };
  const loadUser = async () => {
    user = await requestJson<User>(`${apiBase}/users/me`, { headers: { authorization: `Bearer ${access}` } });
    changed();
  };

  // Refresh tokens rotate and a reused one revokes the family, so tabs take turns (Web Locks)
  // and each reads the newest stored token inside the lock.
  const rotate = async (): Promise<boolean> => {
    const run = async () => {
      const token = storedRefresh();
      if (!token) return false;
      const remember = localStorage.getItem(REFRESH_KEY) === token;
      try {
        store(await requestJson<Tokens>(`${apiBase}/auth/refresh`, { method: 'POST', body: { refreshToken: token } }), remember);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) forget();
        return false;
      }
    };
    return navigator.locks ? navigator.locks.request('ticketping-refresh', run) : run();
  };

  const session: Session = {
    get user() { return user; },
    isSignedIn: () => access !== undefined || storedRefresh() !== undefined,
    async accessToken() {
      if (!access && storedRefresh()) await session.refresh(undefined);
      return access;
    },
    async refresh(rejected) {
      if (access && access !== rejected) return true; // another call already refreshed
      refreshing ??= rotate().finally(() => (refreshing = undefined));
      return refreshing;
    },
    async logIn(email, password, remember) {
      // A login is not acted on when auth answers 503 (hashing at its budget): safe to send again.
      store(await requestJson<Tokens>(`${apiBase}/auth/login`, { method: 'POST', body: { email, password }, retryWhenBusy: 5 }), remember);
      await loadUser();
      return user!;
    },
    async logOut() {
      const token = storedRefresh();
      try {
        if (token && access) await requestJson(`${apiBase}/auth/logout`, { method: 'POST', body: { refreshToken: token }, headers: { authorization: `Bearer ${access}` } });
      } finally {
        forget();
      }
    },
    async restore() {
      if (!storedRefresh()) return;
      if (await session.refresh(undefined)) await loadUser().catch(() => undefined);
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
  return session;
}
