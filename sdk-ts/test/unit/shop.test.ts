// The hand-written layer over fake fetches (no I/O): typed errors, retries with one Idempotency-Key per POST
// and Retry-After, the token provider, paginators, the waiter, and answers the generated types cannot read.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  APIConnectionError,
  Conflict,
  IdempotencyKeyReused,
  NotFound,
  PreconditionFailed,
  ServerError,
  Shop,
  Throttled,
  UnexpectedResponse,
  ValidationError,
  WaitTimeout,
  errorFromResponse,
  retryAfterSeconds,
  type ShopOptions,
} from '../../src/index.ts';

const CLIENT_ID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
const ORDER_ID = '01BX5ZZKBKACTAV9WEVGEMMVRZ';
const NOW = '2026-12-03T10:00:00Z';

type Answer = Response | Error;

/** A fake API: answers in order, recording each request (with its body read). */
function server(...answers: Answer[]) {
  const requests: { method: string; url: string; headers: Headers; body: string }[] = [];
  const fetch: typeof globalThis.fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    requests.push({ method: request.method, url: request.url, headers: request.headers, body: await request.text() });
    const answer = answers.shift();
    if (answer === undefined) throw new Error('no more answers');
    if (answer instanceof Error) throw answer;
    return answer;
  }) as typeof globalThis.fetch;
  return { fetch, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const problem = (status: number, type: string, detail: string, extra: Record<string, unknown> = {}, headers = {}) =>
  new Response(JSON.stringify({ type, title: 'T', status, detail, ...extra }), {
    status,
    headers: { 'content-type': 'application/problem+json', 'x-correlation-id': 'corr-1', ...headers },
  });

const order = (status: string, extra: Record<string, unknown> = {}) => ({
  orderId: ORDER_ID,
  clientId: CLIENT_ID,
  status,
  items: [{ sku: 'W-1', description: 'Widget', quantity: 1, unitPrice: 100 }],
  total: 100,
  currency: 'USD',
  createdAt: NOW,
  updatedAt: NOW,
  ...extra,
});

const client = { clientId: CLIENT_ID, name: 'A', email: 'a@b.example', creditLimit: 1, currency: 'USD', createdAt: NOW, updatedAt: NOW };

function shopOn(fetch: typeof globalThis.fetch, options: Partial<ShopOptions> = {}) {
  const waits: number[] = [];
  const shop = new Shop({
    baseUrl: 'http://api.test/',
    token: 't0',
    fetch,
    sleep: async (seconds) => void waits.push(seconds),
    ...options,
  });
  return { shop, waits };
}

describe('typed errors', () => {
  test('each problem status is its error class, with status, type, detail and correlation id', () => {
    const cases: [number, new (...args: any[]) => Error][] = [
      [404, NotFound],
      [409, Conflict],
      [412, PreconditionFailed],
      [422, IdempotencyKeyReused],
      [429, Throttled],
      [500, ServerError],
    ];
    for (const [status, Kind] of cases) {
      const error = errorFromResponse(problem(status, `urn:shop:problem:x${status}`, 'why'), {
        type: `urn:shop:problem:x${status}`,
        title: 'T',
        status,
        detail: 'why',
      });
      assert.ok(error instanceof Kind, `${status} is ${Kind.name}`);
      assert.deepEqual([error.status, error.type, error.detail, error.correlationId, error.code], [
        status,
        `urn:shop:problem:x${status}`,
        'why',
        'corr-1',
        `x${status}`,
      ]);
    }
  });

  test('a 400 is a ValidationError with its field-level errors, named in its message', () => {
    const body = {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'invalid',
      errors: [{ in: 'body', pointer: '/items/0/quantity', detail: 'must be at least 1' }, { nonsense: true }],
    };
    const error = errorFromResponse(problem(400, 'about:blank', 'invalid'), body);
    assert.ok(error instanceof ValidationError);
    assert.deepEqual(error.errors, [body.errors[0]]);
    assert.match(error.message, /body \/items\/0\/quantity: must be at least 1/);
  });

  test('a problem without a JSON body still gets its class from the status', () => {
    const error = errorFromResponse(new Response('oops', { status: 404, statusText: 'Not Found' }), 'oops');
    assert.ok(error instanceof NotFound);
    assert.deepEqual([error.type, error.title], ['about:blank', 'Not Found']);
  });

  test('Retry-After is read as seconds or as an HTTP date', () => {
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': '3' })), 3);
    const now = Date.parse('2026-12-03T10:00:00Z');
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': 'Thu, 03 Dec 2026 10:00:05 GMT' }), now), 5);
    assert.equal(retryAfterSeconds(new Headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(retryAfterSeconds(new Headers()), undefined);
  });
});

describe('retries', () => {
  test('a throttled POST is retried after Retry-After with the same Idempotency-Key', async () => {
    const again = server(problem(429, 'about:blank', 'busy', {}, { 'retry-after': '2' }), json(202, order('PENDING')));
    const { shop, waits } = shopOn(again.fetch);
    const placed = await shop.orders.create(CLIENT_ID, { items: order('PENDING').items });
    assert.equal(placed.status, 'PENDING');
    assert.equal(again.requests.length, 2);
    const keys = again.requests.map((r) => r.headers.get('idempotency-key'));
    assert.match(keys[0]!, /^[0-9a-f]{32}$/);
    assert.equal(keys[0], keys[1]);
    assert.equal(again.requests[1].body, again.requests[0].body, 'the retry sends the same body');
    assert.equal(waits.length, 1);
    assert.ok(waits[0] >= 2, `waited ${waits[0]} s, at least Retry-After`);
  });

  test('each POST gets its own key; a key the caller gives is kept', async () => {
    const { fetch, requests } = server(json(201, client), json(201, client));
    const { shop } = shopOn(fetch);
    await shop.clients.create({ name: 'A', email: 'a@b.example' });
    await shop.clients.create({ name: 'A', email: 'a@b.example' }, { idempotencyKey: 'my-own-key-1' });
    assert.notEqual(requests[0].headers.get('idempotency-key'), null);
    assert.equal(requests[1].headers.get('idempotency-key'), 'my-own-key-1');
  });

  test('502, 503, 504, an in-flight 409 and network errors are retried; a GET carries no key', async () => {
    const { fetch, requests } = server(
      problem(502, 'about:blank', 'x'),
      new TypeError('fetch failed'),
      problem(409, 'urn:shop:problem:idempotent-request-in-flight', 'still running'),
      json(200, order('APPROVED')),
    );
    const { shop, waits } = shopOn(fetch, { retry: { maxAttempts: 5 } });
    assert.equal((await shop.orders.get(CLIENT_ID, ORDER_ID)).status, 'APPROVED');
    assert.equal(requests.length, 4);
    assert.equal(waits.length, 3);
    assert.equal(requests[0].headers.get('idempotency-key'), null);
    assert.equal(requests[0].headers.get('authorization'), 'Bearer t0');
  });

  test('a 500 and another 409 are not retried', async () => {
    for (const [answer, Kind] of [
      [problem(500, 'about:blank', 'x'), ServerError],
      [problem(409, 'urn:shop:problem:email-taken', 'taken'), Conflict],
    ] as const) {
      const { fetch, requests } = server(answer);
      const { shop } = shopOn(fetch);
      await assert.rejects(shop.clients.create({ name: 'A', email: 'a@b.example' }), Kind);
      assert.equal(requests.length, 1);
    }
  });

  test('after the last attempt the throttle is a Throttled error with retryAfter', async () => {
    const busy = () => problem(429, 'about:blank', 'busy', {}, { 'retry-after': '1' });
    const { fetch, requests } = server(busy(), busy());
    const { shop } = shopOn(fetch, { retry: { maxAttempts: 2 } });
    const error = await shop.orders.get(CLIENT_ID, ORDER_ID).catch((e: unknown) => e);
    assert.ok(error instanceof Throttled);
    assert.equal(error.retryAfter, 1);
    assert.equal(requests.length, 2);
  });

  test("an attempt past its time limit is retried; the caller's own abort is not", async () => {
    const slow = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const { fetch, requests } = server(slow(), json(200, order('PENDING')));
    const { shop } = shopOn(fetch, { timeoutMs: 5 });
    assert.equal((await shop.orders.get(CLIENT_ID, ORDER_ID)).status, 'PENDING');
    assert.equal(requests.length, 2);

    const aborted = server(new DOMException('This operation was aborted', 'AbortError'), json(201, client));
    const { shop: other } = shopOn(aborted.fetch);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(other.clients.create({ name: 'A', email: 'a@b.example' }, { signal: controller.signal }));
    assert.equal(aborted.requests.length, 1, 'an aborted call is not retried');
  });

  test('no answer at all is an APIConnectionError after the retries', async () => {
    const { fetch, requests } = server(new TypeError('fetch failed'), new TypeError('fetch failed'));
    const { shop } = shopOn(fetch, { retry: { maxAttempts: 2 } });
    await assert.rejects(shop.orders.get(CLIENT_ID, ORDER_ID), APIConnectionError);
    assert.equal(requests.length, 2);
  });
});

describe('the token provider', () => {
  test('is asked on first use and again on a 401, which is then sent once more', async () => {
    const tokens = ['first', 'second'];
    const { fetch, requests } = server(problem(401, 'about:blank', 'expired'), json(200, order('PENDING')));
    const { shop } = shopOn(fetch, { token: undefined, tokenProvider: async () => tokens.shift()! });
    await shop.orders.get(CLIENT_ID, ORDER_ID);
    assert.deepEqual(
      requests.map((r) => r.headers.get('authorization')),
      ['Bearer first', 'Bearer second'],
    );
  });

  test('replace sends If-Match and returns the new ETag; health needs no token', async () => {
    const { fetch, requests } = server(
      json(200, client, { etag: '"2"' }),
      json(200, { status: 'ok' }),
    );
    const { shop } = shopOn(fetch);
    const { etag } = await shop.clients.replace(CLIENT_ID, { name: 'A', email: 'a@b.example' }, { ifMatch: '"1"' });
    assert.equal(etag, '"2"');
    assert.equal(requests[0].method, 'PUT');
    assert.equal(requests[0].headers.get('if-match'), '"1"');
    assert.deepEqual(await shop.health(), { status: 'ok' });
    assert.equal(requests[1].headers.get('authorization'), null);
  });

  test('a token or a provider, not both nor neither', () => {
    assert.throws(() => new Shop({ baseUrl: 'http://x' }), TypeError);
    assert.throws(() => new Shop({ baseUrl: 'http://x', token: 'a', tokenProvider: () => 'b' }), TypeError);
  });
});

describe('paginators and the waiter', () => {
  test('a listing yields every item across cursors', async () => {
    const { fetch, requests } = server(
      json(200, { items: [order('INVOICED', { orderId: '01BX5ZZKBKACTAV9WEVGEMMVS0' })], nextCursor: 'abc' }),
      json(200, { items: [order('INVOICED')], nextCursor: null }),
    );
    const { shop } = shopOn(fetch);
    const seen = [];
    for await (const each of shop.orders.list(CLIENT_ID, { status: 'INVOICED', pageSize: 1 })) seen.push(each.orderId);
    assert.deepEqual(seen, ['01BX5ZZKBKACTAV9WEVGEMMVS0', ORDER_ID]);
    const queries = requests.map((r) => new URL(r.url).searchParams);
    assert.deepEqual([queries[0].get('status'), queries[0].get('limit'), queries[0].get('cursor')], ['INVOICED', '1', null]);
    assert.equal(queries[1].get('cursor'), 'abc');
  });

  test('wait polls until the order is terminal', async () => {
    const { fetch } = server(json(200, order('PENDING')), json(200, order('APPROVED')), json(200, order('REJECTED', { rejectionReason: 'credit_limit_exceeded' })));
    const { shop, waits } = shopOn(fetch);
    assert.equal((await shop.orders.wait(CLIENT_ID, ORDER_ID, { intervalSeconds: 0.1 })).status, 'REJECTED');
    assert.deepEqual(waits, [0.1, 0.1]);
  });

  test('wait gives up with WaitTimeout holding the last state', async () => {
    const { fetch } = server(json(200, order('PENDING')));
    const { shop } = shopOn(fetch);
    const error = await shop.orders.wait(CLIENT_ID, ORDER_ID, { timeoutSeconds: 0 }).catch((e: unknown) => e);
    assert.ok(error instanceof WaitTimeout);
    assert.equal(error.order.status, 'PENDING');
  });
});

describe('answers the generated types cannot read', () => {
  test('a success body that fails the generated schema is an UnexpectedResponse', async () => {
    const { fetch } = server(json(200, order('PENDING', { total: 'a lot' })));
    const { shop } = shopOn(fetch);
    const error = await shop.orders.get(CLIENT_ID, ORDER_ID).catch((e: unknown) => e);
    assert.ok(error instanceof UnexpectedResponse, String(error));
    assert.equal(error.status, 200);
  });
});
