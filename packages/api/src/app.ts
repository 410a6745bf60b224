import {
  type ClientDefaults,
  createClient,
  type DependencyPolicy,
  type HandlerRegistry,
  type JobStatsStore,
  type JobStore,
  resolveClientDefaults,
  type ScheduleStore,
} from '@jobs/core';
import { bodyLimit } from 'hono/body-limit';
import { allowedMethods } from './allowed-methods.js';
import { bearerAuth } from './auth.js';
import type { Deps, EventSource } from './deps.js';
import { DOCS_CSP, renderDocsPage } from './docs/page.js';
import { answerFor, errorBody } from './errors.js';
import { createEventHub } from './events/hub.js';
import { createChangeLog, type JobLogSink } from './job-log.js';
import { type LogFileOptions, resolveLogFiles } from './logs/paths.js';
import { createMetrics, type MetricsOptions } from './metrics/collector.js';
import { requestMetrics } from './metrics/http-metrics.js';
import { allowedHost } from './middleware/allowed-host/index.js';
import { hardening } from './middleware/hardening/index.js';
import { sameOrigin } from './middleware/same-origin/index.js';
import { requestTracing } from './middleware/tracing/index.js';
import { completeDocument, type OpenApiDocument } from './openapi/document.js';
import { createRouter } from './router.js';
import { eventRoutes } from './routes/events.js';
import { flowRoutes } from './routes/flows.js';
import { handlerRoutes } from './routes/handlers.js';
import { jobRoutes } from './routes/jobs.js';
import { logRoutes } from './routes/logs.js';
import { queueLimitRoutes } from './routes/queue-limits.js';
import { retentionRoutes } from './routes/retention.js';
import { scheduleRoutes } from './routes/schedules.js';
import { statsRoutes } from './routes/stats.js';
import { systemRoutes } from './routes/system.js';

/** Settings of `createApp`. */
export interface AppOptions {
  /** Where jobs live; the PostgreSQL store implements both ports. */
  readonly store: JobStore & JobStatsStore;
  /** Where schedules live (default: `store` when it keeps them, as the PostgreSQL store does). */
  readonly schedules?: ScheduleStore;
  /** The allow-list: only its handlers' methods can be enqueued. */
  readonly handlers: HandlerRegistry<unknown>;
  /** The job log and the error log (default: the worker's settings, see `resolveLogFiles`). */
  readonly logFiles?: LogFileOptions;
  /**
   * Where to append a job-log line for each job this API cancels, retries or deletes (the
   * worker's format, `worker="<name>"`); default none. `jobs serve` and `jobs start` pass the
   * job log file.
   */
  readonly jobLog?: JobLogSink;
  /** Bearer token every route but /healthz requires; default JOBS_API_TOKEN; '' or null: none. */
  readonly token?: string | null;
  /** Where job changes come from (default `store.eventListen`, which hears every process). */
  readonly events?: EventSource;
  /** Largest request body in bytes (default 2 MiB: a job's params may take 1 MiB). */
  readonly bodyLimitBytes?: number;
  /** Milliseconds between heartbeat comments on the event stream (default 15 s). */
  readonly heartbeatMs?: number;
  /** Settings of /metrics. */
  readonly metrics?: MetricsOptions;
  /** Told about every unexpected error (a bug: answered 500); default console.error. */
  readonly onError?: (error: unknown) => void;
  /** Defaults for jobs enqueued without them (queue, priority, retries, backoff), e.g. MAX_RETRIES. */
  readonly defaults?: Partial<ClientDefaults>;
  /** What a dependent does when a dependency fails, unless the request says (default cancel). */
  readonly dependencyPolicy?: DependencyPolicy;
  /**
   * Host names (or `name:port`) answered beyond loopback; `*` answers any. Default:
   * JOBS_ALLOWED_HOSTS, comma separated. Loopback names always pass; /healthz passes any Host.
   */
  readonly allowedHosts?: readonly string[];
  /**
   * Origins (`https://admin.example.com`) besides this server's own that may send POST, PUT,
   * PATCH and DELETE. Default: JOBS_ALLOWED_ORIGINS, comma separated.
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * The environment to read JOBS_API_TOKEN, JOBS_ALLOWED_HOSTS, JOBS_ALLOWED_ORIGINS and the
   * log settings from (default process.env).
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Default largest request body: 2 MiB. */
export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;

/** The token of each app made by `createApp` (null: none); read by `serve`. */
const appTokens = new WeakMap<object, string | null>();

/** Remembers the token an app requires, for `serve` (apps of this package only). */
export function rememberAppToken(app: object, token: string | null): void {
  appTokens.set(app, token);
}

/** True when `app` was made by `createApp` with a token. */
export function appRequiresToken(app: object): boolean {
  return (appTokens.get(app) ?? null) !== null;
}

/** The token `app` (made by `createApp`) requires; null when none or not such an app. */
export function appToken(app: object): string | null {
  return appTokens.get(app) ?? null;
}

/** A comma-separated list as its trimmed, non-empty entries. */
export function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

/**
 * The HTTP API: REST under /api, SSE, /metrics, /healthz, /readyz, /openapi.json and /docs.
 * Every answer carries hardening headers and `Cache-Control: no-store`; a request whose Host
 * is not allowed gets 421, a state-changing one from another site 403, then the token is
 * checked. Throws a TypeError when an allowed host or origin is malformed.
 */
export function createApp(options: AppOptions) {
  const env = options.env ?? process.env;
  const token = (options.token === undefined ? env.JOBS_API_TOKEN : options.token) || null;
  const report = options.onError ?? ((error: unknown) => console.error('[jobs api]', error));
  const deps: Deps = {
    store: options.store,
    registry: options.handlers,
    client: createClient(options.store, options.handlers, {
      ...(options.defaults === undefined ? {} : { defaults: options.defaults }),
      ...(options.dependencyPolicy === undefined
        ? {}
        : { dependencyPolicy: options.dependencyPolicy }),
    }),
    hub: createEventHub(options.events ?? ((listener) => options.store.eventListen(listener))),
    metrics: createMetrics(options.store, options.metrics),
    logFiles: resolveLogFiles(options.logFiles, env),
    changeLog: createChangeLog(options.jobLog),
    heartbeatMs: options.heartbeatMs ?? 15_000,
  };
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;

  const base = createRouter();
  base.onError((error, c) => {
    const answer = answerFor(error);
    if (answer !== null) return c.json(answer.body, answer.status);
    report(error);
    return c.json(errorBody('internal_error', 'the server failed; the error was logged'), 500);
  });
  base.notFound((c) => {
    // A known path asked with another method: 405 naming the methods it answers.
    const allow = allowedMethods(withDocs.routes, c.req.path);
    if (allow.length > 0) {
      c.header('Allow', allow.join(', '));
      return c.json(
        errorBody(
          'method_not_allowed',
          `${c.req.method} is not allowed on ${c.req.path}: use ${allow.join(' or ')}`,
        ),
        405,
      );
    }
    return c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
  });
  base.use('*', requestTracing());
  base.use('*', requestMetrics(deps.metrics.registry));
  base.use('*', hardening({ cacheControl: 'no-store' }));
  base.use('*', allowedHost({ hosts: options.allowedHosts ?? splitList(env.JOBS_ALLOWED_HOSTS) }));
  base.use(
    '*',
    sameOrigin({ origins: options.allowedOrigins ?? splitList(env.JOBS_ALLOWED_ORIGINS) }),
  );
  if (token !== null) base.use('*', bearerAuth(token));
  base.use(
    '/api/*',
    bodyLimit({
      maxSize: limit,
      onError: (c) =>
        c.json(
          errorBody('payload_too_large', `the body is larger than ${limit} bytes`, 'body'),
          413,
        ),
    }),
  );
  base.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'The token in JOBS_API_TOKEN, as `Authorization: Bearer <token>`. A server started ' +
      'without one listens on loopback only and ignores the header.',
  });

  const app = base
    .route('/', systemRoutes(deps))
    .route('/api', jobRoutes(deps))
    .route('/api', flowRoutes(deps))
    .route('/api', statsRoutes(deps))
    .route('/api', queueLimitRoutes(deps))
    .route('/api', handlerRoutes(deps))
    .route('/api', logRoutes(deps))
    .route('/api', eventRoutes(deps))
    .route(
      '/api',
      scheduleRoutes({
        schedules: options.schedules ?? (isScheduleStore(options.store) ? options.store : null),
        registry: options.handlers,
        defaults: resolveClientDefaults(options.defaults),
      }),
    )
    .route('/api', retentionRoutes(deps));

  let document: OpenApiDocument | undefined;
  const openApi = () => {
    document ??= completeDocument(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: {
          title: 'Background jobs API',
          version: '0.1.0',
          description:
            'Enqueue, list, steer and watch background jobs. Errors answer {error: {code, message, field?}}. ' +
            'A known path asked with a method it does not answer gets 405 with an Allow header.',
          license: { name: 'UNLICENSED' },
        },
        servers: [{ url: '/', description: 'The server that serves this document' }],
        security: [{ bearerAuth: [] }],
      }) as unknown as OpenApiDocument,
    );
    return document;
  };
  const withDocs = app
    .get('/openapi.json', (c) => c.json(openApi()))
    .get('/docs', (c) => {
      c.header('Content-Security-Policy', DOCS_CSP);
      return c.html(renderDocsPage(openApi()));
    });
  rememberAppToken(withDocs, token);
  return withDocs;
}

/** True when `store` also keeps schedules (the PostgreSQL store does). */
function isScheduleStore(store: object): store is ScheduleStore {
  return typeof (store as Partial<ScheduleStore>).scheduleFire === 'function';
}

/** The app's type, for `hc<AppType>` (see `createApiClient`). */
export type AppType = ReturnType<typeof createApp>;
