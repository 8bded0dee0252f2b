/**
 * fast-check arbitraries from the OpenAPI document's JSON Schemas: values a schema accepts (for
 * valid requests) — objects with their required and some optional properties, strings from their
 * pattern or length, numbers in range, enums, arrays within their bounds, `$ref`s resolved. Only
 * the keywords the document uses are supported; an unknown shape yields plain JSON.
 */
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown>;

export function schemaArbitrary(schema: JsonSchema, components: Record<string, JsonSchema>, depth = 0): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') return schemaArbitrary(components[schema.$ref.replace('#/components/schemas/', '')] ?? {}, components, depth);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if ('const' in schema) return fc.constant(schema.const);
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map((alternative) => schemaArbitrary(alternative, components, depth + 1)));
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((candidate) => candidate !== 'null') : (schema.type as string | undefined);
  switch (type) {
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({ min: numberOr(schema.minimum, schema.exclusiveMinimum, 1, -1000), max: numberOr(schema.maximum, schema.exclusiveMaximum, -1, 1000) });
    case 'number':
      return fc.double({ min: numberOr(schema.minimum, schema.exclusiveMinimum, 0.001, -1000), max: numberOr(schema.maximum, schema.exclusiveMaximum, -0.001, 1000), noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const minLength = (schema.minItems as number | undefined) ?? 0;
      const maxLength = Math.min((schema.maxItems as number | undefined) ?? 3, minLength + 3);
      return fc.array(schemaArbitrary((schema.items as JsonSchema | undefined) ?? {}, components, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectArbitrary(schema, components, depth);
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function numberOr(inclusive: unknown, exclusive: unknown, step: number, fallback: number): number {
  if (typeof inclusive === 'number') return inclusive;
  if (typeof exclusive === 'number') return exclusive + step;
  return fallback;
}

function stringArbitrary(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  // A pattern may fix the length (a SHA-256 is 64 characters): only a documented maxLength bounds it.
  if (typeof schema.pattern === 'string') {
    const documentedMax = (schema.maxLength as number | undefined) ?? Number.POSITIVE_INFINITY;
    return fc.stringMatching(new RegExp(schema.pattern), { size: 'small' }).filter((text) => text.length >= minLength && text.length <= documentedMax);
  }
  const maxLength = Math.min((schema.maxLength as number | undefined) ?? 40, 200);
  const inLength = (text: string) => text.length >= minLength && text.length <= maxLength;
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((date) => date.toISOString());
  return fc.string({ unit: 'grapheme', minLength, maxLength: Math.max(minLength, Math.min(maxLength, 40)) }).filter(inLength);
}

function objectArbitrary(schema: JsonSchema, components: Record<string, JsonSchema>, depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
  const required = (schema.required as string[] | undefined) ?? [];
  const names = Object.keys(properties).filter((name) => depth < 4 || required.includes(name));
  const record = fc.record(Object.fromEntries(names.map((name) => [name, schemaArbitrary(properties[name]!, components, depth + 1)])), { requiredKeys: required.filter((name) => names.includes(name)) });
  const minProperties = (schema.minProperties as number | undefined) ?? 0;
  return record.filter((value) => Object.keys(value).length >= minProperties);
}
