// Confirming the e-mail address: the link in the sign-up mail opens this page with its token
// (`#/verify?token=…`); without one, the page says a mail is on its way, takes the code pasted from
// the mail, and sends the mail again on request. Some sales admit only confirmed addresses.

import { html, nothing } from 'lit-html';
import { ApiError, problemMessage } from '../api/http.ts';
import { href, safeNext } from '../lib/routes.ts';
import { formError, pageHeading } from '../ui/parts.ts';
import type { PageContext, PageFactory } from '../ui/page.ts';

export const verifyPage: PageFactory = (ctx: PageContext) => {
  const route = ctx.route.name === 'verify' ? ctx.route : { token: undefined, next: undefined };
  const next = safeNext(route.next);
  let state: 'idle' | 'busy' | 'verified' = 'idle';
  let problem: string | undefined;
  let sent: string | undefined;

  const verify = async (token: string) => {
    state = 'busy';
    problem = undefined;
    ctx.update();
    try {
      await ctx.api.verifyEmail(token);
      // tokens issued before the click do not say the address is confirmed: get new ones
      if (ctx.session.isSignedIn()) await ctx.session.refresh(await ctx.session.accessToken());
      state = 'verified';
      ctx.track('email_verified');
      ctx.announce('Your e-mail address is confirmed.');
    } catch (error) {
      state = 'idle';
      problem = error instanceof ApiError && (error.code === 'VERIFICATION_INVALID' || error.status === 400)
        ? 'This code is unknown or has expired. Ask for a new mail below.'
        : problemMessage(error);
    } finally {
      ctx.update();
    }
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget as HTMLFormElement).get('code') ?? '').trim();
    if (!code) {
      problem = 'Paste the code from the mail.';
      ctx.update();
      return;
    }
    void verify(code);
  };

  const resend = async () => {
    problem = undefined;
    sent = undefined;
    try {
      await ctx.api.resendVerificationMail();
      sent = 'A new mail is on its way. It can take a minute to arrive; look in the spam folder too.';
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        ctx.navigate(href({ name: 'login', next: location.hash }));
        return;
      }
      problem = error instanceof ApiError && error.code === 'VERIFICATION_MAIL_LIMITED'
        ? `A mail went out a moment ago; try again in ${error.retryAfterSeconds ?? 60} seconds.`
        : problemMessage(error);
    }
    ctx.update();
  };

  if (route.token) void verify(route.token);

  return {
    title: 'Confirm your e-mail address',
    render: () => html`
      <div class="narrow">
        ${pageHeading(state === 'verified' ? 'Your address is confirmed' : 'Check your mail')}
        ${state === 'verified'
          ? html`<div class="notice" role="status"><p>Thank you. You can now join every waiting room.</p>
              <a class="button primary" href=${next}>Continue</a></div>`
          : html`
            <p class="lede">We sent you a mail with a link to confirm your e-mail address. Some sales admit only
              confirmed addresses to their waiting room, so follow the link before the sale opens.</p>
            <form class="panel form" @submit=${submit} novalidate aria-labelledby="page-heading">
              <div class="field">
                <label for="code">Code from the mail</label>
                <input id="code" name="code" type="text" autocomplete="one-time-code" spellcheck="false" ?disabled=${state === 'busy'}>
              </div>
              ${formError(problem)}
              <button class="button primary wide" type="submit" ?disabled=${state === 'busy'}>${state === 'busy' ? 'Please wait…' : 'Confirm'}</button>
            </form>
            ${sent ? html`<p class="notice" role="status">${sent}</p>` : nothing}
            <p>No mail? ${ctx.session.isSignedIn()
              ? html`<button type="button" class="button secondary" @click=${resend}>Send it again</button>`
              : html`<a href=${href({ name: 'login', next: location.hash })}>Log in</a> to have it sent again.`}</p>
            <p><a href=${next}>Later</a></p>`}
      </div>`,
  };
};
