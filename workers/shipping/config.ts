import { BusBindings } from '../../shared/bus';

/** Shipping reads no settings yet, only the bus it publishes on. */
export const ShippingConfig = BusBindings;
