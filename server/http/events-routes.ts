import { Router } from 'express';
import { resolveRealm } from '../auth/permissions.js';
import { assertCanPublish } from '../events/topic-access.js';
import type { ResolvedLimits } from '../config.js';
import type { EventPublisher } from '../events/event-publisher.js';
import type { RateLimits } from '../limits/rate-limits.js';
import { parseInput } from '../validation/parse-input.js';
import { assertPayloadSize } from '../validation/payload-size.js';
import { publishSchema } from '../validation/topic-schemas.js';
import { principalOf, requestedRealm, requireAuth } from './authenticate.js';

/**
 * `POST /api/events`: backends publish `{ topic, type?, payload, realm? }` (needs `C` on
 * `topic/<topic>`); answers 201 with the created RealtimeEvent, or 429 with `Retry-After` over
 * the `publishes` rate limits.
 *
 * @example
 * app.use('/api', eventsRoutes(publisher, limits, rateLimits));
 */
export function eventsRoutes(publisher: EventPublisher, limits: ResolvedLimits, rateLimits: RateLimits): Router {
  const router = Router();
  router.post('/events', requireAuth, async (req, res) => {
    const request = parseInput(publishSchema, req.body, 'event');
    const principal = principalOf(res);
    const realm = resolveRealm(principal, requestedRealm(req, request.realm));
    await rateLimits.consume('publishes', principal, realm);
    assertCanPublish(principal, realm, request.topic, request.type);
    assertPayloadSize(request.payload, limits.maxPayloadBytes, 'payload');
    const event = await publisher.publish({
      realm,
      topic: request.topic,
      source: 'api',
      type: request.type ?? 'api.publish',
      payload: request.payload,
      metadata: { publisher: principal.userId },
    });
    res.status(201).json(event);
  });
  return router;
}
