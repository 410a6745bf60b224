import { type ApiClient, createApiClient } from '@jobs/api/client';
import { DetailedError } from 'hono/client';
import type { CommandContext } from '../cli/command.js';
import { CliError, EXIT, OperationError, UnreachableError, UsageError } from '../cli/errors.js';
import { findConfigFile, loadConfig } from '../config/load.js';
import { resolveSettings } from '../config/settings.js';

/** A connection to a jobs server's API. */
export interface Remote {
  readonly url: string;
  readonly client: ApiClient;
  /** Runs one API call; maps a refused connection to exit 3 and error answers to CliErrors. */
  call<T>(request: (client: ApiClient) => Promise<T>): Promise<T>;
}

/**
 * Where the API is: --url, else JOBS_URL, else the config's `api.url` or its port (the config
 * is read only when needed), else http://127.0.0.1:$PORT (3000). Token: JOBS_API_TOKEN or the config.
 */
export async function connect(context: CommandContext): Promise<Remote> {
  const given = context.values.url;
  let url = typeof given === 'string' ? given : undefined;
  let token = context.env.JOBS_API_TOKEN || undefined;
  if (url === undefined || token === undefined) {
    const configFlag =
      typeof context.values.config === 'string' ? context.values.config : undefined;
    const needConfig = configFlag !== undefined || (url === undefined && !context.env.JOBS_URL);
    const file = needConfig ? findConfigFile(configFlag, context.cwd) : undefined;
    const config = file === undefined ? undefined : (await loadConfig(file, context.cwd)).config;
    const settings = resolveSettings(config, context.env);
    url ??= settings.api.url;
    token ??= settings.api.token;
  }
  if (!/^https?:\/\/[^/]/.test(url)) {
    throw new UsageError(`--url must be an http:// or https:// address, not "${url}"`);
  }
  url = url.replace(/\/+$/, '');
  const client = createApiClient(url, token === undefined ? {} : { token });
  const target = url;
  return {
    url,
    client,
    call: async (request) => {
      try {
        return await request(client);
      } catch (error) {
        throw toCliError(error, target);
      }
    },
  };
}

/** The error body every API error answers with. */
interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly field?: string };
}

/** What the API said, as a CliError with the exit code it means. */
export function toCliError(error: unknown, url: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof DetailedError) {
    const status = Number(error.statusCode);
    const data = (error.detail as { data?: unknown } | undefined)?.data;
    const body = (typeof data === 'object' && data !== null ? data : {}) as ErrorBody;
    const message =
      body.error?.message ?? (typeof data === 'string' && data ? data : error.message);
    if (status === 401) {
      return new OperationError(`the server refused the request: ${message}`, {
        hint: 'set JOBS_API_TOKEN to the token the server was started with',
      });
    }
    if (status === 400) return new ApiRequestError(message, body.error?.field, status);
    if (status === 404 && body.error === undefined) {
      return new OperationError(`${url} answered 404: is it a jobs server?`);
    }
    return new ApiRequestError(message, body.error?.field, status);
  }
  const reason = networkReason(error);
  if (reason !== null) return new UnreachableError(url, reason, { cause: error });
  return new CliError(error instanceof Error ? error.message : String(error), EXIT.failed, {
    cause: error,
  });
}

/** An error answer of the API: its message, field and status. */
export class ApiRequestError extends CliError {
  readonly field: string | undefined;
  readonly status: number;

  constructor(message: string, field: string | undefined, status: number) {
    super(message, status === 400 ? EXIT.usage : EXIT.failed);
    this.field = field;
    this.status = status;
  }
}

/** Why a fetch failed to reach the server, or null when it was something else. */
function networkReason(error: unknown): string | null {
  if (!(error instanceof TypeError)) return null;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'timed out';
    default:
      return /fetch failed/i.test(error.message)
        ? typeof cause?.message === 'string'
          ? cause.message
          : 'fetch failed'
        : null;
  }
}
