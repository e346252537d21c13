import type { Router } from 'express';
import { performanceIdParams, queueTimelineQuery, type QueueTimeline as QueueTimelineBody } from '@ticketping/contracts/http';
import { requireAdmin, requireInternalCaller, ServiceUnavailableError, validate } from '@ticketping/http';
import type { RedisClient } from '@ticketping/redis';
import type { QueueTimeline } from './queue-timeline.ts';

/** Same answer as the waiting room's own routes give when Redis is away: fast, with Retry-After. */
const RETRY_AFTER_SECONDS = 2;

export function timelineRoutes(deps: { timeline: QueueTimeline; redis: RedisClient; internalToken: string }) {
  const internal = requireInternalCaller(deps.internalToken);
  return (router: Router) => {
    router.get('/api/v1/queues/:performanceId/timeline', internal, async (req, res) => {
      requireAdmin(req);
      const { performanceId } = validate.params(performanceIdParams, req);
      const { minutes } = validate.query(queueTimelineQuery, req);
      const unavailable = () => new ServiceUnavailableError('QUEUE_UNAVAILABLE', 'The waiting room cannot reach its store right now; try again shortly', RETRY_AFTER_SECONDS);
      if (deps.redis.status !== 'ready') throw unavailable();
      const to = Date.now();
      const from = to - minutes * 60_000;
      const samples = await deps.timeline.read(performanceId, from).catch((error: unknown) => {
        // the connection dropped during the read: the same fast 503, not a 500
        throw deps.redis.status === 'ready' ? error : unavailable();
      });
      const body: QueueTimelineBody = {
        performanceId,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        samples: samples.map((s) => ({ minute: s.minute.toISOString(), waiting: s.waiting, admitted: s.admitted })),
      };
      res.setHeader('cache-control', 'no-store');
      res.json(body);
    });
  };
}
