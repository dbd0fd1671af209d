import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';

// PLACEHOLDER: being written now.
export function registerUserRoutes(_app: FastifyInstance, _ctx: EmulatorContext): void {}
