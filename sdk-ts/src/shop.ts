// One client object over the generated SDK: the token (or a provider that refreshes it), retries, typed
// errors, paginators, the order waiter and the invoice PDF. Mirrors the Python layer (sdk/shop_sdk/).

import { createClient, createConfig, type Client } from './generated/client/index.ts';
import * as api from './generated/sdk.gen.ts';
import type {
  Client as ClientRecord,
  ClientInput,
  ClientPatch,
  Invoice,
  Order,
  OrderCreate,
  OrderStatus,
} from './generated/types.gen.ts';
import { APIConnectionError, ShopError, UnexpectedResponse, WaitTimeout, errorFromResponse } from './errors.ts';
import { DEFAULT_RETRY, retryingFetch, type RetryPolicy } from './retry.ts';

export const TERMINAL: ReadonlySet<string> = new Set<OrderStatus>(['INVOICED', 'REJECTED']);

export interface ShopOptions {
  /** The API's base URL: `http://127.0.0.1:3000` locally, the stack's `ApiUrl` output on AWS. */
  baseUrl: string;
  /** A token (a Cognito ID token; locally `shop token --admin`)... */
  token?: string;
  /** ...or a function that returns one: asked on the first request, and again when an answer is 401. */
  tokenProvider?: () => string | Promise<string>;
  /** Each attempt's time limit in milliseconds (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** The fetch to send with (default: the global one). */
  fetch?: typeof fetch;
  /** How to wait between attempts and polls (tests pass a fake). */
  sleep?: (seconds: number) => Promise<void>;
}

export interface RequestOptions {
  /** For a POST: the Idempotency-Key of all its attempts (default: a new one per call). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A read that carries the representation's version, for `If-Match`. */
export interface Versioned<T> {
  value: T;
  etag?: string;
}

type Result = { data?: unknown; error?: unknown; response?: Response };

export class Shop {
  /** The generated client: pass it as `client` to any function of the generated SDK. */
  readonly client: Client;
  readonly clients: Clients;
  readonly orders: Orders;
  readonly invoices: Invoices;
  readonly sleep: (seconds: number) => Promise<void>;
  #token?: string;
  readonly #provider?: () => string | Promise<string>;

  constructor(options: ShopOptions) {
    if ((options.token === undefined) === (options.tokenProvider === undefined)) {
      throw new TypeError('give either a token or a tokenProvider');
    }
    this.#token = options.token;
    this.#provider = options.tokenProvider;
    this.sleep = options.sleep ?? ((s) => new Promise((resolve) => setTimeout(resolve, s * 1000)));
    const fetch = retryingFetch({
      policy: { ...DEFAULT_RETRY, ...options.retry },
      fetch: options.fetch,
      sleep: this.sleep,
      timeoutMs: options.timeoutMs ?? 30_000,
      refreshToken: this.#provider ? (stale) => this.#refresh(stale) : undefined,
    });
    this.client = createClient(
      createConfig({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch, auth: () => this.#current() }),
    );
    this.clients = new Clients(this);
    this.orders = new Orders(this);
    this.invoices = new Invoices(this);
  }

  async #current(): Promise<string> {
    this.#token ??= await this.#provider!();
    return this.#token;
  }

  async #refresh(stale: string | undefined): Promise<string> {
    if (this.#token === stale) this.#token = await this.#provider!(); // nobody refreshed it since
    return this.#token!;
  }

  /** The data of a generated SDK call, or its typed error. */
  async call<T>(pending: Promise<Result>): Promise<{ data: T; response: Response }> {
    const { data, error, response } = await pending;
    if (response === undefined) {
      if (error instanceof ShopError) throw error;
      throw new APIConnectionError(`no answer from the API: ${String((error as Error)?.message ?? error)}`, {
        cause: error,
      });
    }
    if (!response.ok) throw errorFromResponse(response, error);
    if (error !== undefined) {
      // A 2xx whose body the generated zod schema refused (or that is not JSON).
      throw new UnexpectedResponse(
        `${response.status} answer the generated types cannot read: ${String((error as Error)?.message ?? error)}`,
        response.status,
        data,
        { cause: error },
      );
    }
    return { data: data as T, response };
  }

  /** The liveness probe (no token needed). */
  async health(): Promise<{ status: string }> {
    return (await this.call<{ status: string }>(api.getHealth({ client: this.client }))).data;
  }

  /** Every item of every page of a listing, following `nextCursor`. */
  async *paginate<T>(page: (cursor?: string) => Promise<Result>): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const { data } = await this.call<{ items: T[]; nextCursor?: string | null }>(page(cursor));
      yield* data.items;
      cursor = data.nextCursor ?? undefined;
    } while (cursor);
  }
}

const idempotency = (options?: RequestOptions) =>
  options?.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : undefined;

class Clients {
  readonly shop: Shop;
  constructor(shop: Shop) {
    this.shop = shop;
  }

  async create(input: ClientInput, options?: RequestOptions): Promise<ClientRecord> {
    const { client } = this.shop;
    const call = api.createClient({ client, body: input, headers: idempotency(options), signal: options?.signal });
    return (await this.shop.call<ClientRecord>(call)).data;
  }

  /** The client and its ETag (for `update`'s and `replace`'s `ifMatch`). */
  async get(clientId: string): Promise<Versioned<ClientRecord>> {
    const { data, response } = await this.shop.call<ClientRecord>(
      api.getClient({ client: this.shop.client, path: { clientId } }),
    );
    return { value: data, etag: response.headers.get('etag') ?? undefined };
  }

  /** A JSON Merge Patch: only the fields named change (`document: null` removes it). */
  async update(clientId: string, patch: ClientPatch, options: { ifMatch?: string } = {}): Promise<Versioned<ClientRecord>> {
    const headers = options.ifMatch ? { 'If-Match': options.ifMatch } : undefined;
    const { data, response } = await this.shop.call<ClientRecord>(
      api.updateClient({ client: this.shop.client, path: { clientId }, body: patch, headers }),
    );
    return { value: data, etag: response.headers.get('etag') ?? undefined };
  }

  /** Replaces the mutable fields (an omitted `document` is removed; omitted credit terms are kept). */
  async replace(clientId: string, input: ClientInput, options: { ifMatch?: string } = {}): Promise<Versioned<ClientRecord>> {
    const headers = options.ifMatch ? { 'If-Match': options.ifMatch } : undefined;
    const { data, response } = await this.shop.call<ClientRecord>(
      api.replaceClient({ client: this.shop.client, path: { clientId }, body: input, headers }),
    );
    return { value: data, etag: response.headers.get('etag') ?? undefined };
  }

  async delete(clientId: string): Promise<void> {
    await this.shop.call(api.deleteClient({ client: this.shop.client, path: { clientId } }));
  }

  /** Every client, oldest first, across pages. */
  list(options: { pageSize?: number } = {}): AsyncGenerator<ClientRecord> {
    const { client } = this.shop;
    return this.shop.paginate((cursor) => api.listClients({ client, query: { limit: options.pageSize, cursor } }));
  }
}

class Orders {
  readonly shop: Shop;
  constructor(shop: Shop) {
    this.shop = shop;
  }

  async create(clientId: string, order: OrderCreate, options?: RequestOptions): Promise<Order> {
    const { client } = this.shop;
    const call = api.createOrder({
      client,
      path: { clientId },
      body: order,
      headers: idempotency(options),
      signal: options?.signal,
    });
    return (await this.shop.call<Order>(call)).data;
  }

  async get(clientId: string, orderId: string): Promise<Order> {
    return (await this.shop.call<Order>(api.getOrder({ client: this.shop.client, path: { clientId, orderId } }))).data;
  }

  /** Every order of a client (of one status when `status` is given), across pages. */
  list(clientId: string, options: { status?: OrderStatus; pageSize?: number } = {}): AsyncGenerator<Order> {
    const { client } = this.shop;
    return this.shop.paginate((cursor) =>
      api.listOrders({ client, path: { clientId }, query: { status: options.status, limit: options.pageSize, cursor } }),
    );
  }

  /** Polls the order until it is INVOICED or REJECTED; WaitTimeout after `timeoutSeconds` (default 60). */
  async wait(
    clientId: string,
    orderId: string,
    options: { timeoutSeconds?: number; intervalSeconds?: number } = {},
  ): Promise<Order> {
    const deadline = Date.now() + (options.timeoutSeconds ?? 60) * 1000;
    for (;;) {
      const order = await this.get(clientId, orderId);
      if (TERMINAL.has(order.status)) return order;
      if (Date.now() >= deadline) {
        throw new WaitTimeout(`order ${orderId} is still ${order.status} after ${options.timeoutSeconds ?? 60} s`, order);
      }
      await this.shop.sleep(options.intervalSeconds ?? 0.5);
    }
  }
}

class Invoices {
  readonly shop: Shop;
  constructor(shop: Shop) {
    this.shop = shop;
  }

  async get(clientId: string, invoiceId: string): Promise<Invoice> {
    const call = api.getInvoice({ client: this.shop.client, path: { clientId, invoiceId } });
    return (await this.shop.call<Invoice>(call)).data;
  }

  /** Every invoice of a client, newest first, across pages. */
  list(clientId: string, options: { pageSize?: number } = {}): AsyncGenerator<Invoice> {
    const { client } = this.shop;
    return this.shop.paginate((cursor) =>
      api.listInvoices({ client, path: { clientId }, query: { limit: options.pageSize, cursor } }),
    );
  }

  /** The invoice's PDF: the API answers 302 to a presigned URL, which fetch follows (without the token). */
  async pdf(clientId: string, invoiceId: string): Promise<Uint8Array> {
    const call = api.getInvoicePdf({
      client: this.shop.client,
      path: { clientId, invoiceId },
      parseAs: 'arrayBuffer',
    });
    const { data } = await this.shop.call<ArrayBuffer>(call);
    return new Uint8Array(data);
  }
}
