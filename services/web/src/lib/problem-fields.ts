// Field errors from the API's 400 problems, placed beside the form inputs they belong to.

/**
 * A 400 from the API names each bad field (`errors: [{ field: "body.sections.0.price", message }]`);
 * this maps them onto the form's input ids so the admin sees the message beside the input.
 */
export function formErrorsFromProblem(problem: { [key: string]: unknown }): Record<string, string> {
  const found: Record<string, string> = {};
  if (!Array.isArray(problem.errors)) return found;
  for (const item of problem.errors as { field?: unknown; message?: unknown }[]) {
    if (typeof item.field !== 'string' || typeof item.message !== 'string') continue;
    const path = item.field.replace(/^body\./, '').split('.');
    const id = path[0] === 'sections' && path.length >= 3 ? (path[2] === 'currency' ? 'currency' : `section-${path[1]}-${path[2]}`)
      : path[0] === 'schedules' && path.length >= 2 ? `schedule-${path[1]}`
      : path[0] === 'queue' && path[1] ? path[1]
      : path[0]!;
    found[id] ??= item.message.charAt(0).toUpperCase() + item.message.slice(1) + '.';
  }
  return found;
}
