import { isNationPulseError } from '@nationpulse/domain';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { httpStatusOf, type ErrorBody } from '../error-mapping.ts';

const body = (code: string, message: string, details?: unknown): ErrorBody => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Fastify's own 4xx errors (bad JSON, too large, wrong media type) get stable codes too. */
const fastifyCodes: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

/**
 * Fastify's `frameworkErrors` option: errors raised before routing — a URL that is not valid
 * percent-encoded UTF-8 (`%FF`, `%ED%A0%80`, a lone `%`) — in the same shape and with a stable code,
 * instead of Fastify's own `{ error: "Bad Request", code: "FST_ERR_BAD_URL" }`.
 */
export const frameworkErrors = (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
  if (error.code === 'FST_ERR_BAD_URL') {
    void reply.status(400).send(body('BAD_URL', 'The URL is not validly percent-encoded'));
    return;
  }
  request.log.error({ err: error }, 'framework error');
  void reply.status(500).send(body('INTERNAL', 'An unexpected error occurred'));
};

/** One error handler per app: every failure becomes `{ error: { code, message, details } }`. */
export const installErrorHandler = (app: FastifyInstance): void => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const details = error.validation.map((v: { instancePath: string; message?: string }) => ({
        path: [error.validationContext, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message ?? 'invalid',
      }));
      return reply.status(400).send(body('VALIDATION_FAILED', 'The request is invalid', details));
    }
    if (isNationPulseError(error)) {
      const status = httpStatusOf[error.kind];
      if (status === 500) request.log.error({ err: error }, error.message);
      else if (status >= 500) request.log.warn({ code: error.code }, error.message);
      return reply.status(status).send(body(error.code, error.message, error.details));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const code = fastifyCodes[error.code] ?? (status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST');
      return reply.status(status).send(body(code, error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('INTERNAL', 'An unexpected error occurred'));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(body('ROUTE_NOT_FOUND', `No route ${request.method} ${request.url}`)));
};
