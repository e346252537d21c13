import { z } from 'zod';

/** Wire formats shared by events and HTTP bodies. */
export const uuid = () => z.uuid();
/** An instant as ISO-8601 text with its offset (producers write UTC, `…Z`). */
export const instant = () => z.iso.datetime({ offset: true });
/** ISO 4217 letters; money travels as integer minor units beside it. */
export const currencyCode = () => z.string().length(3);
export const minorUnits = () => z.number().int().nonnegative();
