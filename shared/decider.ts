/**
 * The one shape of every aggregate (order, SKU stock, payment, shipment): pure functions over a
 * union of messages, a union of events and a state, with no bindings and no I/O. A Durable Object
 * is a thin shell around one: load the state, `decide`, persist the events with the outbox in one
 * transaction, answer. Time is passed in.
 *
 * What every message does in every state is written down (an exhaustive `switch` with a `never`
 * check): a late or repeated message in a later state emits nothing new.
 */
export interface Decider<Message, State, Event> {
  readonly initialState: State;
  decide(message: Message, state: State, now: Date): Event[];
  evolve(state: State, event: Event): State;
}

/** The state after `events`, from the decider's initial state. */
export function fold<S, E>(decider: Pick<Decider<unknown, S, E>, 'initialState' | 'evolve'>, events: readonly E[]): S {
  return events.reduce(decider.evolve, decider.initialState);
}
