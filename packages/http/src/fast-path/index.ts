/**
 * The status-poll fast path, opt-in: see README.md beside this file. Nothing here replaces or
 * patches express; each piece is an ordinary middleware or function a service chooses to use.
 */
export { leanRoutes, routePattern, type LeanRoute } from './lean-routes.ts';
export { sendJson } from './send-json.ts';
export { precomputedHeaders } from './precomputed-headers.ts';
export { batchPerTurn, errorFromProblem, settleAnswer, unwrapAnswer, type BatchAnswer } from './batch.ts';
