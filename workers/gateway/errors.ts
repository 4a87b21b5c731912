import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ErrorCode } from '../../shared/error-codes';
import { AppError } from '../../shared/errors';
import type { AppEnv } from './context';

/** `{"error":{"code","message","requestId"}}` with the given status; the code is one of the documented ones. */
export function errorResponse(c: Context<AppEnv>, status: ContentfulStatusCode, code: ErrorCode, message: string) {
  return c.json({ error: { code, message, requestId: c.get('requestId') } }, status);
}

/**
 * What Hono's own refusals (body parsing, media types) mean in the documented codes. Hono says
 * "Malformed JSON in request body" for a body that does not parse; that is the only 400 it raises here.
 */
function refusalOf(error: HTTPException): { code: ErrorCode; message: string } | null {
  if (error.status === 400 && /json/i.test(error.message))
    return { code: 'malformed_json', message: 'the request body is not valid JSON' };
  if (error.status === 415) return { code: 'unsupported_media_type', message: 'the request body must be application/json' };
  if (error.status === 413) return { code: 'payload_too_large', message: 'the request body is over the 64 KB limit' };
  return null;
}

/** The one error handler: expected errors keep their status and code; anything else is a logged 500. */
export const onError: ErrorHandler<AppEnv> = (error, c) => {
  if (error instanceof AppError) return errorResponse(c, error.status, error.code, error.message);
  const refusal = error instanceof HTTPException ? refusalOf(error) : null;
  if (refusal && error instanceof HTTPException)
    return errorResponse(c, error.status as ContentfulStatusCode, refusal.code, refusal.message);
  console.error(
    JSON.stringify({
      msg: 'unhandled error',
      requestId: c.get('requestId'),
      error: String(error),
      stack: (error as Error).stack,
    }),
  );
  return errorResponse(c, 500, 'internal', 'something went wrong on our side; the request id finds it in our log');
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, 404, 'not_found', `no route for ${c.req.method} ${c.req.path}`);

/** Answers a body over the limit: 413 `payload_too_large`, saying the limit. */
export const tooLarge = (c: Context<AppEnv>) =>
  errorResponse(c, 413, 'payload_too_large', 'the request body is over the 64 KB limit');

/** Renders a failed request validation as a 400 naming each bad field. */
export function validationHook(result: { success: true } | { success: false; error: ZodError }, c: Context<AppEnv>) {
  if (result.success) return;
  const message = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return errorResponse(c, 400, 'invalid_request', message);
}
