import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyBody, createTestApi, type TestApi } from './helpers.js';

/** An OpenAPI path item, loosely typed for assertions. */
type AnyOps = Record<string, AnyBody>;

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi('openapi');
});
afterAll(async () => {
  await api.close();
});

describe('the OpenAPI document', () => {
  it('describes every route from the schemas that validate them', async () => {
    const doc = await (await api.call('GET', '/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(operations).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'POST /api/jobs',
        'GET /api/jobs',
        'DELETE /api/jobs',
        'GET /api/retention',
        'POST /api/jobs/batch',
        'GET /api/jobs/{id}',
        'DELETE /api/jobs/{id}',
        'POST /api/jobs/{id}/cancel',
        'POST /api/jobs/{id}/retry',
        'POST /api/jobs/actions',
        'GET /api/stats',
        'GET /api/queues',
        'POST /api/queues/{name}/pause',
        'POST /api/queues/{name}/resume',
        'PATCH /api/queues/{name}',
        'GET /api/handlers',
        'GET /api/logs/jobs',
        'GET /api/logs/errors',
        'GET /api/events',
        'GET /api/schedules',
        'POST /api/schedules',
        'GET /api/schedules/{name}',
        'PUT /api/schedules/{name}',
        'DELETE /api/schedules/{name}',
        'POST /api/schedules/{name}/pause',
        'POST /api/schedules/{name}/resume',
        'POST /api/schedules/{name}/trigger',
        'POST /api/flows',
        'GET /api/jobs/{id}/flow',
      ].sort(),
    );
    const enqueue = doc.components.schemas.EnqueueRequest;
    expect(enqueue.additionalProperties).toBe(false);
    expect(enqueue.required).toEqual(['handler', 'method']);
    expect(enqueue.properties.priority).toMatchObject({ minimum: -1_000_000, maximum: 1_000_000 });
  });

  it('declares the bearer scheme as used, an operationId on each operation, servers and a license', async () => {
    const doc = await (await api.call('GET', '/openapi.json')).json();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.info.license).toEqual({ name: 'UNLICENSED' });
    const ids: string[] = [];
    for (const [path, item] of Object.entries(doc.paths as Record<string, AnyOps>)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
        ids.push(op.operationId);
        const statuses = Object.keys(op.responses);
        if (path === '/healthz') {
          // Open: no token, any Host.
          expect(op.security, where).toEqual([]);
          expect(
            statuses.filter((s) => s.startsWith('4')),
            where,
          ).toEqual([]);
          continue;
        }
        expect(op.security, where).toBeUndefined();
        expect(statuses, where).toContain('401');
        expect(statuses, where).toContain('421');
        if (method === 'get') expect(statuses, where).not.toContain('403');
        else expect(statuses, where).toContain('403');
        expect(op.responses['421'].content['application/json'].schema).toEqual({
          $ref: '#/components/schemas/Error',
        });
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/api/jobs/{id}'].get.operationId).toBe('getJob');
  });

  it('renders the docs page without loading anything from elsewhere', async () => {
    const res = await api.call('GET', '/docs');
    const html = await res.text();
    expect(html).toContain('<h1>Background jobs API');
    expect(html).toContain('EnqueueRequest');
    expect(html).not.toMatch(/\bsrc=|https?:\/\/(?!json-schema\.org)/);
  });
});
