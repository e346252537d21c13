// The waiting room's progress bar. Fans see how far they have come since they joined, so the
// page remembers how many people were ahead at first (kept across reloads by the page).

/** Percent (0–100) of the line already passed; 100 once admitted. */
export function queueProgress(initialAhead: number, ahead: number, admitted: boolean): number {
  if (admitted) return 100;
  if (initialAhead <= 0) return 0;
  const passed = Math.min(initialAhead, Math.max(0, initialAhead - ahead));
  return Math.floor((passed / (initialAhead + 1)) * 100);
}

/** The baseline to keep: the first `ahead` seen, raised if the line somehow grew in front of us. */
export function nextBaseline(stored: number | undefined, ahead: number): number {
  return stored === undefined || ahead > stored ? ahead : stored;
}

/** What a screen reader hears when the place changes (the page's aria-live region). */
export function positionSentence(position: number, ahead: number): string {
  if (ahead === 0) return `You are number ${position} in line. You are next.`;
  return `You are number ${position} in line. ${ahead} ${ahead === 1 ? 'person is' : 'people are'} ahead of you.`;
}
