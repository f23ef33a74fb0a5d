// The whole pipeline through the TypeScript SDK against a running local stack (tests/e2e/test_sdk_ts.py starts
// one and runs this with SHOP_API_URL and SHOP_TOKEN): create a client, place an order, wait for INVOICED,
// list invoices, fetch the PDF, and a 404 and a 400 as typed errors. Every answer is checked against the
// published contract (../consumer-check.ts): the test fails on any the generated types cannot read.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import { NotFound, Shop, ValidationError, type Client, type Order } from '../../src/index.ts';
import { checkEveryResponse } from '../consumer-check.ts';

const baseUrl = process.env.SHOP_API_URL;
const token = process.env.SHOP_TOKEN;
if (!baseUrl || !token) throw new Error('SHOP_API_URL and SHOP_TOKEN name the local stack and an admin token');

const shop = new Shop({ baseUrl, token });
const violations = checkEveryResponse(shop);

afterEach(() => {
  assert.deepEqual(violations.splice(0), [], 'answers the generated types cannot read');
});

const suffix = () => randomUUID().replaceAll('-', '').slice(0, 12);

describe('the order pipeline through the TypeScript SDK', () => {
  let client: Client;
  let order: Order;

  test('creates a client', async () => {
    const email = `ts-${suffix()}@shop.example`;
    client = await shop.clients.create({ name: 'TypeScript Ltd', email, creditLimit: 500_000, currency: 'EUR' });
    assert.match(client.clientId, /^[0-9A-Z]{26}$/);
    assert.equal(client.email, email);
    const { value, etag } = await shop.clients.get(client.clientId);
    assert.deepEqual(value, client);
    assert.ok(etag, 'a read carries the ETag');
  });

  test('places an order and waits for it to be INVOICED', async () => {
    const items = [{ sku: 'W-1', description: 'Widget', quantity: 3, unitPrice: 1250 }];
    order = await shop.orders.create(client.clientId, { items });
    assert.equal(order.status, 'PENDING');
    assert.equal(order.total, 3750);
    order = await shop.orders.wait(client.clientId, order.orderId, { timeoutSeconds: 60 });
    assert.equal(order.status, 'INVOICED');
    assert.ok(order.invoiceId);
  });

  test('lists the orders by status across pages', async () => {
    const invoiced: Order[] = [];
    for await (const each of shop.orders.list(client.clientId, { status: 'INVOICED', pageSize: 1 })) invoiced.push(each);
    assert.deepEqual(invoiced.map((each) => each.orderId), [order.orderId]);
  });

  test('lists the invoices and fetches the PDF', async () => {
    const invoices = [];
    for await (const invoice of shop.invoices.list(client.clientId)) invoices.push(invoice);
    assert.deepEqual(invoices.map((invoice) => invoice.invoiceId), [order.invoiceId]);
    assert.equal(invoices[0].total, 3750);
    const pdf = await shop.invoices.pdf(client.clientId, order.invoiceId!);
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-');
  });

  test('an unknown order is a NotFound with its problem', async () => {
    const missing = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
    const error = await shop.orders.get(client.clientId, missing).catch((caught: unknown) => caught);
    assert.ok(error instanceof NotFound, String(error));
    assert.equal(error.status, 404);
    assert.ok(error.type && error.detail, 'the problem has a type and a detail');
    assert.ok(error.correlationId, 'the answer names its correlation id');
  });

  test('an invalid order is a ValidationError with its field-level errors', async () => {
    const items = [{ sku: 'W-1', description: 'Widget', quantity: 0, unitPrice: 1250 }];
    const error = await shop.orders.create(client.clientId, { items }).catch((caught: unknown) => caught);
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.status, 400);
    assert.ok(error.detail, 'the problem says what is wrong');
    // No correlation id here: request validation is the gateway's own answer, which carries none (the contract).
    assert.deepEqual(
      error.errors.map((each) => [each.in, each.pointer]),
      [['body', '/items/0/quantity']],
    );
  });
});
