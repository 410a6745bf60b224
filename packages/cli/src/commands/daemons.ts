import { type Command, DAEMON_OPTIONS } from '../cli/command.js';
import { intFlag, listFlag, stringFlag } from '../cli/parse.js';
import { noPositionals } from '../cli/positionals.js';

const LISTEN_OPTIONS = {
  port: {
    type: 'string',
    value: 'n',
    description: 'port to listen on (default PORT or 3000; 0: any free one)',
  },
  host: {
    type: 'string',
    value: 'address',
    description: 'address (default 127.0.0.1; another needs JOBS_API_TOKEN, 32 characters)',
  },
} as const;

/** What `--host` beyond loopback takes, for the help of the commands that listen. */
const LISTEN_BEYOND_LOOPBACK =
  'To listen beyond 127.0.0.1 (--host 0.0.0.0), set JOBS_API_TOKEN to a token of 32 characters or\n' +
  'more (commands and clients send it as a bearer token), and JOBS_ALLOWED_HOSTS to the names or\n' +
  'addresses clients reach it by (jobs.example.com, 10.0.0.5:3000; other Host headers get 421).\n' +
  'JOBS_ALLOWED_ORIGINS lists other sites whose pages may change jobs (others get 403).';

const WORKER_OPTIONS = {
  queues: { type: 'string', value: 'a,b', description: 'serve only these queues (default all)' },
  concurrency: { type: 'string', value: 'n', description: 'jobs run at once (default 10)' },
} as const;

const OTEL_OPTION = {
  otel: {
    type: 'boolean',
    description:
      'export OpenTelemetry traces over OTLP/HTTP (OTEL_EXPORTER_OTLP_ENDPOINT, default localhost:4318)',
  },
} as const;

const METRICS_OPTIONS = {
  'metrics-port': {
    type: 'string',
    value: 'n',
    description: 'serve Prometheus metrics at http://<host>:<n>/metrics (0: any free port)',
  },
  'metrics-host': {
    type: 'string',
    value: 'address',
    description: 'address of the metrics server (default 127.0.0.1; another needs JOBS_API_TOKEN)',
  },
} as const;

function otelFlag(values: Record<string, unknown>) {
  return { otel: values.otel === true };
}

function metricsFlags(values: Record<string, unknown>) {
  return {
    metricsPort: intFlag(values['metrics-port'], 'metrics-port', 0, 65_535),
    metricsHost: stringFlag(values['metrics-host']),
  };
}

function listenFlags(values: Record<string, unknown>) {
  return { port: intFlag(values.port, 'port', 0, 65_535), host: stringFlag(values.host) };
}

function workerFlags(values: Record<string, unknown>) {
  return {
    queues: listFlag(values.queues),
    concurrency: intFlag(values.concurrency, 'concurrency', 1, 10_000),
  };
}

export const startCommand: Command = {
  name: 'start',
  summary: 'run the API, the dashboard and a worker in one process',
  usage: 'start [options]',
  description:
    'Uses the embedded PostgreSQL in ./.jobs unless DATABASE_URL is set, migrates it, prints the\n' +
    'URL, and runs until Ctrl-C (the first one lets running jobs finish, a second exits at once).\n' +
    LISTEN_BEYOND_LOOPBACK,
  options: { ...DAEMON_OPTIONS, ...LISTEN_OPTIONS, ...WORKER_OPTIONS, ...OTEL_OPTION },
  examples: [
    ['start', 'everything, with ./jobs.config.ts, on http://127.0.0.1:3000'],
    ['start --config examples/jobs.config.ts --port 8080', 'another config and port'],
    ['start --queues default,mail --concurrency 4', 'a smaller worker'],
    ['start --otel', 'and send traces to the OTLP collector at OTEL_EXPORTER_OTLP_ENDPOINT'],
  ],
  async run(context) {
    noPositionals(context, 'start');
    const flags = {
      ...listenFlags(context.values),
      ...workerFlags(context.values),
      ...otelFlag(context.values),
    };
    const { runDaemon } = await import('../server/daemon.js');
    return runDaemon(context, { api: true, worker: true }, flags, 'start');
  },
};

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the API and the dashboard (no worker, no scheduler)',
  usage: 'serve [options]',
  description:
    'Like `jobs start` without the worker: run workers elsewhere with `jobs worker`.\n' +
    LISTEN_BEYOND_LOOPBACK,
  options: { ...DAEMON_OPTIONS, ...LISTEN_OPTIONS, ...OTEL_OPTION },
  examples: [
    ['serve', 'the API and the dashboard on http://127.0.0.1:3000'],
    [
      'serve --host 0.0.0.0',
      'on every address: needs JOBS_API_TOKEN (32+ characters) and JOBS_ALLOWED_HOSTS',
    ],
  ],
  async run(context) {
    noPositionals(context, 'serve');
    const { runDaemon } = await import('../server/daemon.js');
    const flags = { ...listenFlags(context.values), ...otelFlag(context.values) };
    return runDaemon(context, { api: true, worker: false }, flags, 'serve');
  },
};

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run a worker that claims and runs jobs',
  usage: 'worker [--queues a,b] [--concurrency n] [--metrics-port n] [options]',
  description:
    'Joins the embedded PostgreSQL of `jobs start` (or starts it) unless DATABASE_URL is set.\n' +
    'Run as many as you like, on one machine or many. Ctrl-C stops it gracefully.\n' +
    'With --metrics-port (or metrics.port in the config) it serves Prometheus metrics; beyond\n' +
    '127.0.0.1 (--metrics-host) it needs JOBS_API_TOKEN, sent as a bearer token by the scraper.',
  options: { ...DAEMON_OPTIONS, ...WORKER_OPTIONS, ...METRICS_OPTIONS, ...OTEL_OPTION },
  examples: [
    ['worker', 'every queue, 10 jobs at once'],
    ['worker --queues mail,reports --concurrency 4', 'two queues, 4 at once'],
    ['worker --metrics-port 9464', 'with metrics at http://127.0.0.1:9464/metrics'],
  ],
  async run(context) {
    noPositionals(context, 'worker');
    const flags = {
      ...workerFlags(context.values),
      ...metricsFlags(context.values),
      ...otelFlag(context.values),
    };
    const { runDaemon } = await import('../server/daemon.js');
    return runDaemon(context, { api: false, worker: true }, flags, 'worker');
  },
};

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'bring the database schema up to date',
  usage: 'migrate [options]',
  description:
    "Migrates DATABASE_URL (or the config's database), else the embedded PostgreSQL in ./.jobs.\n" +
    'Safe to run again and from several processes at once. A config file is optional here.',
  options: { ...DAEMON_OPTIONS },
  examples: [
    ['migrate', 'the embedded database, or DATABASE_URL'],
    ['migrate --config examples/jobs.config.ts', 'the database of that config'],
  ],
  async run(context) {
    noPositionals(context, 'migrate');
    const { migrateDatabase } = await import('./migrate.js');
    return migrateDatabase(context);
  },
};
