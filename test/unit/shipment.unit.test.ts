import { describe, expect, it } from 'vitest';
import { applyCarrierUpdate } from '../../workers/shipping/shipment';

describe('carrier updates', () => {
  it('dispatches a created shipment, then delivers it', () => {
    expect(applyCarrierUpdate('created', 'dispatched')).toEqual(['dispatched']);
    expect(applyCarrierUpdate('dispatched', 'delivered')).toEqual(['delivered']);
  });

  it('passes through dispatched when delivery is reported first', () => {
    expect(applyCarrierUpdate('created', 'delivered')).toEqual(['dispatched', 'delivered']);
  });

  it('changes nothing for news it already has', () => {
    expect(applyCarrierUpdate('dispatched', 'dispatched')).toEqual([]);
    expect(applyCarrierUpdate('delivered', 'dispatched')).toEqual([]);
    expect(applyCarrierUpdate('delivered', 'delivered')).toEqual([]);
  });

  it('refuses updates for unknown or cancelled shipments', () => {
    expect(() => applyCarrierUpdate(null, 'dispatched')).toThrow(expect.objectContaining({ status: 404 }));
    expect(() => applyCarrierUpdate('cancelled', 'dispatched')).toThrow(
      expect.objectContaining({ code: 'shipment_cancelled', status: 409 }),
    );
  });
});
