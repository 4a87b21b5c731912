import fc from 'fast-check';

/** One request the fuzzer sends; `body` is sent as is. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What the generators may use: credentials that are valid (customers only) and ids that exist. */
export interface FuzzWorld {
  /** Valid customer tokens of the fuzzer's own customers. */
  customerTokens: string[];
  /** A product whose state the fuzzer watches: it may be read and attacked, never changed. */
  targetSku: string;
}

const ascii = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });
const anyText = (maxLength: number) => fc.string({ unit: 'binary', maxLength });

const urlSafe = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return 'x';
  }
};

/** A path segment: the API's own words, ids, traversal tricks, or noise. */
const segment = (world: FuzzWorld) =>
  fc.oneof(
    fc.constantFrom(
      'v1',
      'orders',
      'products',
      'admin',
      'dead-letters',
      'webhooks',
      'carrier',
      'replay',
      'rebuild',
      'audit',
      'mail',
      'customers',
    ),
    fc.constantFrom(
      'reports',
      'sales',
      'timeline',
      'cancel',
      'redrive',
      'deliveries',
      'openapi.json',
      'docs',
      '..',
      '.',
      '%2e%2e',
    ),
    fc.constantFrom('%00', '%2f', '%5c', '~', '*', 'undefined', 'null', world.targetSku, 'TSHIRT-BLK-M', 'wh_1', 'dl_1'),
    fc.uuid(),
    fc.stringMatching(/^[A-Za-z0-9_~.-]{1,40}$/),
    anyText(30).map(urlSafe),
  );

const routes = [
  '/v1/orders',
  '/v1/orders/{id}',
  '/v1/orders/{id}/cancel',
  '/v1/orders/{id}/timeline',
  '/v1/products',
  '/v1/products/{id}',
  '/v1/admin/products/{id}',
  '/v1/admin/dead-letters',
  '/v1/admin/dead-letters/{id}',
  '/v1/admin/dead-letters/{id}/redrive',
  '/v1/admin/replay',
  '/v1/admin/rebuild',
  '/v1/admin/reports/sales',
  '/v1/admin/webhooks',
  '/v1/admin/webhooks/{id}',
  '/v1/admin/webhooks/{id}/deliveries',
  '/v1/admin/mail',
  '/v1/admin/audit',
  '/v1/admin/customers/{id}',
  '/v1/webhooks/carrier',
  '/openapi.json',
  '/',
];

const queryValue = fc.oneof(
  ascii(20),
  fc.integer().map(String),
  fc.constantFrom('-1', '0', '1e9', 'NaN', 'null', '[]', '{}', '2026-11-01', '2026-11-01T00:00:00Z', 'pending', '../../etc'),
);
const query = fc
  .dictionary(
    fc.constantFrom('limit', 'cursor', 'status', 'from', 'to', 'consistencyToken', 'actor', 'access_token', 'x'),
    queryValue,
    {
      maxKeys: 4,
    },
  )
  .map((q) => {
    const text = new URLSearchParams(q).toString();
    return text ? `?${text}` : '';
  });

const path = (world: FuzzWorld) =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...routes), segment(world), query).map(([r, id, q]) => r.replace('{id}', id) + q),
    },
    { weight: 1, arbitrary: fc.tuple(fc.array(segment(world), { maxLength: 6 }), query).map(([s, q]) => `/${s.join('/')}${q}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '//v1//orders',
        '/v1/orders/',
        '/V1/ORDERS',
        '/v1/./orders',
        '/v1/%2e%2e/admin/mail',
        `/${'a'.repeat(5000)}`,
      ),
    },
  );

/** A token that looks right and is not: tampered, re-signed with nothing, or noise. */
const forgedToken = (world: FuzzWorld) =>
  fc.oneof(
    fc
      .constantFrom(...world.customerTokens)
      .chain((t) =>
        fc.integer({ min: 0, max: t.length - 1 }).map((i) => `${t.slice(0, i)}${t[i] === 'A' ? 'B' : 'A'}${t.slice(i + 1)}`),
      ),
    fc.constantFrom(...world.customerTokens).map((t) => `${t.split('.').slice(0, 2).join('.')}.`),
    fc.constantFrom('undefined', 'null', '', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJjdXN0XzEifQ.', 'admin', 'cvk_guess'),
    fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,300}$/),
  );

const authorization = (world: FuzzWorld) =>
  fc.option(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...world.customerTokens).map((t) => `Bearer ${t}`) },
      { weight: 2, arbitrary: forgedToken(world).map((t) => `Bearer ${t}`) },
      { weight: 1, arbitrary: fc.constantFrom('Basic YWRtaW46YWRtaW4=', 'Bearer', 'bearer ', 'Token abc', 'Bearer a b c') },
      { weight: 1, arbitrary: ascii(100) },
    ),
    { nil: undefined },
  );

const headers = (world: FuzzWorld) =>
  fc
    .record(
      {
        authorization: authorization(world),
        'content-type': fc.constantFrom(
          'application/json',
          'application/json; charset=utf-8',
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          '',
        ),
        'idempotency-key': fc.oneof(ascii(300), fc.uuid()),
        'carrier-signature': fc.oneof(
          ascii(120),
          fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `t=${Math.floor(Date.now() / 1000)},v1=${h}`),
        ),
        traceparent: fc.oneof(ascii(60), fc.constant('00-00000000000000000000000000000000-0000000000000000-00')),
        'consistency-token': ascii(100),
        origin: fc.constantFrom('https://evil.example', 'null', 'http://localhost'),
        'x-forwarded-for': fc.constantFrom('127.0.0.1', '10.0.0.1', '::1'),
      },
      { requiredKeys: [] },
    )
    .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<string, string>);

/** SKUs the fuzzer orders: never one in the catalog, so no order it places can be accepted. */
const fuzzSku = fc.oneof(fc.stringMatching(/^FUZZ-[A-Z0-9]{1,10}$/), ascii(70), fc.constant(''));
const anything = fc.oneof(
  fc.integer(),
  fc.double(),
  ascii(20),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
);

const orderLike = fc.record(
  {
    items: fc.oneof(
      fc.array(fc.record({ sku: fuzzSku, quantity: anything, unitPriceCents: anything }, { requiredKeys: [] }), {
        maxLength: 60,
      }),
      anything,
    ),
    shippingAddress: fc.oneof(
      fc.record({
        name: ascii(50),
        line1: ascii(50),
        city: ascii(30),
        postalCode: ascii(12),
        country: fc.constantFrom('DE', 'FR', 'XX', 'Germany', ''),
      }),
      anything,
    ),
    payment: fc.oneof(fc.record({ token: fc.constantFrom('tok_visa', 'tok_chargeDeclined', '', 'x'.repeat(201)) }), anything),
    customerId: ascii(20),
    status: fc.constantFrom('confirmed', 'delivered'),
    totalCents: anything,
  },
  { requiredKeys: [] },
);

/** An order that passes validation but names SKUs the catalog does not have: it reaches the orders service. */
const nearlyValidOrder = fc
  .record({
    items: fc.array(fc.record({ sku: fc.stringMatching(/^FUZZ-[A-Z0-9]{1,10}$/), quantity: fc.integer({ min: 1, max: 1000 }) }), {
      minLength: 1,
      maxLength: 50,
    }),
    shippingAddress: fc.constant({ name: 'Fuzz', line1: '1 Fuzz St', city: 'Berlin', postalCode: '10115', country: 'DE' }),
    payment: fc.record({ token: fc.constantFrom('tok_visa', 'tok_chargeDeclined') }),
  })
  .map((o) => JSON.stringify(o));

const bodies = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: nearlyValidOrder },
  { weight: 3, arbitrary: orderLike.map((o) => JSON.stringify(o)) },
  {
    weight: 1,
    arbitrary: fc
      .record({ name: anything, priceCents: anything, currency: anything, stock: anything }, { requiredKeys: [] })
      .map((o) => JSON.stringify(o)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record(
        { id: ascii(40), orderId: fc.oneof(fc.uuid(), ascii(10)), status: fc.constantFrom('dispatched', 'delivered', 'lost') },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record(
        {
          url: fc.constantFrom(
            'http://127.0.0.1:22/',
            'https://169.254.169.254/',
            'file:///etc/passwd',
            'https://hooks.shop.example/x',
            'gopher://x',
          ),
          eventTypes: fc.array(ascii(20), { maxLength: 3 }),
        },
        { requiredKeys: [] },
      )
      .map((o) => JSON.stringify(o)),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ from: ascii(30), to: ascii(30), types: anything, subscribers: anything }, { requiredKeys: [] })
      .map((o) => JSON.stringify(o)),
  },
  { weight: 2, arbitrary: fc.json({ maxDepth: 4 }) },
  { weight: 2, arbitrary: anyText(300) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => `{"pad":"${'x'.repeat(n)}"}`) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 3_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`) },
);

/** Requests with no regard for the API: any route, method, header and body. */
const anyRequest = (world: FuzzWorld) =>
  fc
    .record({
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE') },
        // Only methods the runtime hands to a Worker: workerd (and Cloudflare's edge) answer others, such as
        // PROPFIND or made-up ones, with 501 before any Worker code runs; fetch refuses CONNECT, TRACE and TRACK.
        { weight: 2, arbitrary: fc.constantFrom('PATCH', 'HEAD', 'OPTIONS') },
      ),
      path: path(world),
      headers: headers(world),
      body: bodies,
    })
    .map((r) => (r.method === 'GET' || r.method === 'HEAD' ? { ...r, body: undefined } : r));

const json = <T>(arbitrary: fc.Arbitrary<T>) => arbitrary.map((v) => JSON.stringify(v));
const productLike = json(
  fc.record({ name: anything, priceCents: anything, currency: anything, stock: anything }, { requiredKeys: [] }),
);

/**
 * Requests as a client of the API makes them (the right method, path and content type, a customer's
 * own token most of the time), with the body, ids and credentials fuzzed: these get past the edge
 * and reach validation, the services and their refusals.
 */
const apiRequest = (world: FuzzWorld) => {
  const customer = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...world.customerTokens) },
    { weight: 1, arbitrary: forgedToken(world) },
  );
  const operator = fc.oneof(customer, forgedToken(world));
  const id = fc.oneof(fc.uuid(), segment(world));
  const sku = fc.oneof(fc.constant(world.targetSku), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,70}$/), segment(world));
  const call = (method: string, route: fc.Arbitrary<string>, token: fc.Arbitrary<string>, body?: fc.Arbitrary<string>) =>
    fc.record({
      method: fc.constant(method),
      path: fc.tuple(route, query).map(([p, q]) => p + q),
      headers: fc.tuple(token, fc.option(fc.uuid(), { nil: undefined })).map(([t, key]) => ({
        authorization: `Bearer ${t}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      })),
      body: body ?? fc.constant(undefined),
    });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: call(
        'POST',
        fc.constant('/v1/orders'),
        customer,
        fc.oneof(
          nearlyValidOrder,
          json(orderLike),
          bodies.map((b) => b ?? ''),
        ),
      ),
    },
    { weight: 2, arbitrary: call('GET', fc.constant('/v1/orders'), customer) },
    {
      weight: 2,
      arbitrary: call(
        'GET',
        id.map((i) => `/v1/orders/${i}`),
        customer,
      ),
    },
    {
      weight: 1,
      arbitrary: call(
        'POST',
        id.map((i) => `/v1/orders/${i}/cancel`),
        customer,
      ),
    },
    {
      weight: 1,
      arbitrary: call(
        'GET',
        id.map((i) => `/v1/orders/${i}/timeline`),
        customer,
      ),
    },
    { weight: 1, arbitrary: call('GET', fc.constant('/v1/products'), customer) },
    {
      weight: 2,
      arbitrary: call(
        'GET',
        sku.map((k) => `/v1/products/${k}`),
        customer,
      ),
    },
    {
      weight: 1,
      arbitrary: call(
        'PUT',
        sku.map((k) => `/v1/admin/products/${k}`),
        operator,
        productLike,
      ),
    },
    {
      weight: 1,
      arbitrary: call(
        'POST',
        fc.constant('/v1/admin/webhooks'),
        operator,
        bodies.map((b) => b ?? ''),
      ),
    },
    {
      weight: 1,
      arbitrary: call(
        'POST',
        fc.constant('/v1/admin/replay'),
        operator,
        bodies.map((b) => b ?? ''),
      ),
    },
    {
      weight: 1,
      arbitrary: call(
        'POST',
        fc.constant('/v1/webhooks/carrier'),
        customer,
        bodies.map((b) => b ?? ''),
      ),
    },
  );
};

/** Requests as an attacker would send them: half well-formed calls with fuzzed parts, half anything at all. */
export const fuzzRequest = (world: FuzzWorld): fc.Arbitrary<FuzzRequest> =>
  fc
    .oneof(apiRequest(world), anyRequest(world))
    .map((r) => (r.method === 'GET' || r.method === 'HEAD' ? { ...r, body: undefined } : r));
