import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandEnv, jobs } from './helpers.js';

/** Lines as a server that does not escape them (an older API, or a proxy) would answer. */
const RAW_LINES = [
  '2026-01-01T00:00:00.000Z id=1 handler="h" method="m" status=failed error="Error: x"',
  '  Error: \x1b[2J\x1b]0;pwned\x07cr\r2026-01-01T00:00:00.000Z forged\u2028ls\u0085nel\v\u202eevil',
];

describe('jobs logs prints no raw control characters', () => {
  let server: Server;
  let url = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      const ok = request.url?.startsWith('/api/logs/errors') === true;
      response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          ok
            ? { file: 'background_jobs_error.log', lines: RAW_LINES, truncated: false }
            : { error: { code: 'not_found', message: 'no such route' } },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('escapes ESC, CR, separators and bidi controls in lines from a server that sent them raw', async () => {
    const result = await jobs(['logs', '--errors', '--url', url], { env: commandEnv() });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const line of result.stdout.split('\n')) {
      expect(line).not.toMatch(/\p{Cc}|[\u2028\u2029\u202e]/u);
    }
    expect(result.stdout.split('\n')).toEqual([
      RAW_LINES[0],
      '  Error: \\u001b[2J\\u001b]0;pwned\\u0007cr\\r2026-01-01T00:00:00.000Z forged\\u2028ls\\u0085nel\\u000b\\u202eevil',
      '',
    ]);
  });
});
