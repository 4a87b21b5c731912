import type {
  AuthorizeRequest,
  AuthorizeResult,
  LookupRequest,
  LookupResult,
  PaymentMessage,
  ProviderCall,
  ReferencedRequest,
} from './payment';

/**
 * A payment provider: the sandbox locally, a card processor's REST API in production. A business
 * "no" is an answer (`declined`); anything else that stops a call throws a {@link ProviderError}.
 * The provider must treat a repeat with the same idempotency key as the same request.
 */
export interface PaymentProvider {
  authorize(request: AuthorizeRequest): Promise<AuthorizeResult>;
  capture(request: ReferencedRequest): Promise<void>;
  void(request: ReferencedRequest): Promise<void>;
  refund(request: ReferencedRequest): Promise<void>;
  /** Finds the authorization made for the order (with this idempotency key), if any holds or held money. */
  lookup(request: LookupRequest): Promise<LookupResult>;
}

/**
 * A call the provider did not answer with a result. `transient`: it may succeed if repeated
 * (timeout, network, 408/409/429, 5xx), and the request may have taken effect; otherwise the
 * provider refused it and repeating it will not help.
 */
export class ProviderError extends Error {
  override name = 'ProviderError';
  readonly transient: boolean;

  constructor(message: string, options: { transient: boolean }) {
    super(message);
    this.transient = options.transient;
  }
}

/**
 * Makes `call` and answers the message that tells the decider how it went. Never throws: an error
 * that is not a {@link ProviderError} (a bug, a broken response) counts as transient, so the call
 * is repeated with its idempotency key rather than its effect assumed.
 */
export async function perform(provider: PaymentProvider, call: ProviderCall): Promise<PaymentMessage> {
  try {
    switch (call.call) {
      case 'authorize':
        return { type: 'ProviderAnswered', call: 'authorize', result: await provider.authorize(call) };
      case 'capture':
        await provider.capture(call);
        return { type: 'ProviderAnswered', call: 'capture', result: { outcome: 'done' } };
      case 'void':
        await provider.void(call);
        return { type: 'ProviderAnswered', call: 'void', result: { outcome: 'done' } };
      case 'refund':
        await provider.refund(call);
        return { type: 'ProviderAnswered', call: 'refund', result: { outcome: 'done' } };
      case 'lookup':
        return { type: 'ProviderAnswered', call: 'lookup', result: await provider.lookup(call) };
      default: {
        const _: never = call;
        return _;
      }
    }
  } catch (error) {
    const transient = error instanceof ProviderError ? error.transient : true;
    console.error(
      JSON.stringify({
        msg: 'payment provider call failed',
        call: call.call,
        orderId: call.orderId,
        transient,
        error: String(error),
      }),
    );
    return { type: 'ProviderFailed', call: call.call, error: String(error), transient };
  }
}
