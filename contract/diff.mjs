// The diff half of `make check-contract` (contract/check.py runs it): reads {"before": <released contract>,
// "after": <openapi.yaml>} as JSON on stdin (x-amazon-* keys already stripped), compares them with api-smart-diff
// (offline; $refs resolved, so a change in components/ shows up in each operation that uses it, as a request or
// a response change) and writes {"tool": <version>, "changes": [...]} on stdout: one entry per change, with its
// class (breaking, non-breaking, annotation, deprecated, unclassified) and a readable place and description.
//
// Four corrections to the tool's classes (api-smart-diff 1.0.6), each marked with a `note` in the output:
// - a security scheme added to components/securitySchemes is not breaking (api-smart-diff calls it breaking):
//   only an operation whose `security` then requires it would be, and that is classified on the operation;
// - a removed property is breaking, request or response, optional or not (api-smart-diff calls an optional
//   one's removal non-breaking: a consumer that reads or sends the field loses it all the same);
// - a value added to a response enum is not breaking when the enum is open, that is one branch of an
//   anyOf whose other branch is a plain string (`anyOf: [{$ref: OrderStatus}, {type: string}]`): api-smart-diff
//   does not see the string branch and calls it breaking, as it is for a closed enum;
// - `nullable` by direction: a request field that no longer takes null, or a response field that may now be
//   null, is breaking, and the converse is not (api-smart-diff has it the other way round, on both sides);
// - `required` of a response header by direction: a header now required is a guarantee added (non-breaking: a
//   consumer that did without it still works), one no longer required is breaking (api-smart-diff calls any
//   change of it breaking).
// Changes under components/ are left out (they are reported through the operations that use them, where the tool
// knows whether the schema is a request or a response; alone, it classifies them without that direction), except
// components/securitySchemes, which operations name rather than $ref.
import { readFileSync } from "node:fs";
import { apiCompare } from "api-smart-diff";

// The package exports no ./package.json: read it next to dist/, where the import resolves.
const tool = JSON.parse(readFileSync(new URL("../package.json", import.meta.resolve("api-smart-diff")), "utf8")).version;
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);
const COMBINERS = new Set(["allOf", "anyOf", "oneOf"]);
const VERBS = { add: "added", remove: "removed", replace: "changed", rename: "renamed" };

const { before, after } = JSON.parse(readFileSync(0, "utf8"));
const { diffs, merged } = apiCompare(before, after);

const at = (node, path) => path.reduce((value, key) => (value == null ? undefined : value[key]), node);
const show = (value) => {
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

// A schema that takes any string: type string (or none), no enum or const (allOf parts merged, shallowly).
const isPlainString = (schema) => {
  if (!schema || typeof schema !== "object") return false;
  const flat = Object.assign({}, ...(schema.allOf ?? []), schema);
  return (flat.type ?? "string") === "string" && !("enum" in flat) && !("const" in flat) && !("not" in flat);
};

// path: ["paths", "/clients", "get", "responses", "200", "content", "application/json", "schema", ...]
const inResponse = (path) => path[0] === "paths" && path[3] === "responses";

const addsToOpenEnum = (diff) => {
  const { path } = diff;
  if (diff.action !== "add" || !inResponse(path) || path.at(-2) !== "enum") return false;
  for (let i = path.length - 3; i > 0; i--) {
    if (path[i] !== "anyOf") continue;
    const branches = at(merged, path.slice(0, i + 1));
    const own = path[i + 1];
    if (Array.isArray(branches) && branches.some((branch, j) => j !== own && isPlainString(branch))) return true;
  }
  return false;
};

// The class a change of `nullable` should have, or undefined when it does not change whether null is allowed.
const nullableClass = (diff) => {
  if (diff.path[0] !== "paths" || diff.path.at(-1) !== "nullable") return undefined;
  const was = diff.action !== "add" && diff.before === true;
  const is = diff.action !== "remove" && diff.after === true;
  if (was === is) return undefined;
  return was !== inResponse(diff.path) ? "breaking" : "non-breaking";
};

// The class a change of a response header's `required` should have, or undefined when it is no such change or
// does not change whether the header is required.
// path: ["paths", "/clients", "post", "responses", "201", "headers", "Location", "required"]
const responseHeaderRequiredClass = (diff) => {
  const { path } = diff;
  if (!inResponse(path) || path.length !== 8 || path[5] !== "headers" || path[7] !== "required") return undefined;
  const was = diff.action !== "add" && diff.before === true;
  const is = diff.action !== "remove" && diff.after === true;
  if (was === is) return undefined;
  return is ? "non-breaking" : "breaking";
};

// A whole scheme added to components/securitySchemes: a consumer is asked nothing until an operation's
// `security` names it, and that change is classified on the operation (an added alternative is not breaking).
const addsScheme = (diff) =>
  diff.action === "add" && diff.path[0] === "components" && diff.path[1] === "securitySchemes" && diff.path.length === 3;

const removesProperty = (diff) =>
  diff.action === "remove" && diff.path[0] === "paths" && diff.path.at(-2) === "properties";

// "items[].status" from a schema path, and what changed at its end.
const describeSchema = (tokens, diff) => {
  const field = [];
  let i = 0;
  let what;
  while (i < tokens.length) {
    const key = tokens[i];
    const last = i === tokens.length - 1;
    if (key === "properties" && i + 1 < tokens.length) {
      field.push(field.length ? `.${tokens[i + 1]}` : String(tokens[i + 1]));
      if (i + 2 === tokens.length) what = `field ${VERBS[diff.action]}`;
      i += 2;
    } else if (key === "items" && !last) {
      field.push("[]");
      i += 1;
    } else if (COMBINERS.has(key) && i + 1 < tokens.length) {
      if (i + 2 === tokens.length) what = `${key} branch ${VERBS[diff.action]}`;
      i += 2;
    } else if ((key === "enum" || key === "required") && i + 2 === tokens.length) {
      const value = diff.action === "add" ? diff.after : diff.before;
      what =
        key === "enum"
          ? `enum value ${show(value)} ${diff.action === "add" ? "added" : diff.action === "remove" ? "removed" : `replaced by ${show(diff.after)}`}`
          : `field ${show(value)} ${diff.action === "add" ? "now required" : diff.action === "remove" ? "no longer required" : "required changed"}`;
      i += 2;
    } else {
      const keyword = tokens.slice(i).join(".");
      what =
        diff.action === "replace"
          ? `${keyword}: ${show(diff.before)} -> ${show(diff.after)}`
          : diff.action === "add"
            ? `${keyword} added: ${show(diff.after)}`
            : `${keyword} removed (was ${show(diff.before)})`;
      i = tokens.length;
    }
  }
  return { field: field.join(""), what: what ?? `schema ${VERBS[diff.action]}` };
};

const place = (diff) => {
  const { path } = diff;
  const verb = VERBS[diff.action];
  if (path[0] !== "paths" || path.length < 3 || !METHODS.has(path[2])) {
    const rest = path.join(".");
    return {
      where: rest,
      what: diff.action === "replace" ? `${show(diff.before)} -> ${show(diff.after)}` : `${verb}: ${show(diff.after ?? diff.before)}`,
    };
  }
  const operation = `${String(path[2]).toUpperCase()} ${path[1]}`;
  const rest = path.slice(3);
  if (!rest.length) return { where: operation, what: `operation ${verb}` };
  let where;
  let tokens = [];
  if (rest[0] === "parameters" && rest.length >= 2) {
    // merged is keyed by the new path ("/clients/{id}" where the released one says "/clients/{clientId}"): then
    // the tool's own description names the parameter.
    const found = [at(merged, path.slice(0, 5)), rest.length === 2 ? (diff.after ?? diff.before) : undefined];
    const named = /(\w+) parameter `([^`]+)`/.exec(diff.description ?? "");
    const parameter = found.find((p) => p && p.name && p.in) ?? (named ? { in: named[1], name: named[2] } : {});
    where = `${parameter.in ?? "a"} parameter \`${parameter.name ?? `#${rest[1]}`}\``;
    if (rest.length === 2) {
      return { where: `${operation} › ${where}`, what: `parameter ${verb}${parameter.required ? " (required)" : ""}` };
    }
    tokens = rest[2] === "schema" ? rest.slice(3) : rest.slice(2);
  } else if (rest[0] === "requestBody") {
    where = rest[1] === "content" && rest.length >= 3 ? `request body (${rest[2]})` : "request body";
    tokens = rest[1] === "content" ? rest.slice(rest[3] === "schema" ? 4 : 3) : rest.slice(1);
    if (rest[1] === "content" && rest.length === 3) return { where: `${operation} › ${where}`, what: `media type ${verb}` };
  } else if (rest[0] === "responses" && rest.length >= 2) {
    where = `response ${rest[1]}`;
    if (rest.length === 2) return { where: `${operation} › ${where}`, what: `response ${verb}` };
    if (rest[2] === "content" && rest.length >= 4) {
      where += ` (${rest[3]})`;
      if (rest.length === 4) return { where: `${operation} › ${where}`, what: `media type ${verb}` };
      tokens = rest.slice(rest[4] === "schema" ? 5 : 4);
    } else {
      tokens = rest.slice(2);
    }
  } else {
    tokens = rest;
    where = "";
  }
  const { field, what } = tokens.length ? describeSchema(tokens, diff) : { field: "", what: verb };
  return { where: [operation, where, field].filter(Boolean).join(" › "), what };
};

const changes = [];
for (const diff of diffs) {
  const { path } = diff;
  if (path[0] === "components" && path[1] !== "securitySchemes") continue;
  let type = diff.type;
  let note;
  if (type !== "breaking" && removesProperty(diff)) {
    type = "breaking";
    note = `api-smart-diff: ${diff.type}; the gate: a removed field is breaking`;
  } else if (nullableClass(diff) && nullableClass(diff) !== type) {
    type = nullableClass(diff);
    const nullNow = diff.action !== "remove" && diff.after === true;
    const side = inResponse(path) ? "response" : "request";
    note = `api-smart-diff: ${diff.type}; the gate: a ${side} field that ${nullNow ? "may now be" : "no longer may be"} null is ${type}`;
  } else if (responseHeaderRequiredClass(diff) && responseHeaderRequiredClass(diff) !== type) {
    type = responseHeaderRequiredClass(diff);
    const now = type === "non-breaking" ? "now required" : "no longer required";
    note = `api-smart-diff: ${diff.type}; the gate: a response header ${now} is ${type}`;
  } else if (type === "breaking" && addsScheme(diff)) {
    type = "non-breaking";
    note = "api-smart-diff: breaking; the gate: a new security scheme alone asks nothing of a consumer";
  } else if (type === "breaking" && addsToOpenEnum(diff)) {
    type = "non-breaking";
    note = "api-smart-diff: breaking; the gate: open enum (anyOf with a plain string branch)";
  }
  changes.push({ type, action: diff.action, path, ...place(diff), ...(note ? { note } : {}), tool: diff.description || "" });
}

process.stdout.write(JSON.stringify({ tool, changes }));
