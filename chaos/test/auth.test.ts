import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ScenarioDb, scenarioDb } from '../src/fixture.js';
import { Processes } from '../src/processes.js';
import { figure } from '../src/scale.js';

const TOKEN = 'chaos-secret-token-0123456789abcdef0123456789';

/** Every path of the OpenAPI document with its methods, ids filled in. */
async function routes(api: string): Promise<[string, string][]> {
  const response = await fetch(`${api}/openapi.json`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
  const out: [string, string][] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const method of Object.keys(methods)) {
      out.push([method.toUpperCase(), path.replace(/\{[^}]+\}/g, '1')]);
    }
  }
  const extra: [string, string][] = [
    ['GET', '/metrics'],
    ['GET', '/readyz'],
    ['GET', '/docs'],
    ['GET', '/openapi.json'],
  ];
  // Every route once, except /healthz, which stays open on purpose.
  const keys = new Set<string>();
  return [...out, ...extra].filter(([method, path]) => {
    const key = `${method} ${path}`;
    if (path === '/healthz' || keys.has(key)) return false;
    keys.add(key);
    return true;
  });
}

describe('auth with JOBS_API_TOKEN set', () => {
  const processes = new Processes();
  let db: ScenarioDb;
  let api = '';

  beforeAll(async () => {
    db = await scenarioDb('auth');
    api = (await processes.api({ url: db.url, schema: db.schema, env: { JOBS_API_TOKEN: TOKEN } }))
      .url;
  });
  afterAll(async () => {
    processes.killAll();
    await db.close();
  });

  it('refuses every route but /healthz without the right token', async () => {
    const all = await routes(api);
    expect(all.length).toBeGreaterThan(10);
    const wrong = [
      undefined,
      '',
      'Bearer',
      'Bearer wrong',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(1)}`,
      `Basic ${TOKEN}`,
      TOKEN,
    ];
    let refused = 0;
    for (const [method, path] of all) {
      for (const header of wrong) {
        const response = await fetch(`${api}${path}`, {
          method,
          headers: header === undefined ? {} : { authorization: header },
          ...(method === 'GET' ? {} : { body: '{}' }),
        });
        expect(response.status, `${method} ${path} with ${header}`).toBe(401);
        await response.body?.cancel();
        refused += 1;
      }
    }
    const health = await fetch(`${api}/healthz`);
    expect(health.status).toBe(200);
    const ok = await fetch(`${api}/api/jobs`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    figure(
      'auth',
      `${all.length} routes x ${wrong.length} wrong credentials: ${refused} refused with 401; /healthz open`,
    );
  });

  it('refuses to listen beyond loopback without a token, and listens with one', async () => {
    await expect(
      processes.api({
        url: db.url,
        schema: db.schema,
        env: { HOST: '0.0.0.0', JOBS_API_TOKEN: '' },
      }),
    ).rejects.toThrow(/without a token/);
    const open = await processes.api({
      url: db.url,
      schema: db.schema,
      env: { HOST: '0.0.0.0', JOBS_API_TOKEN: TOKEN },
    });
    const port = new URL(open.url).port;
    const response = await fetch(`http://127.0.0.1:${port}/api/jobs`);
    expect(response.status).toBe(401);
    figure(
      'auth',
      'binding 0.0.0.0 without a token: refused at start; with a token: serves, 401 without it',
    );
  });
});
