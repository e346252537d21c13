import type { Request, Response, Router } from 'express';
import type { JSONWebKeySet } from 'jose';
import { NewQueue, OperatorRate, performanceIdParams as params, QueueEntryRequest, QueueSettingsChange, StatusPolls, type OperatorRateAnswer } from '@ticketping/contracts/http';
import { IDENTITY_HEADERS, NotFoundError, caller, callerFrom, requireAdmin, requireInternalCaller, validate } from '@ticketping/http';
import { sendJson, settleAnswer, type LeanRoute } from '@ticketping/http/fast-path';
import type { ProofOfWork } from '../proof-of-work/proof-of-work.service.ts';
import type { QueueStore } from '../redis/queue-store.ts';
import type { WaitingRoom } from './waiting-room.service.ts';

/** What a status poll answers besides its body. */
const STATUS_HEADERS = { 'cache-control': 'no-store' };

const ms = (at: string | undefined) => (at ? Date.parse(at) : 0);

export interface WaitingRoomRoutes {
  /** Mounted on the app's router. */
  routes: (router: Router) => void;
  /** The hot reads (status polls, the public summary), served by the fast path's `leanRoutes`. */
  lean: LeanRoute[];
}

export function waitingRoomRoutes(deps: { room: WaitingRoom; store: QueueStore; proofOfWork: ProofOfWork; internalToken: string; jwks: JSONWebKeySet }): WaitingRoomRoutes {
  const { room, store, proofOfWork, jwks } = deps;
  const internal = requireInternalCaller(deps.internalToken);
  const requireGateway = (req: Request, res: Response) => internal(req, res, () => undefined);

  const lean: LeanRoute[] = [
    {
      method: 'GET',
      path: '/api/v1/queues/:performanceId/entries/me',
      handle: async (req, res) => {
        requireGateway(req, res);
        const { performanceId } = validate.params(params, req);
        for (const [name, value] of Object.entries(STATUS_HEADERS)) res.setHeader(name, value);
        sendJson(res, await room.status(performanceId, caller(req).id));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/queues/:performanceId',
      handle: async (req, res) => {
        requireGateway(req, res);
        const { performanceId } = validate.params(params, req);
        res.setHeader('cache-control', 'public, max-age=1');
        sendJson(res, await room.summary(performanceId));
      },
    },
  ];

  const routes = (router: Router) => {
    // public keys: the gateway and booking verify admission tokens locally against these
    router.get('/.well-known/jwks.json', (_req, res) => {
      res.setHeader('cache-control', 'public, max-age=300');
      res.json(jwks);
    });

    // The gateway's way to poll: each answer is what GET .../entries/me would have answered that fan.
    // One HTTP round trip for many polls instead of a request and a response each, on both sides.
    router.post('/internal/v1/status-polls', internal, async (req, res) => {
      const { polls } = validate.body(StatusPolls, req);
      const answers = await Promise.all(polls.map((poll) => settleAnswer(async () => {
        const { performanceId } = validate.part(params, { performanceId: poll.performanceId }, 'params');
        return room.status(performanceId, callerFrom({ [IDENTITY_HEADERS.userId]: poll.userId }).id);
      }, STATUS_HEADERS, req.log)));
      res.setHeader('cache-control', 'no-store');
      sendJson(res, { answers });
    });

    // The gateway sends the client address it worked out under TRUST_PROXY as X-Forwarded-For
    // (a client's own is dropped); the internal credential vouches for it.
    router.post('/api/v1/queues/:performanceId/challenge', internal, async (req, res) => {
      const { performanceId } = validate.params(params, req);
      res.setHeader('cache-control', 'no-store');
      const who = caller(req);
      res.json(await proofOfWork.challenge(performanceId, who.id, String(req.headers['x-forwarded-for'] ?? 'unknown'), who.emailVerified === true));
    });

    // The proof is spent first (a solution is one entry attempt, whatever the line answers); the
    // entry script then decides the confirmed address, the code's lane and, before the open, the
    // fan's presence.
    router.post('/api/v1/queues/:performanceId/entries', internal, async (req, res) => {
      const { performanceId } = validate.params(params, req);
      // the body is optional: a plain entry with no proof needed sends none (or `{}`)
      const { proofOfWork: solution, accessCode } = req.body === undefined ? {} : validate.body(QueueEntryRequest, req);
      const who = caller(req);
      await proofOfWork.spend(performanceId, who.id, solution);
      res.setHeader('cache-control', 'no-store');
      res.json(await room.enter(performanceId, who.id, { emailVerified: who.emailVerified === true, ...(accessCode ? { accessCode } : {}) }));
    });

    router.delete('/api/v1/queues/:performanceId/entries/me', internal, async (req, res) => {
      const { performanceId } = validate.params(params, req);
      await room.leave(performanceId, caller(req).id);
      res.status(204).end();
    });

    router.patch('/api/v1/queues/:performanceId', internal, async (req, res) => {
      requireAdmin(req);
      const { performanceId } = validate.params(params, req);
      res.json(await room.configure(performanceId, validate.body(QueueSettingsChange, req)));
    });

    // The queue-scaler's own rate field (operators/queue-scaler README, "Control law"): one writer,
    // never the admin's admitPerMinute, so "lower the admission rate" in the runbooks stays lowered.
    router.put('/internal/v1/queues/:performanceId/operator-rate', internal, async (req, res) => {
      const { performanceId } = validate.params(params, req);
      const body = validate.body(OperatorRate, req);
      const untilMs = Date.now() + body.ttlSeconds * 1000;
      const ceiling = await store.setOperatorRate(performanceId, body.admitPerMinute, untilMs);
      if (ceiling === undefined) throw new NotFoundError('QUEUE_NOT_FOUND', 'This performance has no waiting room');
      const answer: OperatorRateAnswer = {
        performanceId, admitPerMinute: ceiling, operatorAdmitPerMinute: body.admitPerMinute,
        effectiveAdmitPerMinute: Math.min(ceiling, body.admitPerMinute), expiresAt: new Date(untilMs).toISOString(),
      };
      res.setHeader('cache-control', 'no-store');
      res.json(answer);
    });

    router.put('/internal/v1/queues/:performanceId', internal, async (req, res) => {
      const { performanceId } = validate.params(params, req);
      const body = validate.body(NewQueue, req);
      const created = await store.create(performanceId, {
        capacity: body.capacity, admitPerMinute: body.admitPerMinute,
        opensAtMs: ms(body.opensAt), closesAtMs: ms(body.closesAt), totalSeats: body.totalSeats ?? 0,
        requireVerifiedEmail: body.requireVerifiedEmail ?? false, maxSeatsPerOrder: body.maxSeatsPerOrder ?? 0,
      });
      res.status(created ? 201 : 200).json(await room.summary(performanceId));
    });
  };

  return { routes, lean };
}
