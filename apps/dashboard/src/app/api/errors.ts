/** What went wrong with a call to the API, as the API's error body tells it. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** The HTTP status; 0 when the API could not be reached at all. */
  readonly status: number;
  /** The error body's stable code (`validation_error`, `unauthorized`, `network_error`...). */
  readonly code: string;
  /** The request field at fault, when the API named one (`priority`, `params.0`). */
  readonly field: string | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { field?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.field = options.field;
  }

  /** True when the API could not be reached (down, restarting, offline). */
  get isNetwork(): boolean {
    return this.status === 0;
  }

  /** Builds the error from a status and a body that may or may not be the API's error body. */
  static fromBody(status: number, body: unknown): ApiError {
    const error = (
      body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null
    )?.error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      const field = typeof error.field === 'string' ? error.field : undefined;
      return new ApiError(status, error.code, error.message, { field });
    }
    return new ApiError(status, 'http_error', `the API answered ${status}`);
  }
}

/** The message to show a person for any error. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetwork) return 'Cannot reach the API. Is the server running?';
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
