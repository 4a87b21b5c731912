import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, errorCodes } from './error-codes';

/** The one error shape every service returns over RPC and the gateway returns over HTTP. */
export interface ErrorBody {
  /** One of the documented codes (shared/error-codes.ts). */
  code: ErrorCode;
  message: string;
  status: ContentfulStatusCode;
}

/** An expected failure with a machine-readable code; the gateway's `onError` renders it. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;

  constructor({ code, message, status }: ErrorBody) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message, status: this.status };
  }
}

/**
 * What an RPC method answers: errors thrown across a service binding keep only their message,
 * so expected failures travel as values and are turned back into {@link AppError} by {@link unwrap}.
 */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

export const ok = <T>(value: T): Reply<T> => ({ ok: true, value });
export const fail = (error: ErrorBody): Reply<never> => ({ ok: false, error });

/** Runs `work`, answering its value, or the error of an {@link AppError} it throws. */
export async function reply<T>(work: () => T | Promise<T>): Promise<Reply<T>> {
  try {
    return ok(await work());
  } catch (error) {
    if (error instanceof AppError) return fail(error.toJSON());
    throw error;
  }
}

/** The value of a reply, or its error thrown as an {@link AppError}. */
export function unwrap<T>(result: Reply<T>): T {
  if (result.ok) return result.value;
  throw new AppError(result.error);
}

/** A refusal by pure domain code: a documented code and a message; its status comes from the one table. */
export class DomainError extends AppError {
  constructor(code: ErrorCode, message: string) {
    super({ code, message, status: errorCodes[code].status as ContentfulStatusCode });
    this.name = 'DomainError';
  }
}
