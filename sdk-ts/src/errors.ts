// The errors of the SDK: every problem answer (RFC 9457, application/problem+json) becomes the error class
// of its status, carrying the problem's status, type, title, detail and the answer's X-Correlation-Id (quote
// it when you report a problem: the shop's logs carry it). Mirrors the Python layer (sdk/shop_sdk/errors.py).
//
//   ShopError
//   ├── APIConnectionError     no answer (after the retries); `cause` is fetch's error
//   ├── UnexpectedResponse     an answer the generated types cannot read (its body failed the zod schema)
//   ├── WaitTimeout            an order did not reach a terminal state in time
//   └── APIError               an answer with a problem (any status >= 400)
//       ├── ValidationError        400, with `errors`: the field-level errors
//       ├── AuthenticationError    401
//       ├── PermissionDenied       403
//       ├── NotFound               404
//       ├── Conflict               409
//       ├── PreconditionFailed     412 (a stale If-Match)
//       ├── PayloadTooLarge        413
//       ├── UnsupportedMediaType   415
//       ├── IdempotencyKeyReused   422
//       ├── Throttled              429, with `retryAfter` (seconds)
//       └── ServerError            5xx

import type { FieldError, Order } from './generated/types.gen.ts';

export class ShopError extends Error {
  override name = 'ShopError';
}

export class APIConnectionError extends ShopError {
  override name = 'APIConnectionError';
}

export class UnexpectedResponse extends ShopError {
  override name = 'UnexpectedResponse';
  readonly status: number;
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
    this.body = body;
  }
}

export class WaitTimeout extends ShopError {
  override name = 'WaitTimeout';
  /** The last state read (not terminal). */
  readonly order: Order;
  constructor(message: string, order: Order) {
    super(message);
    this.order = order;
  }
}

export interface ProblemFields {
  status: number;
  type: string;
  title: string;
  detail?: string;
  instance?: string;
  correlationId?: string;
  headers: Headers;
  body: Record<string, unknown>;
}

export class APIError extends ShopError {
  override name = 'APIError';
  readonly status: number;
  /** The problem type's URI, e.g. `urn:shop:problem:email-taken`, or `about:blank` for API Gateway's own answers. */
  readonly type: string;
  readonly title: string;
  readonly detail?: string;
  readonly instance?: string;
  readonly correlationId?: string;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;

  constructor(problem: ProblemFields) {
    super(describe(problem));
    this.status = problem.status;
    this.type = problem.type;
    this.title = problem.title;
    this.detail = problem.detail;
    this.instance = problem.instance;
    this.correlationId = problem.correlationId;
    this.headers = problem.headers;
    this.body = problem.body;
  }

  /** The last segment of `type`: `email-taken` for `urn:shop:problem:email-taken`. */
  get code(): string {
    return this.type.split(':').pop()!.split('/').pop()!;
  }
}

function describe(problem: ProblemFields): string {
  let text = `${problem.status} ${problem.title}`.trim();
  if (problem.detail) text += `: ${problem.detail}`;
  if (problem.type !== 'about:blank') text += ` [${problem.type}]`;
  if (problem.correlationId) text += ` (correlation id ${problem.correlationId})`;
  return text;
}

export class ValidationError extends APIError {
  override name = 'ValidationError';
  /** Each violation: `in` (body, path, query, header), `name` or `pointer`, and `detail`. */
  readonly errors: FieldError[];
  constructor(problem: ProblemFields, errors: FieldError[]) {
    super(problem);
    this.errors = errors;
    for (const error of errors) {
      const where = error.in === 'body' ? error.pointer : error.name;
      this.message += `\n  ${where ? `${error.in} ${where}` : error.in}: ${error.detail}`;
    }
  }
}

export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
export class PermissionDenied extends APIError {
  override name = 'PermissionDenied';
}
export class NotFound extends APIError {
  override name = 'NotFound';
}
export class Conflict extends APIError {
  override name = 'Conflict';
}
export class PreconditionFailed extends APIError {
  override name = 'PreconditionFailed';
}
export class PayloadTooLarge extends APIError {
  override name = 'PayloadTooLarge';
}
export class UnsupportedMediaType extends APIError {
  override name = 'UnsupportedMediaType';
}
export class IdempotencyKeyReused extends APIError {
  override name = 'IdempotencyKeyReused';
}
export class ServerError extends APIError {
  override name = 'ServerError';
}

export class Throttled extends APIError {
  override name = 'Throttled';
  /** The server's Retry-After in seconds (undefined without one). */
  readonly retryAfter?: number;
  constructor(problem: ProblemFields) {
    super(problem);
    this.retryAfter = retryAfterSeconds(problem.headers);
  }
}

const BY_STATUS: Record<number, new (problem: ProblemFields) => APIError> = {
  401: AuthenticationError,
  403: PermissionDenied,
  404: NotFound,
  409: Conflict,
  412: PreconditionFailed,
  413: PayloadTooLarge,
  415: UnsupportedMediaType,
  422: IdempotencyKeyReused,
  429: Throttled,
};

/** Retry-After in seconds: the contract's integer, or an HTTP date; undefined if absent or unreadable. */
export function retryAfterSeconds(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const when = Date.parse(value);
  return Number.isNaN(when) ? undefined : Math.max(0, (when - now) / 1000);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The error for an answer with status >= 400; `body` is its parsed JSON (or text, or nothing). */
export function errorFromResponse(response: Response, body: unknown): APIError {
  const document: Record<string, unknown> =
    body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
  const problem: ProblemFields = {
    status: response.status,
    type: text(document.type) ?? 'about:blank',
    title: text(document.title) ?? response.statusText,
    detail: text(document.detail),
    instance: text(document.instance),
    correlationId: response.headers.get('x-correlation-id') ?? undefined,
    headers: response.headers,
    body: document,
  };
  if (response.status === 400) {
    const entries = Array.isArray(document.errors) ? document.errors : [];
    const errors = entries.filter(
      (entry): entry is FieldError =>
        entry !== null && typeof entry === 'object' && typeof entry.in === 'string' && typeof entry.detail === 'string',
    );
    return new ValidationError(problem, errors);
  }
  const Kind = BY_STATUS[response.status] ?? (response.status >= 500 ? ServerError : APIError);
  return new Kind(problem);
}
