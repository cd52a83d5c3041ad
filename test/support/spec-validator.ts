/**
 * Validates response bodies against the official Clockify OpenAPI spec with ajv: loads the YAML,
 * applies the documented live deviations (src/simulator/spec-deviations.ts) to the schemas, and
 * compiles the 200 response schema of each operation (`#/components/schemas/...` refs resolve
 * inside the spec document).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { SpecDeviation } from '../../src/simulator/spec-deviations.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export const SPEC_FILE = new URL('../../spec/clockify-api/clockify-openapi-official.yaml', import.meta.url);
const SPEC_ID = 'clockify-openapi.json';

type Json = Record<string, any>;

export function loadSpec(file: URL | string = SPEC_FILE): Json {
  return parse(readFileSync(file, 'utf8'), { maxAliasCount: -1 }) as Json;
}

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The 200/201 response schema of `METHOD /path` and its JSON pointer in the document. */
export function responseSchemaPointer(spec: Json, operation: string): string {
  const [method, path] = operation.split(' ');
  const op = spec.paths?.[path]?.[method.toLowerCase()];
  if (!op) throw new Error(`operation not in the spec: ${operation}`);
  const status = ['200', '201'].find((s) => op.responses?.[s]);
  if (!status) throw new Error(`no 200/201 response for ${operation}`);
  const content = op.responses[status].content ?? {};
  const type = Object.keys(content)[0];
  if (!type) throw new Error(`no response body schema for ${operation}`);
  return `/paths/${escape(path)}/${method.toLowerCase()}/responses/${status}/content/${escape(type)}/schema`;
}

function resolvePointer(doc: Json, pointer: string): { parent: Json | null; key: string | null; value: any } {
  if (pointer === '') return { parent: null, key: null, value: doc };
  const parts = pointer.split('/').slice(1).map(unescape);
  let parent: Json = doc;
  for (const p of parts.slice(0, -1)) {
    parent = parent?.[p];
    if (parent === undefined) throw new Error(`pointer ${pointer}: ${p} not found`);
  }
  const key = parts[parts.length - 1];
  if (!(key in parent)) throw new Error(`pointer ${pointer}: ${key} not found`);
  return { parent, key, value: parent[key] };
}

/** Applies one deviation's patches to the spec document (mutates it). */
export function applyDeviation(spec: Json, d: SpecDeviation): void {
  for (const patch of d.patches) {
    const base = 'schema' in patch.target
      ? `/components/schemas/${escape(patch.target.schema)}`
      : responseSchemaPointer(spec, patch.target.operation);
    const { parent, key, value } = resolvePointer(spec, base + patch.pointer);
    if (!parent || key === null) throw new Error('cannot patch the document root');
    const allow = patch.allow;
    if (allow.kind === 'nullable') parent[key] = { anyOf: [value, { type: 'null' }] };
    else if (allow.kind === 'string-enum') {
      const branch = (value.oneOf ?? []).find((b: Json) => b.type === 'string' && Array.isArray(b.enum));
      if (!branch) throw new Error(`${base}${patch.pointer} is not an object-modelled string enum`);
      parent[key] = { type: 'string', enum: branch.enum };
    }
    else if (allow.kind === 'replace') parent[key] = structuredClone(allow.schema);
    else {
      value.properties ??= {};
      value.properties[allow.name] = structuredClone(allow.schema);
      if (allow.required) value.required = [...new Set([...(value.required ?? []), allow.name])];
    }
  }
}

export interface SpecValidator {
  /** Validation errors of a body for `METHOD /v1/...` (empty when valid). */
  errors(operation: string, body: unknown): ErrorObject[];
}

export function createSpecValidator(deviations: readonly SpecDeviation[], spec: Json = loadSpec()): SpecValidator {
  const doc = structuredClone(spec);
  for (const d of deviations) applyDeviation(doc, d);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  ajv.addSchema({ ...doc, $id: SPEC_ID });
  const compiled = new Map<string, ValidateFunction>();
  return {
    errors(operation, body) {
      let v = compiled.get(operation);
      if (!v) {
        v = ajv.compile({ $ref: `${SPEC_ID}#${responseSchemaPointer(doc, operation)}` });
        compiled.set(operation, v);
      }
      return v(body) ? [] : [...(v.errors ?? [])];
    },
  };
}

/** A short, readable list of errors (first few, with the offending value). */
export function describeErrors(errors: ErrorObject[], body: unknown, max = 8): string {
  return errors.slice(0, max).map((e) => {
    let value: unknown = body;
    for (const p of e.instancePath.split('/').slice(1).map(unescape)) value = (value as Json)?.[p];
    return `${e.instancePath || '/'} ${e.message} (schema ${e.schemaPath}); value: ${JSON.stringify(value)?.slice(0, 120)}`;
  }).join('\n');
}
