// The seat map's markup: sections of rows of seat buttons. One seat is in the tab order at a time
// (roving tabindex); arrow keys move between seats, Space/Enter choose. State stays in the page.

import { html, nothing, type TemplateResult } from 'lit-html';
import type { Seat } from '../api/types.ts';
import { formatMoney } from '../lib/format.ts';
import type { NavigationKey, SeatSection } from '../lib/seat-selection.ts';

export interface SeatMapProps {
  layout: SeatSection[];
  selection: readonly string[];
  focusedId: string | undefined;
  gradeIndex: (grade: string) => number;
  onToggle: (seat: Seat) => void;
  onMove: (from: Seat, key: NavigationKey) => void;
}

const NAVIGATION_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);
const statusWords = { AVAILABLE: 'available', HELD: 'held by another fan', SOLD: 'sold' } as const;

export function seatAccessibleName(seat: Seat): string {
  return `Section ${seat.section}, row ${seat.row}, seat ${seat.number}, ${seat.grade}, ${formatMoney(seat.price, seat.currency)}, ${statusWords[seat.status]}`;
}

function seatButton(seat: Seat, props: SeatMapProps): TemplateResult {
  const selected = props.selection.includes(seat.id);
  const unavailable = seat.status !== 'AVAILABLE' && !selected;
  const onKeydown = (event: KeyboardEvent) => {
    if (!NAVIGATION_KEYS.has(event.key)) return;
    event.preventDefault();
    props.onMove(seat, event.key as NavigationKey);
  };
  return html`<button type="button"
    class="seat grade-${props.gradeIndex(seat.grade) % 6} ${seat.status.toLowerCase()} ${selected ? 'selected' : ''}"
    data-seat-id=${seat.id}
    tabindex=${seat.id === props.focusedId ? 0 : -1}
    aria-pressed=${selected ? 'true' : 'false'}
    aria-disabled=${unavailable ? 'true' : 'false'}
    aria-label=${seatAccessibleName(seat)}
    title=${`Row ${seat.row}, seat ${seat.number} · ${seat.grade} · ${formatMoney(seat.price, seat.currency)}`}
    @click=${() => props.onToggle(seat)}
    @keydown=${onKeydown}>${seat.number}</button>`;
}

export function seatMap(props: SeatMapProps): TemplateResult {
  return html`
    <div class="stage" aria-hidden="true">Stage</div>
    ${props.layout.map((section) => html`
      <section class="seat-section" aria-labelledby=${`section-${section.name}`}>
        <h3 id=${`section-${section.name}`}>Section ${section.name}</h3>
        <div class="seat-rows">
          ${section.rows.map((row) => html`
            <div class="seat-row" role="group" aria-label=${`Section ${section.name}, row ${row.name}`}>
              <span class="row-label" aria-hidden="true">${row.name}</span>
              ${row.seats.map((seat) => seatButton(seat, props))}
            </div>`)}
        </div>
      </section>`)}`;
}

export function seatLegend(grades: { name: string; price: number; currency: string }[], gradeIndex: (grade: string) => number): TemplateResult {
  return html`<ul class="legend" aria-label="Legend">
    ${grades.map((g) => html`<li><span class="seat-sample grade-${gradeIndex(g.name) % 6}" aria-hidden="true"></span>${g.name} ${formatMoney(g.price, g.currency)}</li>`)}
    <li><span class="seat-sample selected" aria-hidden="true"></span>Your choice</li>
    <li><span class="seat-sample held" aria-hidden="true"></span>Held</li>
    <li><span class="seat-sample sold" aria-hidden="true"></span>Sold</li>
  </ul>${nothing}`;
}
