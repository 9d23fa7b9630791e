import { z } from 'zod';
import { classificationResultSchema } from '../classification.js';
import { sentimentAnswerSchema } from '../sentiment.js';

/** The JSON schemas sent as response_format for structured output, built from the zod contracts. */

/** Makes a zod-generated JSON schema acceptable to OpenAI's strict structured output. */
export function strictJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const visit = (node: unknown, path: string): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => visit(item, `${path}[${i}]`));
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$schema') continue;
      if (key === 'oneOf') out.anyOf = visit(value, `${path}.anyOf`);
      // `const` is not understood by every compatible server; a one-value enum is.
      else if (key === 'const') out.enum = [value];
      else out[key] = visit(value, `${path}.${key}`);
    }
    if (out.type === 'object' && out.properties && typeof out.properties === 'object') {
      const keys = Object.keys(out.properties);
      const required = Array.isArray(out.required) ? out.required : [];
      const optional = keys.filter((k) => !required.includes(k));
      // Strict mode needs every property required (nullable instead of optional): fail at start-up, not per call.
      if (optional.length > 0) throw new Error(`${path}: optional properties ${optional.join(', ')}`);
      out.additionalProperties = false;
    }
    return out;
  };
  return visit(schema, '$') as Record<string, unknown>;
}

export const classificationJsonSchema = strictJsonSchema(z.toJSONSchema(classificationResultSchema));
export const sentimentJsonSchema = strictJsonSchema(z.toJSONSchema(sentimentAnswerSchema));
