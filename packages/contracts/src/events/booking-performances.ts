import { z } from 'zod';
import { uuid } from './fields.ts';

/** `performance.sold-out`: booking holds or sold every seat of the performance. */
export const performanceSoldOut = z.object({ performanceId: uuid() });
