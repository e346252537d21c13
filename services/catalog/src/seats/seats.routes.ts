import type { Router } from 'express';
import { NotFoundError, validate } from '@ticketping/http';
import { scheduleIdParams } from '@ticketping/contracts/http';
import type { SeatMapCache } from './seat-map-cache.ts';

export function seatRoutes(router: Router, { seatMaps }: { seatMaps: SeatMapCache }): void {
  router.get('/api/v1/schedules/:scheduleId/seats', async (req, res) => {
    const { scheduleId } = validate.params(scheduleIdParams, req);
    const seatMap = await seatMaps.get(scheduleId);
    if (!seatMap) throw new NotFoundError('SCHEDULE_NOT_FOUND', `No schedule ${scheduleId}`);
    // Clients revalidate with If-None-Match and get a bodiless 304 while nothing changed.
    res.set({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache', vary: 'Accept-Encoding' });
    // Only when asked: a client that sends no Accept-Encoding (curl) gets plain JSON.
    if (req.headers['accept-encoding'] && req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.set({ 'content-encoding': 'gzip', etag: `"${seatMap.etag}-gz"` }).send(seatMap.gzipped);
    } else {
      res.set({ etag: `"${seatMap.etag}"` }).send(seatMap.body);
    }
  });
}
