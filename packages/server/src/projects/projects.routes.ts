import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  addMemberBody,
  createProjectBody,
  idParams,
  memberListResponse,
  memberParams,
  memberResponse,
  paginationQuery,
  projectListResponse,
  projectResponse,
  updateMemberBody,
  updateProjectBody,
} from '@swiftcloud/contracts';
import { principalOf } from '../auth/principal.js';
import { listOf, noContent, responses } from '../platform/routes.js';
import type { ProjectsService } from './projects.service.js';

const tags = ['projects'];

export function projectsRoutes({ projects }: { projects: ProjectsService }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/projects',
      {
        schema: {
          tags,
          summary: "List the caller's projects",
          querystring: paginationQuery,
          response: responses({ 200: projectListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await projects.list(principalOf(request), request.query);
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/projects',
      {
        schema: {
          tags,
          summary: 'Create a project (the caller becomes its owner)',
          body: createProjectBody,
          response: responses({ 201: projectResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({ data: await projects.create(principalOf(request), request.body) }),
    );

    app.get(
      '/projects/:id',
      {
        schema: {
          tags,
          summary: 'Get a project',
          params: idParams,
          response: responses({ 200: projectResponse }),
        },
      },
      async (request) => ({ data: await projects.get(principalOf(request), request.params.id) }),
    );

    app.patch(
      '/projects/:id',
      {
        schema: {
          tags,
          summary: 'Rename a project or change its description',
          params: idParams,
          body: updateProjectBody,
          response: responses({ 200: projectResponse }),
        },
      },
      async (request) => ({
        data: await projects.update(principalOf(request), request.params.id, request.body),
      }),
    );

    app.delete(
      '/projects/:id',
      {
        schema: {
          tags,
          summary: 'Delete an empty project (no resources, zero balance)',
          params: idParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await projects.delete(principalOf(request), request.params.id);
        return noContent(reply);
      },
    );

    app.get(
      '/projects/:id/members',
      {
        schema: {
          tags,
          summary: "List a project's members",
          params: idParams,
          querystring: paginationQuery,
          response: responses({ 200: memberListResponse }),
        },
      },
      async (request) => {
        const { data, total } = await projects.listMembers(
          principalOf(request),
          request.params.id,
          request.query,
        );
        return listOf(data, total, request.query);
      },
    );

    app.post(
      '/projects/:id/members',
      {
        schema: {
          tags,
          summary: 'Add a member by the email of their account',
          params: idParams,
          body: addMemberBody,
          response: responses({ 201: memberResponse }),
        },
      },
      async (request, reply) =>
        reply.code(201).send({
          data: await projects.addMember(principalOf(request), request.params.id, request.body),
        }),
    );

    app.patch(
      '/projects/:id/members/:user_id',
      {
        schema: {
          tags,
          summary: "Change a member's role",
          params: memberParams,
          body: updateMemberBody,
          response: responses({ 200: memberResponse }),
        },
      },
      async (request) => ({
        data: await projects.changeMemberRole(
          principalOf(request),
          request.params.id,
          request.params.user_id,
          request.body.role,
        ),
      }),
    );

    app.delete(
      '/projects/:id/members/:user_id',
      {
        schema: {
          tags,
          summary: 'Remove a member (or leave the project)',
          params: memberParams,
          response: responses({ 204: z.null() }),
        },
      },
      async (request, reply) => {
        await projects.removeMember(
          principalOf(request),
          request.params.id,
          request.params.user_id,
        );
        return noContent(reply);
      },
    );
  };
}
