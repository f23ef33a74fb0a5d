// The consumer-side contract check of the node tests: every answer a Shop receives is checked against the
// published contract, and each violation recorded (the tests then fail on any):
// - its status is one the operation declares (a redirect fetch followed: the operation declares a 3xx);
// - every header the contract marks required is there, and each declared header present fits its type;
// - its body parses with the generated zod schema of the component the contract names for that status and
//   media type (src/generated/zod.gen.ts: `z<Schema>`), never a schema written here.

import { readFileSync } from 'node:fs';
import * as schemas from '../src/generated/zod.gen.ts';
import type { Shop } from '../src/shop.ts';

type Json = Record<string, any>;
const CONTRACT: Json = JSON.parse(
  readFileSync(new URL('../../contract/published/openapi.json', import.meta.url), 'utf8'),
);

function resolve(node: Json): Json {
  let found = node;
  while (found?.$ref) {
    found = found.$ref
      .slice(2)
      .split('/')
      .reduce((at: Json, key: string) => at[key], CONTRACT);
  }
  return found;
}

function validatorOf(schema: Json): { parseAsync(data: unknown): Promise<unknown> } | undefined {
  if (!schema?.$ref?.startsWith('#/components/schemas/')) return undefined;
  return (schemas as Record<string, any>)[`z${schema.$ref.split('/').pop()}`];
}

function headerProblems(declared: Json, headers: Headers): string[] {
  const problems: string[] = [];
  for (const [name, ref] of Object.entries(declared ?? {})) {
    const header = resolve(ref as Json);
    const value = headers.get(name);
    if (value === null) {
      if (header.required) problems.push(`required header ${name} is missing`);
      continue;
    }
    const schema = resolve(header.schema ?? {});
    if (schema.type === 'integer' && !/^-?\d+$/.test(value)) problems.push(`header ${name} is not an integer: ${value}`);
    if (schema.type === 'integer' && schema.maximum !== undefined && Number(value) > schema.maximum) {
      problems.push(`header ${name} is above ${schema.maximum}`);
    }
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`header ${name} is too long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
      problems.push(`header ${name} does not match ${schema.pattern}`);
    }
  }
  return problems;
}

/** What is wrong with `response` as an answer of `method url` (an OpenAPI path template), per the contract. */
export async function contractProblems(method: string, url: string, response: Response): Promise<string[]> {
  const operation = CONTRACT.paths?.[url]?.[method.toLowerCase()];
  if (!operation) return [`${method} ${url} is not an operation of the contract`];
  const responses: Json = operation.responses;
  if (response.redirected) {
    const redirect = Object.keys(responses).find((status) => status.startsWith('3'));
    if (!redirect) return [`${method} ${url} was redirected, but declares no 3xx`];
    return response.ok ? [] : [`${method} ${url}: the redirect's target answered ${response.status}`];
  }
  const key = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find((k) => k in responses);
  if (!key) return [`${method} ${url} answered ${response.status}, which it does not declare`];
  const declared = resolve(responses[key]);
  const problems = headerProblems(declared.headers, response.headers).map((p) => `${method} ${url} ${response.status}: ${p}`);
  const text = await response.clone().text();
  const content: Json = declared.content ?? {};
  if (!Object.keys(content).length) {
    if (text) problems.push(`${method} ${url} ${response.status}: a body where the contract declares none`);
    return problems;
  }
  const mediaType = (response.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!(mediaType in content)) {
    return [...problems, `${method} ${url} ${response.status}: undeclared media type ${mediaType || '(none)'}`];
  }
  const validator = validatorOf(content[mediaType].schema);
  if (!validator) return [...problems, `${method} ${url} ${response.status}: no generated validator for its schema`];
  try {
    await validator.parseAsync(JSON.parse(text));
  } catch (error) {
    problems.push(`${method} ${url} ${response.status}: the body fails the generated schema: ${(error as Error).message}`);
  }
  return problems;
}

/** Checks every answer `shop` receives from now on; returns the list its violations are recorded in. */
export function checkEveryResponse(shop: Shop): string[] {
  const violations: string[] = [];
  shop.client.interceptors.response.use(async (response, _request, options) => {
    violations.push(...(await contractProblems(options.method ?? 'GET', options.url, response)));
    return response;
  });
  return violations;
}
