/**
 * Every code an error answer of the API can carry (`{"error":{"code","message","requestId"}}`),
 * with its status and what it means. One list: `AppError` takes only these codes, the OpenAPI
 * document publishes them (the Error schema), and a test keeps the README's table equal to it.
 * Messages say what was refused and why, never more than the caller should learn.
 */
export const errorCodes = {
  // The request itself
  malformed_json: { status: 400, meaning: 'The body is not valid JSON.' },
  invalid_request: { status: 400, meaning: 'The body, query or path breaks the schema; the message names each field and why.' },
  unsupported_media_type: { status: 415, meaning: 'A body that is not `application/json`.' },
  payload_too_large: { status: 413, meaning: 'The body is over 64 KB.' },
  not_found: { status: 404, meaning: 'No route for this method and path.' },
  // Customers' tokens
  missing_credentials: { status: 401, meaning: 'No `Authorization: Bearer …` header.' },
  invalid_token: {
    status: 401,
    meaning: 'Not a token signed for this API (malformed, wrong algorithm, unknown key, bad signature); never says which.',
  },
  token_expired: { status: 401, meaning: 'A genuine token past its `exp` (beyond the allowed clock skew).' },
  invalid_token_claims: {
    status: 401,
    meaning:
      'A genuine token whose claims do not hold; the message names the claim (`exp` missing, `iss`, `aud`, `nbf`, `iat`, `sub`).',
  },
  identity_provider_unavailable: {
    status: 503,
    meaning: "The identity provider's keys cannot be fetched and none are cached; try again shortly.",
  },
  // Operators' keys
  admin_key_required: { status: 401, meaning: 'A customer token on an admin route, which takes an operator key.' },
  invalid_admin_key: { status: 401, meaning: 'An operator key this API does not know.' },
  insufficient_scope: {
    status: 403,
    meaning: "A known operator key without the route's scope; the message names the scope needed and the key's scopes.",
  },
  // The carrier's webhook
  invalid_signature: {
    status: 401,
    meaning: 'A carrier webhook without a valid `Carrier-Signature` (missing, malformed, stale, or not matching).',
  },
  // Limits
  rate_limited: { status: 429, meaning: 'Too many requests from this client; see `Retry-After`.' },
  too_many_waits: { status: 429, meaning: 'Too many reads already waiting for writes (consistency tokens); see `Retry-After`.' },
  // Reads
  invalid_consistency_token: { status: 400, meaning: 'A consistency token this API did not issue (or altered).' },
  consistency_token_not_yours: { status: 403, meaning: 'A consistency token issued to another customer.' },
  invalid_cursor: { status: 400, meaning: 'A cursor this API did not return.' },
  order_not_found: { status: 404, meaning: "No such order for this customer (another customer's order is not found either)." },
  product_not_found: { status: 404, meaning: 'No product with this SKU.' },
  dead_letter_not_found: { status: 404, meaning: 'No dead letter with this id.' },
  webhook_not_found: { status: 404, meaning: 'No webhook subscription with this id.' },
  shipment_not_found: { status: 404, meaning: 'No shipment for this order (yet).' },
  customer_not_found: {
    status: 404,
    meaning: 'No order of this customer is known: nothing of theirs was sealed, so there is nothing to erase.',
  },
  // Business rules
  unknown_sku: { status: 422, meaning: 'An order line names a SKU the catalog does not have (yet).' },
  mixed_currencies: { status: 422, meaning: 'The order lines are priced in different currencies.' },
  idempotency_key_reused: { status: 422, meaning: 'This `Idempotency-Key` was used with another body.' },
  idempotency_in_flight: { status: 409, meaning: 'A request with this `Idempotency-Key` is still running.' },
  order_exists: { status: 409, meaning: 'The order already exists.' },
  not_cancellable: { status: 409, meaning: 'The order can no longer be cancelled (it has shipped).' },
  version_conflict: { status: 409, meaning: 'The order changed meanwhile; try again.' },
  customer_has_open_orders: {
    status: 409,
    meaning:
      'The customer has orders not yet shipped or cancelled, whose address is still needed; the message names them. Erase once they are settled.',
  },
  shipment_cancelled: { status: 409, meaning: 'The shipment was called off; a carrier update for it is refused.' },
  unknown_queue: { status: 409, meaning: 'A dead letter from a queue that cannot be redriven.' },
  replay_too_large: { status: 413, meaning: 'A replay of more events than one call may send; narrow the range.' },
  range_too_large: { status: 413, meaning: 'A time range longer than a year.' },
  webhook_url_refused: {
    status: 400,
    meaning:
      'A webhook URL that is not a public https endpoint (IP literal, localhost, private or metadata host, low port); the message says which.',
  },
  // The service
  overloaded: {
    status: 503,
    meaning:
      'Orders are running further behind than admission control allows; see `Retry-After`, and place the order again then.',
  },
  misconfigured: {
    status: 503,
    meaning: 'The service refuses to serve: a secret or setting is missing or weak (its operators see which in the log).',
  },
  metrics_unavailable: {
    status: 503,
    meaning:
      'Metrics are kept in Analytics Engine and the router cannot read them: ANALYTICS_ACCOUNT_ID or ANALYTICS_API_TOKEN is not set, or the SQL API refused.',
  },
  internal: { status: 500, meaning: 'Something failed on our side; the request id finds it in the log.' },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof errorCodes;
export const errorCodeNames = Object.keys(errorCodes) as [ErrorCode, ...ErrorCode[]];
