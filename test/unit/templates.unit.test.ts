import { describe, expect, it } from 'vitest';
import { mailFor } from '../../workers/notifications/templates';
import { makeEvent } from '../helpers/events';
import { makeOrder, placeholderSealed } from '../helpers/fixtures';

const order = (overrides: Parameters<typeof makeOrder>[0] = {}) => {
  const { payment: _, ...snapshot } = makeOrder(overrides);
  return snapshot;
};

describe('customer e-mail templates', () => {
  it('sends nothing for a placed order: the confirmation follows within a second', () => {
    expect(mailFor(makeEvent('order.placed', makeOrder()))).toBeNull();
  });

  it('confirms an order in text and HTML, with every line and the total', () => {
    const confirmed = order({ status: 'confirmed' });
    const mail = mailFor(makeEvent('order.confirmed', confirmed))!;
    expect(mail).toMatchObject({ orderId: confirmed.id, to: 'cust_1', subject: `Order ${confirmed.id.slice(0, 8)} confirmed` });
    expect(mail.body).toBe('Thank you! We are preparing your order:\n2 × T-shirt\nTotal: 38.00 EUR');
    expect(mail.html).toContain('<td style="padding:4px 0">2 × T-shirt</td>');
    expect(mail.html).toContain('Total: 38.00 EUR');
    expect(mail.html).toMatch(/^<!doctype html><html lang="en">.*<\/html>$/s);
  });

  it('says why an order was cancelled', () => {
    const cancelled = { ...order({ status: 'cancelled' }), status: 'cancelled' as const, cancelReason: 'out_of_stock' as const };
    const mail = mailFor(makeEvent('order.cancelled', cancelled))!;
    expect(mail.body).toBe('Your order was cancelled because an item is out of stock. Any payment is returned in full.');
    expect(mail.html).toContain('because an item is out of stock');
  });

  it('gives the tracking number of a shipped order, and says when it was delivered', () => {
    const shipped = mailFor(makeEvent('order.shipped', { ...order({ status: 'shipped' }), trackingNumber: 'TRK-9' }))!;
    expect(shipped.body).toBe('Your order has left our warehouse. Tracking number: TRK-9.');
    expect(mailFor(makeEvent('order.delivered', order({ status: 'delivered' })))!.subject).toMatch(/ delivered$/);
  });

  it('never lets a product name or tracking number become markup', () => {
    const evil = order({
      status: 'confirmed',
      items: [{ sku: 'X', name: '<img src=x onerror=alert(1)>', quantity: 1, unitPriceCents: 1 }],
    });
    const mail = mailFor(makeEvent('order.confirmed', evil))!;
    expect(mail.html).not.toContain('<img');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.body).toContain('<img src=x onerror=alert(1)>');
  });

  it('names the customer by id and leaves the e-mail, sealed in the event, to the consumer that opens it through the vault', () => {
    const confirmed = order({ status: 'confirmed', email: placeholderSealed('email') });
    const mail = mailFor(makeEvent('order.confirmed', confirmed));
    expect(mail).toMatchObject({ to: 'cust_1' });
    expect(mail).not.toHaveProperty('email');
  });
});
