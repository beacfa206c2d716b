import { validatorCompiler } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApiKeyBody, createProjectBody, paginationQuery } from '@swiftcloud/contracts';
import { issuesToDetails } from './error-handler.js';

type Issues = Parameters<typeof issuesToDetails>[0];

/** The issues Fastify hands the error handler when `schema` refuses `data`, as the app compiles it. */
function issuesOf(schema: z.ZodType, data: unknown): Issues {
  const validate = validatorCompiler({ schema, method: 'POST', url: '/x', httpPart: 'body' });
  const result = validate(data) as { error?: unknown };
  if (!result.error) throw new Error(`expected ${JSON.stringify(data)} to be refused`);
  return result.error as Issues;
}

describe('issuesToDetails', () => {
  it('names the request field an issue is about, by its own snake_case name', () => {
    const details = issuesToDetails(
      issuesOf(createApiKeyBody, { name: 'ci', project_id: 'nope' }),
      'body',
    );
    expect(details).toEqual([{ field: 'project_id', message: expect.stringMatching(/UUID/) }]);
  });

  it('names every unknown field, one detail each', () => {
    const details = issuesToDetails(
      issuesOf(createProjectBody, { name: 'x', sshkey: 'a', colour: 'b' }),
      'body',
    );
    expect(details).toEqual([
      { field: 'sshkey', message: 'Unknown field sshkey: remove it or check its spelling' },
      { field: 'colour', message: 'Unknown field colour: remove it or check its spelling' },
    ]);
  });

  it('joins nested paths with dots, for unknown keys too', () => {
    const schema = z.strictObject({
      items: z.array(z.strictObject({ name: z.string().max(3, 'too long') })),
    });
    expect(
      issuesToDetails(issuesOf(schema, { items: [{ name: 'ok' }, { name: 'long' }] }), 'body'),
    ).toEqual([{ field: 'items.1.name', message: 'too long' }]);
    expect(issuesToDetails(issuesOf(schema, { items: [{ name: 'a', extra: 1 }] }), 'body')).toEqual(
      [
        {
          field: 'items.0.extra',
          message: 'Unknown field items.0.extra: remove it or check its spelling',
        },
      ],
    );
  });

  it('says a missing field is required', () => {
    expect(issuesToDetails(issuesOf(createProjectBody, {}), 'body')).toEqual([
      { field: 'name', message: 'name is required' },
    ]);
  });

  it('says a null field must not be null', () => {
    expect(issuesToDetails(issuesOf(createProjectBody, { name: null }), 'body')).toEqual([
      { field: 'name', message: 'name must not be null' },
    ]);
  });

  it('keeps the schema’s own message for other issues', () => {
    expect(issuesToDetails(issuesOf(createProjectBody, { name: 'x'.repeat(65) }), 'body')).toEqual([
      { field: 'name', message: 'Name must be at most 64 characters' },
    ]);
  });

  it('names the whole body when the body itself is missing or not an object', () => {
    expect(issuesToDetails(issuesOf(createProjectBody, undefined), 'body')).toEqual([
      { field: 'body', message: 'A JSON body is required' },
    ]);
    // A PATCH sent without a body arrives as null: it is missing, not a null field.
    expect(issuesToDetails(issuesOf(createProjectBody, null), 'body')).toEqual([
      { field: 'body', message: 'A JSON body is required' },
    ]);
    const [array] = issuesToDetails(issuesOf(createProjectBody, []), 'body');
    expect(array?.field).toBe('body');
  });

  it('names query parameters and path parameters by their names', () => {
    expect(
      issuesToDetails(issuesOf(paginationQuery, { per_page: '1e400' }), 'querystring'),
    ).toEqual([{ field: 'per_page', message: expect.any(String) }]);
    const params = z.object({ id: z.uuid({ message: 'Must be a UUID' }) });
    expect(issuesToDetails(issuesOf(params, { id: 'x' }), 'params')).toEqual([
      { field: 'id', message: 'Must be a UUID' },
    ]);
  });

  it('names the part of the request for an issue about the whole of it', () => {
    const refined = z.object({}).refine(() => false, { message: 'Send something' });
    expect(issuesToDetails(issuesOf(refined, {}), 'querystring')).toEqual([
      { field: 'query', message: 'Send something' },
    ]);
    expect(issuesToDetails(issuesOf(refined, {}), 'params')).toEqual([
      { field: 'path', message: 'Send something' },
    ]);
    expect(issuesToDetails(issuesOf(refined, {}), undefined)).toEqual([
      { field: 'body', message: 'Send something' },
    ]);
  });

  it('maps hand-made issues in the shape Fastify passes on', () => {
    expect(
      issuesToDetails(
        [
          {
            keyword: 'unrecognized_keys',
            instancePath: '/',
            message: 'Unrecognized key',
            params: { keys: ['a', 'b'] },
          },
          {
            keyword: 'invalid_type',
            instancePath: '/owner/email',
            message: 'Invalid input: expected string, received undefined',
            params: {},
          },
        ],
        'body',
      ),
    ).toEqual([
      { field: 'a', message: 'Unknown field a: remove it or check its spelling' },
      { field: 'b', message: 'Unknown field b: remove it or check its spelling' },
      { field: 'owner.email', message: 'owner.email is required' },
    ]);
  });
});
