// No imports: the bench (Node) reads this as well as the chain Worker.

/** The services the chain calls, in the order it calls them. */
export const HOPS = ['inventory', 'payments', 'shipping', 'notifications'] as const;
export type HopName = (typeof HOPS)[number];
