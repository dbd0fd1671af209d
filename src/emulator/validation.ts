import { invalidRequest, type ValidationMessage, type XProblem } from './problems.js';

/**
 * Turn JSON-schema errors into X's messages. X validates bodies with networknt's json-schema-validator,
 * whose messages read `$.media.media_ids: there must be a minimum of 1 item in the array`
 * (REFERENCE §5.2); query parameters get X's own sentences.
 */
/** One Ajv error (the app runs Ajv with `verbose`, so `data` holds the offending value). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
}

export function validationProblem(errors: SchemaError[], context: string): XProblem {
  const messages = dedupe(errors.map((e) => (context === 'body' ? bodyMessage(e) : queryMessage(e))));
  return invalidRequest(messages);
}

function jsonPath(instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), '$');
}

function bodyMessage(error: SchemaError): ValidationMessage {
  const path = jsonPath(error.instancePath);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { message: `${path}.${p.missingProperty}: is missing but it is required` };
    case 'additionalProperties':
      return {
        message: `${path}.${p.additionalProperty}: is not defined in the schema and the schema does not allow additional properties`,
      };
    case 'minItems':
      return {
        message: `${path}: there must be a minimum of ${p.limit} ${plural(p.limit, 'item')} in the array`,
      };
    case 'maxItems':
      return {
        message: `${path}: there must be a maximum of ${p.limit} ${plural(p.limit, 'item')} in the array`,
      };
    case 'minLength':
      return { message: `${path}: must be at least ${p.limit} characters long` };
    case 'maxLength':
      return { message: `${path}: may only be ${p.limit} characters long` };
    case 'minimum':
      return { message: `${path}: must have a minimum value of ${p.limit}` };
    case 'maximum':
      return { message: `${path}: must have a maximum value of ${p.limit}` };
    case 'pattern':
      return { message: `${path}: does not match the regex pattern ${p.pattern}` };
    case 'enum':
      return {
        message: `${path}: does not have a value in the enumeration [${(p.allowedValues as unknown[]).join(', ')}]`,
      };
    case 'type':
      return { message: `${path}: ${describeType(error.data)} found, ${p.type} expected` };
    case 'uniqueItems':
      return { message: `${path}: the items in the array must be unique` };
    default:
      return { message: `${path}: ${error.message ?? 'is invalid'}` };
  }
}

function queryMessage(error: SchemaError): ValidationMessage {
  const name =
    error.instancePath.split('/').filter(Boolean)[0] ??
    String((error.params as { missingProperty?: string }).missingProperty ?? '');
  // For `required` Ajv hands over the whole query object (with a null prototype): not a value to print.
  const value = error.data === null || typeof error.data !== 'object' ? String(error.data ?? '') : '';
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { parameters: {}, message: `The \`${p.missingProperty}\` query parameter can not be empty` };
    case 'additionalProperties':
      return {
        parameters: { [String(p.additionalProperty)]: [''] },
        message: `The query parameter [${p.additionalProperty}] is not one of the parameters this endpoint accepts`,
      };
    default:
      return {
        parameters: { [name]: [value] },
        message: `The \`${name}\` query parameter value [${value}] is not valid`,
      };
  }
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function plural(n: unknown, word: string): string {
  return n === 1 ? word : `${word}s`;
}

function dedupe(messages: ValidationMessage[]): ValidationMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => !seen.has(m.message) && seen.add(m.message));
}
