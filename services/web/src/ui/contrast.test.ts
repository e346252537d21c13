// The palette in styles.css meets WCAG 2.2 AA: 4.5:1 for text, 3:1 for seat edges and focus rings.

import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const css = readFileSync(new URL('./styles.css', import.meta.url), 'utf8');
const color = (name: string): string => {
  const match = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(css);
  if (!match) throw new Error(`--${name} is not a hex colour in styles.css`);
  return match[1]!;
};

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test('the contrast formula matches known values', () => {
  assert.is(Math.round(contrast('#000000', '#ffffff') * 10) / 10, 21);
  assert.is(Math.round(contrast('#777777', '#ffffff') * 100) / 100, 4.48);
});

test('text colours reach 4.5:1 on their backgrounds', () => {
  const pairs: [string, string][] = [
    ['ink', 'bg'], ['ink', 'surface'], ['muted', 'bg'], ['muted', 'surface'], ['brand', 'surface'], ['brand', 'bg'],
    ['brand-ink', 'brand'], ['danger', 'surface'], ['danger', 'danger-soft'], ['ok', 'ok-soft'], ['warn', 'warn-soft'], ['brand', 'brand-soft'],
    ...[0, 1, 2, 3, 4, 5].map((i): [string, string] => ['ink', `grade-${i}`]),
  ];
  for (const [fg, bg] of pairs) assert.ok(contrast(color(fg), color(bg)) >= 4.5, `${fg} on ${bg}: ${contrast(color(fg), color(bg)).toFixed(2)}`);
});

test('seat edges and the focus ring reach 3:1', () => {
  for (let i = 0; i < 6; i++) assert.ok(contrast(color(`grade-${i}-edge`), color('surface')) >= 3, `grade-${i} edge`);
  assert.ok(contrast(color('focus'), color('surface')) >= 3, 'focus ring');
});

test.run();
