// The frame around every page: skip link, header with navigation, main landmark, footer.

import { html, nothing, type TemplateResult } from 'lit-html';
import type { Session } from '../api/session.ts';
import { href, type Route } from '../lib/routes.ts';

function navLink(label: string, target: string, current: boolean): TemplateResult {
  return html`<li><a href=${target} aria-current=${current ? 'page' : nothing}>${label}</a></li>`;
}

export function layout(route: Route, session: Session, onLogOut: () => void, content: TemplateResult): TemplateResult {
  const user = session.user;
  const here = location.hash || '#/';
  return html`
    <a class="skip-link" href="#main" @click=${(e: Event) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
    <header class="site-header">
      <div class="header-inner">
        <a class="brand" href="#/"><span class="brand-mark" aria-hidden="true">◆</span> TicketPing</a>
        <nav aria-label="Main">
          <ul>
            ${navLink('Performances', href({ name: 'performances' }), route.name === 'performances' || route.name === 'performance')}
            ${session.isSignedIn() ? navLink('My bookings', href({ name: 'bookings' }), route.name === 'bookings') : nothing}
            ${session.isSignedIn() ? navLink('My tickets', href({ name: 'tickets' }), route.name === 'tickets') : nothing}
            ${user?.role === 'ADMIN' ? navLink('Admin', href({ name: 'admin' }), route.name === 'admin') : nothing}
            ${session.isSignedIn()
              ? html`<li class="account">${user ? html`<span class="who">${user.nickname}</span>` : nothing}<button type="button" class="link-button" @click=${onLogOut}>Log out</button></li>`
              : html`${navLink('Log in', href({ name: 'login', next: here }), route.name === 'login')}${navLink('Sign up', href({ name: 'signup', next: here }), route.name === 'signup')}`}
          </ul>
        </nav>
      </div>
    </header>
    <main id="main" tabindex="-1">${content}</main>
    <footer class="site-footer"><p>TicketPing · fair queues, no overselling</p></footer>`;
}
