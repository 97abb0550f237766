import { Router, type Request, type Response } from 'express';
import { resolveRealm, topicResource } from '../auth/permissions.js';
import { principalOf, requestedRealm, requireAuth } from '../http/authenticate.js';
import { parseZodInput } from '../http/parse-zod-input.js';
import { documentBodies } from '../http/route-docs.js';
import { accessIn, authorize, type Access } from '../kernel/access.js';
import {
  createTopicSchema,
  listTopicsQuery,
  realmQuery,
  registeredTopicName,
  registerSchemaSchema,
  updateTopicSchema,
  validatePayloadSchema,
  versionParam,
} from './registry-schemas.js';
import type { TopicRegistry } from './topic-registry.js';

/**
 * `/api/topics` and `/api/schemas/:topic`: the realm's topic and schema registry. Writing needs the
 * realm's `admin` role; reading a topic's entry and schemas needs `R` on the topic (what
 * subscribing to it needs), and the list answers the topics the caller may read.
 *
 * - `POST /topics` `{ name, description?, owner? }` → 201; `GET /topics?limit&after`; `GET /topics/:name`
 * - `PATCH /topics/:name` `{ description?, owner?, activeSchemaVersion? }` (`null` stops validating); `DELETE /topics/:name` → 204
 * - `POST /schemas/:topic` `{ schema, compatibilityMode? }` → 201 with the new `version`; `GET /schemas/:topic`;
 *   `GET /schemas/:topic/latest`; `GET /schemas/:topic/:version`
 * - `POST /schemas/:topic/validate` `{ payload, version? }` → `{ valid, version, errors }`
 *
 * @example
 * app.use('/api', registryRoutes(registry));
 */
export function registryRoutes(registry: TopicRegistry): Router {
  const router = Router();

  router.post('/topics', requireAuth, async (req, res) => {
    const { realm: given, ...input } = parseZodInput(createTopicSchema, req.body ?? {}, 'topic');
    const { realm } = await gate(req, res, given, 'admin');
    const topic = await registry.createTopic(realm, input);
    res.status(201).location(`${req.baseUrl}/topics/${topic.name}`).json(topic);
  });

  router.get('/topics', requireAuth, async (req, res) => {
    const { realm: given, ...page } = parseZodInput(listTopicsQuery, req.query, 'query');
    const { realm, access } = await gate(req, res, given);
    const listed = await registry.listTopics(realm, page);
    res.json({ ...listed, items: listed.items.filter((topic) => access.can(topicResource(topic.name), 'R')) });
  });

  router.get('/topics/:name', requireAuth, async (req, res) => {
    const name = topicName(req.params.name);
    const { realm } = await gate(req, res, parseZodInput(realmQuery, req.query, 'query').realm, name);
    res.json(await registry.getTopic(realm, name));
  });

  router.patch('/topics/:name', requireAuth, async (req, res) => {
    const name = topicName(req.params.name);
    const { realm: given, ...input } = parseZodInput(updateTopicSchema, req.body ?? {}, 'topic update');
    const { realm } = await gate(req, res, given, 'admin');
    res.json(await registry.updateTopic(realm, name, input));
  });

  router.delete('/topics/:name', requireAuth, async (req, res) => {
    const name = topicName(req.params.name);
    const { realm } = await gate(req, res, parseZodInput(realmQuery, req.query, 'query').realm, 'admin');
    await registry.deleteTopic(realm, name);
    res.status(204).end();
  });

  router.post('/schemas/:topic', requireAuth, async (req, res) => {
    const topic = topicName(req.params.topic);
    const { realm: given, schema, compatibilityMode } = parseZodInput(registerSchemaSchema, req.body ?? {}, 'schema');
    const { realm } = await gate(req, res, given, 'admin');
    const version = await registry.registerSchema(realm, topic, schema, compatibilityMode);
    res.status(201).location(`${req.baseUrl}/schemas/${topic}/${version.version}`).json(version);
  });

  router.get('/schemas/:topic', requireAuth, async (req, res) => {
    const topic = topicName(req.params.topic);
    const { realm } = await gate(req, res, parseZodInput(realmQuery, req.query, 'query').realm, topic);
    res.json({ items: await registry.listSchemas(realm, topic) });
  });

  router.post('/schemas/:topic/validate', requireAuth, async (req, res) => {
    const topic = topicName(req.params.topic);
    const { realm: given, payload, version } = parseZodInput(validatePayloadSchema, req.body ?? {}, 'request');
    const { realm } = await gate(req, res, given, topic);
    res.json(await registry.validate(realm, topic, payload, version));
  });

  router.get('/schemas/:topic/:version', requireAuth, async (req, res) => {
    const topic = topicName(req.params.topic);
    const version = parseZodInput(versionParam, req.params.version, 'version');
    const { realm } = await gate(req, res, parseZodInput(realmQuery, req.query, 'query').realm, topic);
    res.json(await registry.getSchema(realm, topic, version));
  });

  documentBodies(router, {
    'POST /topics': createTopicSchema,
    'PATCH /topics/:name': updateTopicSchema,
    'POST /schemas/:topic': registerSchemaSchema,
    'POST /schemas/:topic/validate': validatePayloadSchema,
  });
  return router;
}

/**
 * The realm of the call and the caller's access there, after the permission gate: `admin` for
 * writes, `R` on the topic to read its entry, nothing more to list.
 */
async function gate(req: Request, res: Response, given: string | undefined, need?: 'admin' | string): Promise<{ realm: string; access: Access }> {
  const principal = principalOf(res);
  const realm = resolveRealm(principal, requestedRealm(req, given));
  const access = accessIn(principal, realm);
  if (need === 'admin') await authorize(access, ['admin']);
  else if (need !== undefined) await authorize(access, [{ resource: topicResource(need), right: 'R' }]);
  return { realm, access };
}

function topicName(value: unknown): string {
  return parseZodInput(registeredTopicName, value, 'topic');
}
