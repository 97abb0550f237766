import { Router, type Request, type Response } from 'express';
import { resolveRealm } from '../auth/permissions.js';
import { accessIn, authorize } from '../kernel/access.js';
import { parseZodInput } from '../http/parse-zod-input.js';
import { documentBodies } from '../http/route-docs.js';
import {
  createWebhookSchema,
  deadLettersQuerySchema,
  deliveriesQuerySchema,
  deliveryIdSchema,
  deliveryLogQuerySchema,
  rotateSecretSchema,
  updateWebhookSchema,
  webhookActionSchema,
  webhookIdSchema,
} from './webhook-schemas.js';
import type { WebhookService } from './webhook-service.js';
import { principalOf, requestedRealm, requireAuth } from '../http/authenticate.js';

/** Default page size of delivery lists. */
const DEFAULT_PAGE = 50;

/**
 * `/api/webhooks`: endpoint management, delivery log and dead letters, for `admin`s of the realm.
 * The realm is `realm` in the body (or query for GET), else `X-Realm`, else the token's only realm.
 *
 * - `POST /webhooks` `{ url, secret?, events?, topics?, description? }` → 201 with `secret` (shown once)
 * - `GET /webhooks` → endpoints; `GET /webhooks/:id`; `PATCH /webhooks/:id` `{ url?, events?, topics?, description? }`
 * - `POST /webhooks/:id/activate`, `POST /webhooks/:id/deactivate`, `DELETE /webhooks/:id` (204)
 * - `POST /webhooks/:id/rotate-secret` `{ secret?, gracePeriodMs? }` → the endpoint with its new `secret`
 * - `POST /webhooks/:id/test` → 202 with the queued delivery
 * - `GET /webhooks/:id/deliveries?status=&limit=&after=`, `GET /webhooks/logs?event=&webhookId=&status=`
 * - `GET /webhooks/dead-letters?webhookId=`, `POST /webhooks/dead-letters/:deliveryId/redeliver` → 202
 *
 * @example
 * app.use('/api', webhookRoutes(webhooks));
 */
export function webhookRoutes(webhooks: WebhookService): Router {
  const router = Router();

  router.post('/webhooks', requireAuth, async (req, res) => {
    const { realm: bodyRealm, ...input } = parseZodInput(createWebhookSchema, req.body ?? {}, 'webhook');
    const realm = await adminRealm(req, res, bodyRealm);
    const created = await webhooks.create(realm, input);
    res.status(201).location(`${req.baseUrl}/webhooks/${created.id}`).json(created);
  });

  router.get('/webhooks', requireAuth, async (req, res) => {
    const { realm } = parseZodInput(webhookActionSchema, req.query, 'query');
    res.json(await webhooks.list(await adminRealm(req, res, realm)));
  });

  router.get('/webhooks/dead-letters', requireAuth, async (req, res) => {
    const { realm, limit, ...query } = parseZodInput(deadLettersQuerySchema, req.query, 'query');
    res.json(await webhooks.deliveryPage(await adminRealm(req, res, realm), { ...query, status: 'failed', limit: limit ?? DEFAULT_PAGE }));
  });

  router.post('/webhooks/dead-letters/:deliveryId/redeliver', requireAuth, async (req, res) => {
    const { realm } = parseZodInput(webhookActionSchema, req.body ?? {}, 'request');
    const deliveryId = parseZodInput(deliveryIdSchema, req.params.deliveryId, 'delivery id');
    res.status(202).json(await webhooks.redeliver(await adminRealm(req, res, realm), deliveryId));
  });

  router.get('/webhooks/logs', requireAuth, async (req, res) => {
    const { realm, limit, event, ...query } = parseZodInput(deliveryLogQuerySchema, req.query, 'query');
    res.json(
      await webhooks.deliveryPage(await adminRealm(req, res, realm), {
        ...query,
        ...(event === undefined ? {} : { eventType: event }),
        limit: limit ?? DEFAULT_PAGE,
      }),
    );
  });

  router.get('/webhooks/:id', requireAuth, async (req, res) => {
    const { realm } = parseZodInput(webhookActionSchema, req.query, 'query');
    res.json(await webhooks.get(await adminRealm(req, res, realm), webhookId(req)));
  });

  router.patch('/webhooks/:id', requireAuth, async (req, res) => {
    const { realm, ...input } = parseZodInput(updateWebhookSchema, req.body ?? {}, 'webhook update');
    res.json(await webhooks.update(await adminRealm(req, res, realm), webhookId(req), input));
  });

  router.delete('/webhooks/:id', requireAuth, async (req, res) => {
    const { realm } = parseZodInput(webhookActionSchema, req.body ?? {}, 'request');
    await webhooks.remove(await adminRealm(req, res, realm), webhookId(req));
    res.status(204).end();
  });

  for (const [action, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    router.post(`/webhooks/:id/${action}`, requireAuth, async (req, res) => {
      const { realm } = parseZodInput(webhookActionSchema, req.body ?? {}, 'request');
      res.json(await webhooks.setActive(await adminRealm(req, res, realm), webhookId(req), active));
    });
  }

  router.post('/webhooks/:id/rotate-secret', requireAuth, async (req, res) => {
    const { realm, ...input } = parseZodInput(rotateSecretSchema, req.body ?? {}, 'secret rotation');
    res.json(await webhooks.rotateSecret(await adminRealm(req, res, realm), webhookId(req), input));
  });

  router.post('/webhooks/:id/test', requireAuth, async (req, res) => {
    const { realm } = parseZodInput(webhookActionSchema, req.body ?? {}, 'request');
    res.status(202).json(await webhooks.sendTest(await adminRealm(req, res, realm), webhookId(req), principalOf(res).userId));
  });

  router.get('/webhooks/:id/deliveries', requireAuth, async (req, res) => {
    const { realm, limit, ...query } = parseZodInput(deliveriesQuerySchema, req.query, 'query');
    res.json(await webhooks.deliveries(await adminRealm(req, res, realm), webhookId(req), { ...query, limit: limit ?? DEFAULT_PAGE }));
  });

  documentBodies(router, {
    'POST /webhooks': createWebhookSchema,
    'PATCH /webhooks/:id': updateWebhookSchema,
    'POST /webhooks/:id/rotate-secret': rotateSecretSchema,
    'POST /webhooks/:id/activate': webhookActionSchema,
    'POST /webhooks/:id/deactivate': webhookActionSchema,
    'POST /webhooks/:id/test': webhookActionSchema,
    'POST /webhooks/dead-letters/:deliveryId/redeliver': webhookActionSchema,
  });
  return router;
}

/** The realm of the call, which the caller must administer (the permission gate checks it). */
async function adminRealm(req: Request, res: Response, given: string | undefined): Promise<string> {
  const principal = principalOf(res);
  const realm = resolveRealm(principal, requestedRealm(req, given));
  await authorize(accessIn(principal, realm), ['admin']);
  return realm;
}

function webhookId(req: Request): string {
  return parseZodInput(webhookIdSchema, req.params.id, 'webhook id');
}
