import { Type } from 'typebox';

/**
 * The response schema of every error (problem+json, RFC 9457, src/service/errors.ts), for routes'
 * `response` and the OpenAPI document. `errors` is declared so the serializer keeps it on a 422, and
 * further members are allowed, as RFC 9457 permits.
 */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: '`urn:xpost:problem:<code>`' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String({ description: 'What went wrong and how to fix it.' }),
    code: Type.String({ description: 'Stable code to switch on, such as `invalid_api_key`.' }),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          field: Type.String({ description: 'Where: `post.body`, `media[1].url`, a header or a parameter.' }),
          code: Type.String({ description: 'Stable: `required`, `too_long`, `in_the_past`, …' }),
          message: Type.String({ description: 'What is wrong and how to fix it.' }),
        }),
        { description: 'For `validation_failed` (422): every problem found.' },
      ),
    ),
  },
  { additionalProperties: true, description: 'An RFC 9457 problem.' },
);
