// Generate the TypeScript SDK's generated half, src/generated/, from the published contract
// (../contract/published/openapi.json, `make publish`) with @hey-api/openapi-ts, offline.
//
//     node generate.ts            regenerate src/generated/ and package.json's version (`make sdk-ts`)
//     node generate.ts --check    generate into a temporary folder and compare (`make check-sdk-ts`)
//
// Plugins: the fetch client, the types, zod schemas, and the SDK functions, which validate every success
// body with those zod schemas (`validator.response`). Requests are not validated on the client: the API
// is the judge of its inputs, and answers a 400 with field-level errors. Every generated file starts with
// the generator's "auto-generated" line; nothing under src/generated/ is edited by hand.
// package.json's version follows the contract's info.version.

import { createClient } from '@hey-api/openapi-ts';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONTRACT = join(HERE, '..', 'contract', 'published', 'openapi.json');
const GENERATED = join(HERE, 'src', 'generated');
const PACKAGE = join(HERE, 'package.json');

function files(root: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else found.set(relative(root, path), readFileSync(path, 'utf8'));
    }
  };
  try {
    walk(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return found;
}

async function generate(target: string): Promise<void> {
  await createClient({
    input: CONTRACT,
    output: { path: target, importFileExtension: '.ts' },
    logs: { level: 'silent' },
    plugins: [
      '@hey-api/client-fetch',
      '@hey-api/typescript',
      'zod',
      { name: '@hey-api/sdk', validator: { request: false, response: 'zod' } },
    ],
  });
}

function packageWithVersion(): string {
  const version: string = JSON.parse(readFileSync(CONTRACT, 'utf8')).info.version;
  const text = readFileSync(PACKAGE, 'utf8');
  return text.replace(/^(  "version": )"[^"]*"/m, `$1"${version}"`);
}

const check = process.argv.includes('--check');
const scratch = mkdtempSync(join(tmpdir(), 'shop-sdk-ts-'));
try {
  await generate(scratch);
  const expected = files(scratch);
  if (!check) {
    rmSync(GENERATED, { recursive: true, force: true });
    for (const [path, text] of expected) {
      mkdirSync(dirname(join(GENERATED, path)), { recursive: true });
      writeFileSync(join(GENERATED, path), text);
    }
    writeFileSync(PACKAGE, packageWithVersion());
    console.log(`sdk-ts/src/generated/: ${expected.size} generated files from contract/published/openapi.json`);
  } else {
    const actual = files(GENERATED);
    const drifted = [...new Set([...expected.keys(), ...actual.keys()])]
      .filter((path) => expected.get(path) !== actual.get(path))
      .sort();
    if (readFileSync(PACKAGE, 'utf8') !== packageWithVersion()) drifted.push('../../package.json (version)');
    if (drifted.length) {
      for (const path of drifted) console.log(`drifted: sdk-ts/src/generated/${path}`);
      console.error(
        "sdk-ts/ drifted from contract/published/openapi.json: run 'make sdk-ts' and commit the result",
      );
      process.exitCode = 1;
    } else {
      console.log(`sdk-ts/src/generated/ matches contract/published/openapi.json (${expected.size} files)`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
