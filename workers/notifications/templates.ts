import type { OrderEvent } from '../../shared/events';

export interface Mail {
  orderId: string;
  /** The customer it is for, by id: what the mail log and `notification.sent` show. */
  to: string;
  /** The customer's address, when the order carries one; without it the mail stays in the sink. */
  email?: string;
  subject: string;
  /** Plain text, which every client can show and the sink keeps. */
  body: string;
  html: string;
}

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

const reasons = {
  payment_declined: 'your payment was declined',
  out_of_stock: 'an item is out of stock',
  timeout: 'we could not complete it in time',
  customer_request: 'you asked us to',
} as const;

/** What a message says, once: a heading, paragraphs and optional order lines, rendered as text and as HTML. */
interface Content {
  subject: string;
  heading: string;
  paragraphs: string[];
  lines?: { text: string }[];
  total?: string;
}

/**
 * The message a customer gets for an order event, if any. Its `email` is the order's e-mail, which
 * the consumer opens through the vault (events carry it sealed); without one the mail stays in the sink.
 */
export function mailFor(event: OrderEvent): Mail | null {
  const order = event.data;
  const content = contentFor(event);
  if (!content) return null;
  return {
    orderId: order.id,
    to: order.customerId,
    subject: content.subject,
    body: text(content),
    html: html(content),
  };
}

function contentFor(event: OrderEvent): Content | null {
  const order = event.data;
  const short = order.id.slice(0, 8);
  switch (event.type) {
    case 'order.placed':
    // A cancellation request is answered by its outcome (cancelled, or the parcel's dispatch); a flag is for operators.
    case 'order.cancellation_requested':
    case 'order.flagged':
      return null;
    case 'order.confirmed':
      return {
        subject: `Order ${short} confirmed`,
        heading: 'Order confirmed',
        paragraphs: ['Thank you! We are preparing your order:'],
        lines: event.data.items.map((i) => ({ text: `${i.quantity} × ${i.name}` })),
        total: money(order.totalCents, order.currency),
      };
    case 'order.shipped': {
      const tracking = event.data.trackingNumber ? ` Tracking number: ${event.data.trackingNumber}.` : '';
      return {
        subject: `Order ${short} is on its way`,
        heading: 'On its way',
        paragraphs: [`Your order has left our warehouse.${tracking}`],
      };
    }
    case 'order.delivered':
      return { subject: `Order ${short} delivered`, heading: 'Delivered', paragraphs: ['Your order was delivered. Enjoy!'] };
    case 'order.cancelled':
      return {
        subject: `Order ${short} cancelled`,
        heading: 'Order cancelled',
        paragraphs: [`Your order was cancelled because ${reasons[event.data.cancelReason]}. Any payment is returned in full.`],
      };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function text(c: Content): string {
  return [...c.paragraphs, ...(c.lines ?? []).map((l) => l.text), ...(c.total ? [`Total: ${c.total}`] : [])].join('\n');
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Product names, tracking numbers and the like come from outside: never markup. */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => escapes[ch]!);

function html(c: Content): string {
  const paragraphs = c.paragraphs.map((p) => `<p style="margin:0 0 12px">${escapeHtml(p)}</p>`).join('');
  const rows = (c.lines ?? []).map((l) => `<tr><td style="padding:4px 0">${escapeHtml(l.text)}</td></tr>`).join('');
  const total = c.total ? `<tr><td style="padding:8px 0 0;font-weight:bold">Total: ${escapeHtml(c.total)}</td></tr>` : '';
  const table = rows || total ? `<table role="presentation" style="border-collapse:collapse">${rows}${total}</table>` : '';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(c.subject)}</title></head>` +
    '<body style="margin:0;padding:24px;font-family:system-ui,sans-serif;color:#1f2328;background:#fff">' +
    `<h1 style="font-size:20px;margin:0 0 16px">${escapeHtml(c.heading)}</h1>${paragraphs}${table}</body></html>`
  );
}
