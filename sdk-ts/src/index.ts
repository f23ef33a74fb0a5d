// The Shop API's TypeScript SDK: `Shop` (the hand-written layer), its errors, and the generated types.
// The generated SDK itself (one function per operation) is `shop-sdk/generated`'s, under src/generated/.

export { Shop, TERMINAL, type ShopOptions, type RequestOptions, type Versioned } from './shop.ts';
export * from './errors.ts';
export { DEFAULT_RETRY, IDEMPOTENCY_KEY, newIdempotencyKey, retryingFetch, type RetryPolicy } from './retry.ts';
export type * from './generated/types.gen.ts';
