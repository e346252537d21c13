// Sign-up and log-in. After either, the fan returns to the page that asked (`next`), e.g. the
// waiting room they were about to join.

import { html, nothing } from 'lit-html';
import { ApiError, problemMessage } from '../api/http.ts';
import { formErrorsFromProblem } from '../lib/problem-fields.ts';
import { href, safeNext } from '../lib/routes.ts';
import { formError, pageHeading } from '../ui/parts.ts';
import type { PageContext, PageFactory } from '../ui/page.ts';

interface FieldSpec { name: string; label: string; type: string; autocomplete: string; hint?: string; minlength?: number }

function field(spec: FieldSpec, error: string | undefined, busy: boolean) {
  const describedBy = [spec.hint ? `${spec.name}-hint` : '', error ? `${spec.name}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="field">
    <label for=${spec.name}>${spec.label}</label>
    <input id=${spec.name} name=${spec.name} type=${spec.type} autocomplete=${spec.autocomplete} required minlength=${spec.minlength ?? nothing}
      aria-invalid=${error ? 'true' : 'false'} aria-describedby=${describedBy || nothing} ?disabled=${busy}>
    ${spec.hint ? html`<p id=${`${spec.name}-hint`} class="hint">${spec.hint}</p>` : nothing}
    ${error ? html`<p id=${`${spec.name}-error`} class="field-error">${error}</p>` : nothing}
  </div>`;
}

const remember = (busy: boolean) => html`<div class="field checkbox">
  <input id="remember" name="remember" type="checkbox" ?disabled=${busy}><label for="remember">Keep me signed in on this device</label></div>`;

function accountForm(ctx: PageContext, kind: 'login' | 'signup'): ReturnType<PageFactory> {
  const next = ctx.route.name === kind ? safeNext(ctx.route.next) : '#/';
  const fields: FieldSpec[] = kind === 'signup'
    ? [
        { name: 'nickname', label: 'Nickname', type: 'text', autocomplete: 'nickname' },
        { name: 'email', label: 'Email', type: 'email', autocomplete: 'email' },
        { name: 'password', label: 'Password', type: 'password', autocomplete: 'new-password', hint: 'At least 8 characters.', minlength: 8 },
      ]
    : [
        { name: 'email', label: 'Email', type: 'email', autocomplete: 'username' },
        { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password' },
      ];
  let busy = false;
  let errors: Record<string, string> = {};
  let formProblem: string | undefined;

  const validate = (data: Record<string, string>) => {
    const found: Record<string, string> = {};
    for (const f of fields) {
      if (!data[f.name]) found[f.name] = `Enter your ${f.label.toLowerCase()}.`;
      else if (f.minlength && data[f.name]!.length < f.minlength) found[f.name] = `Use at least ${f.minlength} characters.`;
    }
    if (data.email && !/^[^@\s]+@[^@\s]+$/.test(data.email)) found.email = 'Enter an email address like name@example.com.';
    return found;
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const formData = new FormData(form);
    const data = Object.fromEntries(fields.map((f) => [f.name, String(formData.get(f.name) ?? '').trim()]));
    errors = validate(data);
    formProblem = undefined;
    if (Object.keys(errors).length > 0) {
      ctx.update();
      form.querySelector<HTMLInputElement>(`#${Object.keys(errors)[0]}`)?.focus();
      return;
    }
    busy = true;
    ctx.update();
    try {
      if (kind === 'signup') {
        await ctx.api.signUp({ email: data.email!, password: data.password!, nickname: data.nickname! });
        ctx.track('signed_up');
      }
      await ctx.session.logIn(data.email!, data.password!, formData.get('remember') === 'on');
      // a new account has a verification mail on its way: say so before going on
      ctx.navigate(kind === 'signup' ? href({ name: 'verify', next }) : next, { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'EMAIL_TAKEN') errors = { email: 'An account with this email already exists. Log in instead.' };
      else if (kind === 'login' && error instanceof ApiError && error.status === 401) formProblem = 'That email and password do not match.';
      else if (error instanceof ApiError && error.status === 400 && Object.keys(formErrorsFromProblem(error.problem)).length > 0) errors = formErrorsFromProblem(error.problem);
      else formProblem = problemMessage(error);
    } finally {
      busy = false;
      ctx.update();
    }
  };

  const title = kind === 'signup' ? 'Create your account' : 'Log in';
  return {
    title,
    render: () => html`
      <div class="narrow">
        ${pageHeading(title)}
        ${next.includes('/queue') ? html`<p class="lede">${kind === 'signup' ? 'Create an account' : 'Log in'} to join the waiting room. Your place in line belongs to your account.</p>` : nothing}
        <form class="panel form" @submit=${submit} novalidate aria-labelledby="page-heading">
          ${fields.map((f) => field(f, errors[f.name], busy))}
          ${remember(busy)}
          ${formError(formProblem)}
          <button class="button primary wide" type="submit" ?disabled=${busy}>${busy ? 'Please wait…' : kind === 'signup' ? 'Create account' : 'Log in'}</button>
        </form>
        <p>${kind === 'signup'
          ? html`Already have an account? <a href=${href({ name: 'login', next })}>Log in</a>`
          : html`New to TicketPing? <a href=${href({ name: 'signup', next })}>Create an account</a>`}</p>
      </div>`,
  };
}

export const loginPage: PageFactory = (ctx) => accountForm(ctx, 'login');
export const signupPage: PageFactory = (ctx) => accountForm(ctx, 'signup');
