import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { AppError } from '../../shared/errors';
import type { AppEnv } from './context';

const codes: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'rate_limited',
};

/** `{"error":{"code","message","requestId"}}` with the given status. */
export function errorResponse(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, message: string) {
  return c.json({ error: { code, message, requestId: c.get('requestId') } }, status);
}

/** The one error handler: expected errors keep their status and code; anything else is a logged 500. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof AppError) return errorResponse(c, error.status, error.code, error.message);
  if (error instanceof HTTPException) {
    const response = errorResponse(
      c,
      error.status as ContentfulStatusCode,
      codes[error.status] ?? 'error',
      error.message || 'request failed',
    );
    const challenge = error.res?.headers.get('WWW-Authenticate');
    if (challenge) response.headers.set('WWW-Authenticate', challenge);
    return response;
  }
  console.error(
    JSON.stringify({
      msg: 'unhandled error',
      requestId: c.get('requestId'),
      error: String(error),
      stack: (error as Error).stack,
    }),
  );
  return errorResponse(c, 500, 'internal', 'something went wrong on our side');
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);

/** Renders a failed request validation as a 400 naming each bad field. */
export function validationHook(result: { success: true } | { success: false; error: ZodError }, c: Context<AppEnv>) {
  if (result.success) return;
  const message = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return errorResponse(c, 400, 'invalid_request', message);
}
