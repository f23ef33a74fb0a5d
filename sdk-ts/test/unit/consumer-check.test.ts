// The consumer-side contract check bites: a wrong type, an undeclared status, a missing required header or an
// undeclared media type is a violation; a well-formed answer is none.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contractProblems } from '../consumer-check.ts';

const ORDER_URL = '/clients/{clientId}/orders/{orderId}';
const NOW = '2026-12-03T10:00:00Z';
const ORDER = {
  orderId: '01BX5ZZKBKACTAV9WEVGEMMVRZ',
  clientId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  status: 'PENDING',
  items: [{ sku: 'W-1', description: 'Widget', quantity: 1, unitPrice: 100 }],
  total: 100,
  currency: 'USD',
  createdAt: NOW,
  updatedAt: NOW,
};

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const problem = { type: 'about:blank', title: 'Too Many Requests', status: 429, detail: 'busy' };

test('a well-formed answer has no problem', async () => {
  assert.deepEqual(await contractProblems('GET', ORDER_URL, answer(200, ORDER, { 'x-correlation-id': 'abc-1' })), []);
});

test('a field of the wrong type fails the generated schema', async () => {
  const problems = await contractProblems('GET', ORDER_URL, answer(200, { ...ORDER, items: 'none' }));
  assert.equal(problems.length, 1);
  assert.match(problems[0], /fails the generated schema/);
});

test('a missing required field fails the generated schema', async () => {
  const { status: _status, ...withoutStatus } = ORDER;
  assert.match((await contractProblems('GET', ORDER_URL, answer(200, withoutStatus)))[0], /fails the generated schema/);
});

test('an undeclared status is a problem', async () => {
  assert.deepEqual(await contractProblems('GET', ORDER_URL, answer(418, ORDER)), [
    `GET ${ORDER_URL} answered 418, which it does not declare`,
  ]);
});

test('a missing required header is a problem', async () => {
  const busy = new Response(JSON.stringify(problem), { status: 429, headers: { 'content-type': 'application/problem+json' } });
  assert.deepEqual(await contractProblems('GET', ORDER_URL, busy), [
    `GET ${ORDER_URL} 429: required header Retry-After is missing`,
  ]);
});

test('a declared header that does not fit its schema is a problem', async () => {
  const headers = { 'content-type': 'application/problem+json', 'retry-after': 'later' };
  const busy = new Response(JSON.stringify(problem), { status: 429, headers });
  assert.deepEqual(await contractProblems('GET', ORDER_URL, busy), [
    `GET ${ORDER_URL} 429: header Retry-After is not an integer: later`,
  ]);
});

test('an undeclared media type is a problem', async () => {
  const html = new Response('<p>hi</p>', { status: 200, headers: { 'content-type': 'text/html' } });
  assert.deepEqual(await contractProblems('GET', ORDER_URL, html), [
    `GET ${ORDER_URL} 200: undeclared media type text/html`,
  ]);
});

test('an empty 204 where the contract declares no body is fine; a 200 there is undeclared', async () => {
  assert.deepEqual(await contractProblems('DELETE', '/clients/{clientId}', answer(204, undefined)), []);
  assert.deepEqual(await contractProblems('DELETE', '/clients/{clientId}', new Response('x', { status: 200 })), [
    'DELETE /clients/{clientId} answered 200, which it does not declare',
  ]);
});

test('an operation the contract does not have is a problem', async () => {
  assert.deepEqual(await contractProblems('GET', '/nowhere', answer(200, {})), ['GET /nowhere is not an operation of the contract']);
});
