/**
 * Old schema versions, turned into the current shape on read: consumers only ever see the current
 * version of an event. Each entry turns version n's data into version n + 1's.
 *
 * To change an event's data incompatibly: add `defineEvent(type, NewData, n + 1)`, add the
 * step from n here, and keep the contract snapshot of version n (test/contracts).
 */
export const upcasters: Record<string, Record<number, (data: Record<string, unknown>) => Record<string, unknown>>> = {
  // v1 had no channel: every notification was an e-mail.
  'notification.sent': { 1: (data) => ({ ...data, channel: 'email' }) },
  // v1 carried personal data and the payment token in clear; v2 seals them. What a v1 event holds
  // in clear is not passed on: consumers see it without them (payments declines, shipping waits).
  ...Object.fromEntries(
    [
      'order.placed',
      'order.confirmed',
      'order.cancellation_requested',
      'order.cancelled',
      'order.flagged',
      'order.shipped',
      'order.delivered',
    ].map((type) => [type, { 1: withoutClearValues }]),
  ),
  // v1 repeated the shipping address in clear; no one who hears of a shipment needs it.
  'shipment.created': { 1: ({ address: _, ...data }) => data },
};

function withoutClearValues({ shippingAddress: _a, email: _e, payment: _p, ...data }: Record<string, unknown>) {
  return data;
}

/** The event with its data upcast to `toVersion`; anything it cannot read is returned as it was. */
export function upcast(raw: unknown, toVersion: (type: string) => number | undefined): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const event = raw as { type?: unknown; schemaVersion?: unknown; data?: unknown };
  if (typeof event.type !== 'string' || typeof event.schemaVersion !== 'number') return raw;
  const target = toVersion(event.type);
  let { schemaVersion: version, data } = event as { schemaVersion: number; data: Record<string, unknown> };
  while (target !== undefined && version < target) {
    const step = upcasters[event.type]?.[version];
    if (!step || typeof data !== 'object' || data === null) return raw;
    data = step(data);
    version += 1;
  }
  return { ...event, schemaVersion: version, data };
}
