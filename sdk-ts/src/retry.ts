// The HTTP layer under the generated client: a fetch that retries (backoff with jitter, Retry-After, one
// Idempotency-Key per POST for all its attempts) and refreshes the token on a 401 when a provider gives it.

import { retryAfterSeconds } from './errors.ts';

export const IDEMPOTENCY_KEY = 'Idempotency-Key';
/** A 409 of this type: a request with the same Idempotency-Key is still being processed (retry later). */
export const IN_FLIGHT = 'urn:shop:problem:idempotent-request-in-flight';

/**
 * When and how long to retry. `maxAttempts` counts the first one (1 turns retries off). Between attempts the
 * wait is "full jitter" exponential backoff, a random time up to min(maxBackoff, initialBackoff * 2^retry)
 * seconds, or the answer's Retry-After when that is longer (capped at maxRetryAfter).
 *
 * Retried: 429 (nothing was done, says the contract), 502, 503, 504, a 409 in-flight, and network errors
 * (fetch's TypeError). Every method is retried: a POST carries one Idempotency-Key on all its attempts, so
 * the server answers a retry with the first attempt's answer instead of placing a second order.
 */
export interface RetryPolicy {
  maxAttempts: number;
  initialBackoff: number;
  maxBackoff: number;
  maxRetryAfter: number;
  statuses: ReadonlySet<number>;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 4,
  initialBackoff: 0.5,
  maxBackoff: 20,
  maxRetryAfter: 60,
  statuses: new Set([429, 502, 503, 504]),
};

/** A fresh key: 32 hex digits, within the contract's `^[A-Za-z0-9_-]+$`, 8..128 characters. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

export interface FetchOptions {
  policy: RetryPolicy;
  /** Asked for a new token when an answer is 401; the request is then sent once more with it. */
  refreshToken?: (stale: string | undefined) => Promise<string>;
  fetch: typeof fetch;
  /** Each attempt's time limit in milliseconds (a timed-out attempt is retried). */
  timeoutMs?: number;
  sleep: (seconds: number) => Promise<void>;
  random: () => number;
}

const sleep = (seconds: number) => new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));

async function inFlight(response: Response): Promise<boolean> {
  if (response.status !== 409) return false;
  try {
    return (await response.clone().json())?.type === IN_FLIGHT;
  } catch {
    return false;
  }
}

/** fetch's own network failure (TypeError "fetch failed") or an attempt's timeout, not the caller's abort. */
function transient(error: unknown, request: Request): boolean {
  if (request.signal.aborted) return false;
  return error instanceof TypeError || (error instanceof DOMException && error.name === 'TimeoutError');
}

/** A fetch (for the generated client's `fetch` option, which calls it with a Request) that retries. */
export function retryingFetch(options: Partial<FetchOptions> = {}): typeof fetch {
  const policy = options.policy ?? DEFAULT_RETRY;
  const send = options.fetch ?? globalThis.fetch;
  const wait = options.sleep ?? sleep;
  const random = options.random ?? Math.random;
  const backoff = (retry: number) =>
    random() * Math.min(policy.maxBackoff, policy.initialBackoff * 2 ** retry);

  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    // One key for every attempt of this POST (a key the caller gave is kept as it is).
    if (request.method === 'POST' && !request.headers.has(IDEMPOTENCY_KEY)) {
      request.headers.set(IDEMPOTENCY_KEY, newIdempotencyKey());
    }
    let refreshed = false;
    for (let retry = 0; ; retry++) {
      const last = retry + 1 >= policy.maxAttempts;
      let response: Response;
      try {
        const attempt = request.clone();
        response = await send(
          options.timeoutMs === undefined
            ? attempt
            : new Request(attempt, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(options.timeoutMs)]) }),
        );
      } catch (error) {
        if (last || !transient(error, request)) throw error;
        await wait(backoff(retry));
        continue;
      }
      if (response.status === 401 && options.refreshToken && !refreshed) {
        refreshed = true;
        const stale = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '');
        request.headers.set('Authorization', `Bearer ${await options.refreshToken(stale)}`);
        retry--; // a new token is not a retry
        continue;
      }
      if (last || !(policy.statuses.has(response.status) || (await inFlight(response)))) {
        return response;
      }
      let delay = backoff(retry);
      const after = retryAfterSeconds(response.headers);
      if (after !== undefined) delay = Math.max(delay, Math.min(after, policy.maxRetryAfter));
      await response.body?.cancel();
      await wait(delay);
    }
  };
}
