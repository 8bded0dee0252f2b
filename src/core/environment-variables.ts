/**
 * Environment variables as zod schemas with a description (what a value must be, its default, and
 * whether it is a secret), for error messages and docs/configuration.md. Pure: parsing only; reading
 * the environment is `loadConfig`'s job. Shared by src/config (the app's variables) and the provider
 * modules (each provider's fragment), which must not import src/config.
 */
import { z } from 'zod';

/**
 * Describes one environment variable for error messages and documentation. `requirement` completes
 * the sentence "<NAME> must be …".
 */
export interface VariableDescription {
  /** Completes "<NAME> must be …", e.g. "an integer from 1 to 65535". */
  requirement: string;
  /** The default as written in docs/configuration.md; `undefined` when the default is "unset". */
  defaultText: string | undefined;
  /** A secret: its value never appears in an error message. */
  secret: boolean;
}

/** Input of every variable schema: the trimmed, non-empty text, or `undefined` when unset. */
export type RawValue = string | undefined;

/** A variable's schema: parses its raw text (or `undefined` when unset) into its typed value. */
export type VariableSchema<Value = unknown> = z.ZodType<Value, RawValue>;

/** A group of variables by name (the app's, or one provider's fragment). */
export type VariableFragment = Record<string, VariableSchema>;

/** The parsed values of a fragment, by variable name. */
export type FragmentValues<Fragment extends VariableFragment> = { [Name in keyof Fragment]: z.output<Fragment[Name]> };

/** Holds each variable schema's description; read through `variableDescription`. */
const variableRegistry = z.registry<VariableDescription>();

/** Attaches a description to a variable schema (every builder below does). */
export function describe<Schema extends z.ZodType>(schema: Schema, description: VariableDescription): Schema {
  variableRegistry.add(schema, description);
  return schema;
}

/** The description attached to a variable schema; undefined for a schema not built by `describe`. */
export function variableDescription(schema: z.ZodType): VariableDescription | undefined {
  return variableRegistry.get(schema);
}

/** A whole number in `[minimum, maximum]`, written in plain decimal digits. */
export function integerVariable(options: { minimum: number; maximum: number; defaultValue: number }) {
  const requirement = `an integer from ${options.minimum} to ${options.maximum}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): number => {
      if (raw === undefined) return options.defaultValue;
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(value) || value < options.minimum || value > options.maximum) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return value;
    });
  return describe(schema, { requirement, defaultText: String(options.defaultValue), secret: false });
}

/** Free text with a default (paths). */
export function textVariable(options: { requirement: string; defaultValue: string }) {
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue): string => raw ?? options.defaultValue);
  return describe(schema, { requirement: options.requirement, defaultText: options.defaultValue, secret: false });
}

/** A secret that may be unset; when set it must have at least `minimumLength` characters. */
export function secretVariable(options: { minimumLength: number }) {
  const requirement = options.minimumLength > 1 ? `at least ${options.minimumLength} characters long` : 'a non-empty value';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw !== undefined && raw.length < options.minimumLength) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: true });
}

/** An `http:` or `https:` URL that may be unset. */
export function httpUrlVariable() {
  const requirement = 'an http(s) URL such as https://proxy.example.com';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw === undefined) return undefined;
      if (!URL.canParse(raw) || !['http:', 'https:'].includes(new URL(raw).protocol)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: false });
}

/** Free text that may be unset and is not a secret (a user name, a file path). */
export function optionalTextVariable(options: { requirement: string }) {
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue): string | undefined => raw);
  return describe(schema, { requirement: options.requirement, defaultText: undefined, secret: false });
}

/** A non-negative decimal number such as `0.00019`, with a default. */
export function decimalVariable(options: { maximum: number; defaultValue: number }) {
  const requirement = `a decimal number from 0 to ${options.maximum}, such as 0.00019`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): number => {
      if (raw === undefined) return options.defaultValue;
      const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isFinite(value) || value > options.maximum) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return value;
    });
  return describe(schema, { requirement, defaultText: String(options.defaultValue), secret: false });
}

/** An `http:` or `https:` URL with a default. */
export function baseUrlVariable(options: { defaultValue: string }) {
  const requirement = `an http(s) URL such as ${options.defaultValue}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string => {
      if (raw === undefined) return options.defaultValue;
      if (!URL.canParse(raw) || !['http:', 'https:'].includes(new URL(raw).protocol)) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement, defaultText: options.defaultValue, secret: false });
}

/** An identifier (RunPod endpoint id, provider id) that may be unset, or has a default. */
export function identifierVariable(options: { requirement: string; defaultValue?: string }) {
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string | undefined => {
      if (raw === undefined) return options.defaultValue;
      // Ids go into URL paths: letters, digits, dots, underscores and dashes only.
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(raw)) {
        context.addIssue({ code: 'custom', message: options.requirement });
        return z.NEVER;
      }
      return raw;
    });
  return describe(schema, { requirement: options.requirement, defaultText: options.defaultValue, secret: false });
}

/** A comma-separated list of model ids that may be unset. */
export function modelListVariable() {
  const requirement = 'model ids separated by commas, such as nano-banana-2,nano-banana-pro';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): string[] | undefined => {
      if (raw === undefined) return undefined;
      const ids = raw.split(',').map((id) => id.trim());
      if (ids.some((id) => !/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/.test(id))) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return ids;
    });
  return describe(schema, { requirement, defaultText: undefined, secret: false });
}

/** `true` or `false` (also 1/0, yes/no), with a default. */
export function booleanVariable(options: { defaultValue: boolean }) {
  const requirement = 'true or false';
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): boolean => {
      if (raw === undefined) return options.defaultValue;
      const text = raw.toLowerCase();
      if (['true', '1', 'yes'].includes(text)) return true;
      if (['false', '0', 'no'].includes(text)) return false;
      context.addIssue({ code: 'custom', message: requirement });
      return z.NEVER;
    });
  return describe(schema, { requirement, defaultText: String(options.defaultValue), secret: false });
}

/** A requests-per-minute setting: `auto` (learned, issue 18) or a whole number in `[minimum, maximum]` (a fixed rate). */
export type RateSetting = number | 'auto';

/** A rate that is `auto` (the engine learns it) or a whole number in `[minimum, maximum]`; default `auto`. */
export function rateVariable(options: { minimum: number; maximum: number }) {
  const requirement = `auto or an integer from ${options.minimum} to ${options.maximum}`;
  const schema = z
    .string()
    .optional()
    .transform((raw: RawValue, context): RateSetting => {
      if (raw === undefined || raw.toLowerCase() === 'auto') return 'auto';
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(value) || value < options.minimum || value > options.maximum) {
        context.addIssue({ code: 'custom', message: requirement });
        return z.NEVER;
      }
      return value;
    });
  return describe(schema, { requirement, defaultText: 'auto', secret: false });
}
