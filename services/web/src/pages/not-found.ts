import { html } from 'lit-html';
import { pageHeading } from '../ui/parts.ts';
import type { PageFactory } from '../ui/page.ts';

export const notFoundPage: PageFactory = () => ({
  title: 'Page not found',
  render: () => html`${pageHeading('Page not found')}<p>We could not find that page. <a href="#/">See all performances</a>.</p>`,
});
