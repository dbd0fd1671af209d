import type { RouteAuth, UserAuthContext } from './auth.js';
import type { FaultRule } from './faults.js';
import type { RequestLogEntry } from './state/types.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Present on X API routes that need a user: the scopes and whether the route writes. The
     * app's preValidation hook checks the caller, counts the request against the rate limits and puts
     * the caller on `request.xAuth`.
     */
    auth?: RouteAuth;
  }
  interface FastifyRequest {
    /** The authenticated caller on routes with `config.auth`. */
    xAuth?: UserAuthContext;
    /** This request's entry in the request log (X API routes only); routes may add `meta`. */
    xLog?: RequestLogEntry;
    /** The fault rules that fired for this request. */
    xFaults?: FaultRule[];
  }
}
