// The whole order flow in one process: every decider, wired by a simulated bus that uses the real
// subscriptions and event schemas, driven by a schedule of choices (see `Simulation.step`).
import { type Event, type EventType, parseEvent } from '../../shared/events';
import { factId } from '../../shared/ids';
import { type Cause, newEvent } from '../../shared/publish';
import { fromBase64Url, type Sealed, toBase64Url } from '../../shared/sealed';
import { type Subscriber, subscribersOf } from '../../shared/subscriptions';
import { holdsLine, type Split, shares, stopsWalk, walk } from '../../workers/inventory/buckets';
import {
  commitOutcome,
  type Hold,
  type HoldStatus,
  mergeLines,
  releaseOutcome,
  reservationOutcome,
  type StockEvent,
  type StockMessage,
  sku as skuDecider,
  type Transfer,
} from '../../workers/inventory/stock';
import { mailFor } from '../../workers/notifications/templates';
import {
  announce as announceOrder,
  askedAgain,
  deadline,
  type Fact,
  initialOrder,
  milestoneOf,
  type Order,
  type Announcement as OrderAnnouncement,
  type OrderCommand,
  order as orderDecider,
  type SagaPolicy,
} from '../../workers/orders/order';
import {
  announce as announcePayment,
  type Payment,
  type Announcement as PaymentAnnouncement,
  type PaymentMessage,
  type PaymentPolicy,
  type ProviderCall,
  paymentDecider,
  nextWake as paymentWake,
  pendingCall,
} from '../../workers/payments/payment';
import {
  announce as announceShipment,
  answerAgain,
  type Shipment,
  type Announcement as ShipmentAnnouncement,
  type ShipmentMessage,
  shipment as shipmentDecider,
  nextWake as shipmentWake,
} from '../../workers/shipping/shipment';

export const SAGA: SagaPolicy = { timeoutMs: 30_000, maxNudges: 2 };
export const PAYMENT: PaymentPolicy = { giveUpAfterMs: 60_000, firstRetryMs: 1_000, maxRetryMs: 60_000, lookupSettleMs: 30_000 };
export const HOLD_TTL_MS = 900_000;
const MAX_ORDER_AGE_MS = 7 * 24 * 3600_000;
const RESEND_AFTER_MS = 5_000;
const TRANSFER_RETRY_MS = 5_000;

/**
 * A message in a queue: a packet of events for one subscriber (as the router sends them, see
 * `shared/packet.ts`), acked only when every event in it is handled.
 */
export interface Message {
  seq: number;
  to: Subscriber;
  events: Event[];
}

/** What a message holds, for the schedule's log. */
export const describe = (m: Message) => `${m.events.map((e) => e.type).join('+')} to ${m.to}`;

/** A Durable Object's outbox: staged events, sent or not. */
class Outbox {
  readonly rows = new Map<string, { event: Event; sent: boolean; stagedAt: number }>();
  add(events: readonly Event[], now: number) {
    for (const e of events) if (!this.rows.has(e.id)) this.rows.set(e.id, { event: e, sent: false, stagedAt: now });
  }
  /** As Outbox.announce: a fact already staged is sent again. */
  announce(events: readonly Event[], now: number) {
    for (const e of events) {
      const row = this.rows.get(e.id);
      if (row) {
        row.sent = false;
        row.stagedAt = now;
      } else this.rows.set(e.id, { event: e, sent: false, stagedAt: now });
    }
  }
  unsent(): Event[] {
    return [...this.rows.values()].filter((r) => !r.sent).map((r) => r.event);
  }
  markSent() {
    for (const row of this.rows.values()) row.sent = true;
  }
  nextWake(): number {
    const times = [...this.rows.values()].filter((r) => !r.sent).map((r) => r.stagedAt + RESEND_AFTER_MS);
    return times.length ? Math.min(...times) : Number.POSITIVE_INFINITY;
  }
}

/** The payment provider: the truth about money, and whether it answers. */
interface Intent {
  reference: string;
  amount: number;
  status: 'authorized' | 'captured' | 'voided' | 'refunded';
  captures: number;
  voids: number;
  refunds: number;
}

export type ProviderMode = 'up' | 'flaky' | 'down' | 'lossy';

export interface Violation {
  invariant: string;
  detail: string;
}

/** What the simulation was asked to do, for a replayable, readable schedule. */
export type Action = { t: number; what: string };

export interface WorldOptions {
  skus: Record<string, number>;
  /** How many buckets each SKU's stock is split into (buckets.ts); 1 for a SKU not named. */
  buckets?: Record<string, number>;
  orders: { lines: { sku: string; quantity: number }[]; token: string; at: number }[];
}

/** One InventoryDO: a SKU, or one bucket of a hot SKU, with its holds and transfers. */
export interface Bucket {
  sku: string;
  k: number;
  onHand: number;
  reserved: number;
  generation: number;
  /** Its share of the SKU's supply. */
  initial: number;
  holds: Map<string, Hold>;
  transfers: Map<string, Transfer>;
  /** When each transfer it sent and whose target has not answered is tried again (its alarm). */
  retries: Map<string, number>;
}

/** How a bucket's delivery of a transfer goes: the target answers; the object dies first; the answer is lost. */
export type Delivery = 'answered' | 'died' | 'answer-lost';

export class World {
  now = Date.parse('2026-11-29T00:00:00.000Z');
  private seq = 0;
  readonly queues: Message[] = [];
  readonly deadLetters: Message[] = [];
  readonly archive: Event[] = [];
  readonly log: Action[] = [];
  readonly violations: Violation[] = [];

  readonly orders = new Map<string, { state: Order; inbox: Set<string>; outbox: Outbox }>();
  /** Every InventoryDO, by SKU and bucket (`MUG#0`). */
  readonly stock = new Map<string, Bucket>();
  readonly payments = new Map<string, { state: Payment; outbox: Outbox }>();
  readonly shipments = new Map<string, { state: Shipment; outbox: Outbox; webhooks: Set<string>; everCreated: boolean }>();
  readonly mails = new Map<string, number>();
  readonly mailIds = new Set<string>();
  readonly intents = new Map<string, Intent>();
  /** Ground truth of the physical world and of what each service did. */
  readonly truth = {
    held: new Set<string>(),
    givenBack: new Set<string>(),
    refused: new Set<string>(),
    leftWarehouse: new Set<string>(),
    providerCalls: [] as string[],
  };
  providerMode: ProviderMode = 'up';
  private readonly payment = paymentDecider(PAYMENT);
  readonly orderIds: string[] = [];
  /** When each order stopped being pending. */
  readonly settledAt = new Map<string, number>();

  constructor(readonly options: WorldOptions) {
    for (const [sku, units] of Object.entries(options.skus)) {
      const k = options.buckets?.[sku] ?? 1;
      shares(units, new Array(k).fill(0), k).forEach((share, b) => {
        this.stock.set(`${sku}#${b}`, {
          sku,
          k: b,
          onHand: share,
          reserved: 0,
          generation: 1,
          initial: share,
          holds: new Map(),
          transfers: new Map(),
          retries: new Map(),
        });
      });
    }
  }

  splitOf(sku: string): Split {
    const k = this.options.buckets?.[sku] ?? 1;
    return { buckets: k, maxBuckets: k };
  }

  /** A SKU's buckets. */
  bucketsOf(sku: string): Bucket[] {
    return [...this.stock.values()].filter((b) => b.sku === sku);
  }

  // ── the customer ──────────────────────────────────────────────────────────

  place(n: number) {
    const spec = this.options.orders[n]!;
    const id = factId(`sim-order-${n}`);
    if (this.orders.has(id)) return;
    this.orderIds.push(id);
    const items = spec.lines.map((l) => ({ ...l, name: l.sku, unitPriceCents: 1000 }));
    const command: OrderCommand = {
      type: 'PlaceOrder',
      data: {
        id,
        customerId: `cust_${n}`,
        items,
        totalCents: items.reduce((s, l) => s + l.quantity * l.unitPriceCents, 0),
        currency: 'EUR',
        // Sealed before placing, as the orders service does (the vault for the address, the keyring for the token).
        shippingAddress: simSeal({ name: 'Ada', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' }),
        paymentToken: simSeal(spec.token),
      },
    };
    this.orders.set(id, { state: initialOrder, inbox: new Set(), outbox: new Outbox() });
    this.runOrder(id, command, null, true);
  }

  cancel(orderId: string) {
    try {
      this.runOrder(orderId, { type: 'CancelOrder' }, null, true);
    } catch {
      // not_cancellable: the customer is told, nothing changes
    }
  }

  // ── rebalancing a hot SKU's buckets ─────────────────────────────────────

  private rebalances = 0;

  /** Bucket `from` of a split SKU is asked to send half its spare units to bucket `to`. */
  rebalance(sku: string, from: number, to: number, delivery: Delivery) {
    this.runSku(sku, from, { type: 'SendTransfer', transferId: factId(`sim-rebalance-${++this.rebalances}`), to }, delivery);
  }

  /**
   * As InventoryDO.deliverTransfers: each transfer a bucket sent and its target has not answered
   * goes to the target, which adds it once; the answer marks it delivered. Until then the alarm
   * tries again.
   */
  private deliverTransfers(s: Bucket, delivery: Delivery) {
    if (delivery === 'died') return;
    for (const id of [...s.retries.keys()]) {
      const t = s.transfers.get(id)!;
      this.runSku(s.sku, t.peer, {
        type: 'ReceiveTransfer',
        transferId: id,
        from: s.k,
        units: t.units,
        generation: t.generation,
      });
      if (delivery === 'answer-lost') continue;
      this.runSku(s.sku, s.k, { type: 'TransferDelivered', transferId: id });
      s.retries.delete(id);
    }
  }

  // ── the carrier (the physical world: it may pick up a parcel that was called off) ──

  carrier(orderId: string, status: 'dispatched' | 'delivered', webhookId: string, crashBeforeSend: boolean) {
    const s = this.shipment(orderId);
    if (s.webhooks.has(webhookId)) return;
    // Only a prepared parcel can leave; a webhook about any other is still sent, and must be refused or flagged.
    if (s.everCreated) this.truth.leftWarehouse.add(orderId);
    try {
      this.runShipment(orderId, { type: 'CarrierUpdate', orderId, status }, null, !crashBeforeSend);
      s.webhooks.add(webhookId);
    } catch {
      // refused: the carrier sends it again later
    }
  }

  // ── Durable Object shells (as in workers/*/…-do.ts) ──────────────────────

  private runOrder(orderId: string, command: OrderCommand, cause: Cause | null, send: boolean) {
    const o = this.orders.get(orderId)!;
    if (cause && o.inbox.has(cause.id)) return;
    const wasPending = o.state.status === 'pending';
    const now = new Date(this.now);
    const events = orderDecider.decide(command, o.state, now);
    if (cause) o.inbox.add(cause.id);
    let next = o.state;
    const out: Event[] = [];
    const askedFor: Event[] = [];
    for (const event of events) {
      next = orderDecider.evolve(next, event);
      if (next.status === 'empty') continue;
      if (event.type === 'SagaNudged') {
        for (const type of askedAgain(event)) {
          const milestone = milestoneOf(type, next);
          const again = milestone && announceOrder(milestone, next);
          if (again) askedFor.push(this.event('orders', orderId, again, cause));
        }
      }
      const a = announceOrder(event, next);
      if (a) out.push(this.event('orders', orderId, a, cause));
    }
    o.state = next;
    if (wasPending && next.status !== 'pending') this.settledAt.set(orderId, this.now);
    o.outbox.add(out, this.now);
    o.outbox.announce(askedFor, this.now);
    if (send) this.flush(o.outbox);
  }

  /** As InventoryDO: load → decide → persist the hold or transfer; a transfer sent is delivered at once unless `delivery` says otherwise. */
  private runSku(sku: string, k: number, message: StockMessage, delivery: Delivery = 'answered'): HoldStatus | null {
    const s = this.stock.get(`${sku}#${k}`)!;
    const hold = 'orderId' in message ? (s.holds.get(message.orderId) ?? null) : null;
    const transfer = 'transferId' in message ? (s.transfers.get(message.transferId) ?? null) : null;
    const state = { stock: { onHand: s.onHand, reserved: s.reserved, generation: s.generation }, hold, transfer, parked: 0 };
    const events = skuDecider.decide(message, state, new Date(this.now));
    const next = events.reduce(skuDecider.evolve, state);
    for (const e of events) this.recordStock(sku, e);
    s.onHand = next.stock!.onHand;
    s.reserved = next.stock!.reserved;
    s.generation = next.stock!.generation;
    if (next.hold) s.holds.set(next.hold.orderId, next.hold);
    if (next.transfer) s.transfers.set(next.transfer.id, next.transfer);
    const sent = events.find((e) => e.type === 'TransferSent');
    if (sent) {
      s.retries.set(sent.transferId, this.now + TRANSFER_RETRY_MS);
      this.deliverTransfers(s, delivery);
    }
    return next.hold?.status ?? null;
  }

  private recordStock(sku: string, e: StockEvent) {
    if (!('orderId' in e)) return;
    const key = `${e.orderId}/${sku}`;
    if (e.type === 'Held') this.truth.held.add(key);
    if (e.type === 'Released' || e.type === 'Returned' || e.type === 'Expired') this.truth.givenBack.add(e.orderId);
    if (e.type === 'Rejected' || e.type === 'Barred') this.truth.refused.add(e.orderId);
  }

  private paymentOf(orderId: string) {
    const p = this.payments.get(orderId) ?? { state: this.payment.initialState, outbox: new Outbox() };
    this.payments.set(orderId, p);
    return p;
  }

  private runPayment(orderId: string, message: PaymentMessage, cause: Cause | null, send: boolean) {
    const p = this.paymentOf(orderId);
    const events = this.payment.decide(message, p.state, new Date(this.now));
    const out: Event[] = [];
    for (const event of events) {
      p.state = this.payment.evolve(p.state, event);
      const a = announcePayment(event, p.state);
      if (a) out.push(this.event('payments', orderId, a, cause));
    }
    // A fact announced again is sent again with its first id.
    p.outbox.announce(out, this.now);
    if (send) this.flush(p.outbox);
  }

  private shipment(orderId: string) {
    const s = this.shipments.get(orderId) ?? {
      state: shipmentDecider.initialState,
      outbox: new Outbox(),
      webhooks: new Set<string>(),
      everCreated: false,
    };
    this.shipments.set(orderId, s);
    return s;
  }

  private runShipment(orderId: string, message: ShipmentMessage, cause: Cause | null, send: boolean) {
    const s = this.shipment(orderId);
    const events = shipmentDecider.decide(message, s.state, new Date(this.now));
    const after = events.reduce(shipmentDecider.evolve, s.state);
    if (events.length > 0) {
      s.state = after;
      if (after.status === 'created') s.everCreated = true;
      s.outbox.announce(
        events.map((e) => this.event('shipping', orderId, announceShipment(e), cause)),
        this.now,
      );
    } else {
      const again = answerAgain(message, after);
      if (again) s.outbox.announce([this.event('shipping', orderId, again, cause)], this.now);
    }
    if (send) this.flush(s.outbox);
  }

  // ── consumers: what each service does with a delivered event ─────────────

  /**
   * Delivers one message. `crashAfter`: how many Durable Object calls the handler makes before its
   * Worker dies (the message is then not acked and comes again); Infinity for none. `sendLost`: the
   * Durable Object commits but dies before sending (its alarm sends later).
   */
  deliver(index: number, crashAfter = Number.POSITIVE_INFINITY, sendLost = false): void {
    const [message] = this.queues.splice(index, 1);
    if (!message) return;
    const acked = this.handle(message, crashAfter, !sendLost);
    if (!acked) this.queues.push({ ...message, seq: ++this.seq });
  }

  private handle(message: Message, crashAfter: number, send: boolean): boolean {
    let calls = 0;
    const call = <T>(work: () => T): T => {
      if (calls++ >= crashAfter) throw new Crash();
      return work();
    };
    // As shared/consume.ts with `holdAnswers`: a stateless consumer's answers to the packet are
    // held and sent together before the ack; a crash before that loses them and the packet comes again.
    const answers: Event[] = [];
    try {
      // Every event of the packet, then the ack; a crash part way leaves some events handled and
      // the whole packet to come again.
      for (const e of message.events) this.handleEvent(message.to, e, call, send, answers);
      if (answers.length > 0) call(() => this.publish(answers));
      return true;
    } catch (error) {
      if (error instanceof Crash) return false;
      throw error;
    }
  }

  private handleEvent(to: Subscriber, e: Event, call: <T>(work: () => T) => T, send: boolean, answers: Event[]): boolean {
    switch (to) {
      case 'orders': {
        if (e.type === 'product.upserted') return true;
        const fact = e.type as Fact;
        const data = e.data as { orderId: string; trackingNumber?: string };
        if (!this.orders.has(data.orderId)) return true;
        call(() =>
          this.runOrder(
            data.orderId,
            { type: 'Observe', fact, ...(data.trackingNumber ? { trackingNumber: data.trackingNumber } : {}) },
            e,
            send,
          ),
        );
        return true;
      }
      case 'inventory':
        return this.inventory(e, call, answers, send);
      case 'payments': {
        if (!e.type.startsWith('order.')) return true;
        const o = e.data as { id: string; totalCents: number; currency: string; placedAt: string; payment?: { token: Sealed } };
        const terms = { orderId: o.id, amountCents: o.totalCents, currency: o.currency };
        // Payments opens the token orders sealed for it (null: unreadable, declined without the provider).
        const token = simOpen(o.payment?.token);
        const msg: PaymentMessage | null =
          e.type === 'order.placed'
            ? { type: 'Authorize', ...terms, token: typeof token === 'string' ? token : null, placedAt: o.placedAt }
            : e.type === 'order.confirmed'
              ? { type: 'Capture', ...terms }
              : e.type === 'order.cancelled'
                ? { type: 'Compensate', ...terms }
                : null;
        if (msg) call(() => this.runPayment(o.id, msg, e, send));
        if (msg) call(() => this.callProvider(o.id, send));
        return true;
      }
      case 'shipping': {
        const o = e.data as { id: string; shippingAddress?: Sealed };
        // Shipping creates a shipment only for an address it can open (the real one asks the vault).
        const address = o.shippingAddress && simOpen(o.shippingAddress) ? o.shippingAddress : undefined;
        if (e.type === 'order.confirmed' && address)
          call(() => this.runShipment(o.id, { type: 'Create', orderId: o.id, address }, e, send));
        if (e.type === 'order.cancellation_requested')
          call(() => this.runShipment(o.id, { type: 'RequestCancel', orderId: o.id }, e, send));
        return true;
      }
      case 'notifications': {
        if (!e.type.startsWith('order.') || this.mailIds.has(e.id)) return true;
        const mail = mailFor(e as never);
        call(() => {
          this.mailIds.add(e.id);
          if (mail) {
            const key = `${(e.data as { id: string }).id}/${e.type}`;
            this.mails.set(key, (this.mails.get(key) ?? 0) + 1);
          }
        });
        return true;
      }
      case 'query':
        return true;
      default: {
        const _exhaustive: never = to;
        return _exhaustive;
      }
    }
  }

  /**
   * As workers/inventory/consumer.ts and stockroom.ts: each line walks its SKU's buckets, one call
   * per bucket asked, then the answer; a line served by another than its own bucket rebalances.
   */
  private inventory(e: Event, call: <T>(work: () => T) => T, answers: Event[], send: boolean): boolean {
    if (!e.type.startsWith('order.')) return true;
    const o = e.data as { id: string; placedAt: string; items: { sku: string; quantity: number }[] };
    const lines = mergeLines(o.items);
    // Stateless: the answer is held, sent with the packet's others, then the message acked; a crash before that redoes it all.
    const answer = (type: EventType, data: Record<string, unknown>) =>
      answers.push(this.event('inventory', o.id, { type, key: `${o.id}/${type}`, data }, e));
    const ask = (sku: string, k: number, message: StockMessage) =>
      call(() => this.runSku(sku, k, message, send ? 'answered' : 'died'));
    /** Asks a line's buckets in turn until one holds (or held) it; with every bucket it asked and its answer. */
    const find = (sku: string, message: (k: number) => StockMessage) => {
      const asked = new Map<number, HoldStatus | null>();
      for (const k of walk(o.id, this.splitOf(sku))) {
        const status = ask(sku, k, message(k));
        asked.set(k, status);
        if (holdsLine(status)) return { status, k, asked };
      }
      const refused = [...asked.values()].every((status) => status === 'rejected');
      return { status: refused ? ('rejected' as const) : null, k: 0, asked };
    };
    if (e.type === 'order.placed') {
      const holds = lines.map((l) => {
        const buckets = walk(o.id, this.splitOf(l.sku));
        let hold = { status: null as HoldStatus | null, k: buckets[0]! };
        for (const k of buckets) {
          const reserve: StockMessage = {
            type: 'Reserve',
            orderId: o.id,
            quantity: l.quantity,
            ttlMs: HOLD_TTL_MS,
            placedAt: o.placedAt,
            maxAgeMs: MAX_ORDER_AGE_MS,
          };
          hold = { status: ask(l.sku, k, reserve), k };
          if (stopsWalk(hold.status)) break;
        }
        if (hold.status === 'held' && hold.k !== buckets[0])
          ask(l.sku, hold.k, { type: 'SendTransfer', transferId: factId(`${o.id}/${l.sku}/transfer`), to: buckets[0]! });
        return hold;
      });
      const outcome = reservationOutcome(
        lines,
        holds.map((h) => h.status),
      );
      if (!outcome) return true;
      if (outcome.answer === 'inventory.reserved') answer(outcome.answer, { orderId: o.id, items: lines });
      else {
        lines.forEach((l, i) => {
          if (holds[i]!.status === 'held') ask(l.sku, holds[i]!.k, { type: 'Undo', orderId: o.id });
        });
        answer(outcome.answer, { orderId: o.id, items: lines, reason: 'out_of_stock', skus: outcome.short });
      }
    }
    if (e.type === 'order.confirmed') {
      const holds = lines.map((l) => find(l.sku, () => ({ type: 'Commit', orderId: o.id, quantity: l.quantity })).status);
      const outcome = commitOutcome(holds);
      if (outcome) answer(outcome, { orderId: o.id, items: lines });
    }
    if (e.type === 'order.cancelled') {
      const holds = lines.map((l) => {
        const release = (ifHeld: boolean): StockMessage => ({
          type: 'Release',
          orderId: o.id,
          quantity: l.quantity,
          ...(ifHeld && { ifHeld }),
        });
        if (this.splitOf(l.sku).maxBuckets === 1) return ask(l.sku, 0, release(false));
        const found = find(l.sku, () => release(true));
        if (holdsLine(found.status)) return found.status;
        for (const k of walk(o.id, this.splitOf(l.sku))) {
          if (found.asked.get(k) === 'rejected') continue;
          const status = ask(l.sku, k, release(false));
          if (status !== 'rejected') return status;
        }
        return found.status;
      });
      const outcome = releaseOutcome(lines, holds);
      if (outcome.answer === 'inventory.released') answer(outcome.answer, { orderId: o.id, items: outcome.items });
      else answer(outcome.answer, { orderId: o.id, items: lines, reason: outcome.reason, skus: outcome.skus });
    }
    return true;
  }

  // ── the payment provider ─────────────────────────────────────────────────

  /** As PaymentDO: makes the pending call, feeds the answer back, until nothing is pending. */
  private callProvider(orderId: string, send: boolean) {
    for (let guard = 0; guard < 10; guard++) {
      const p = this.paymentOf(orderId);
      const call = pendingCall(p.state);
      if (!call) return;
      const answer = this.provider(call);
      this.runPayment(orderId, answer, null, send);
    }
  }

  private provider(call: ProviderCall): PaymentMessage {
    const fail = (error: string): PaymentMessage => ({ type: 'ProviderFailed', call: call.call, error, transient: true });
    if (this.providerMode === 'down') return fail('unreachable');
    if (this.providerMode === 'flaky' && this.seq % 2 === 0) return fail('503');
    const key = `${call.orderId}`;
    const intent = this.intents.get(key);
    let answer: PaymentMessage;
    switch (call.call) {
      case 'authorize': {
        this.truth.providerCalls.push(`authorize ${call.orderId}`);
        if (call.token === 'tok_chargeDeclined') {
          answer = { type: 'ProviderAnswered', call: 'authorize', result: { outcome: 'declined', reason: 'card_declined' } };
          break;
        }
        const created = intent ?? {
          reference: `pi_${call.orderId}`,
          amount: call.amountCents,
          status: 'authorized' as const,
          captures: 0,
          voids: 0,
          refunds: 0,
        };
        this.intents.set(key, created);
        answer = { type: 'ProviderAnswered', call: 'authorize', result: { outcome: 'approved', reference: created.reference } };
        break;
      }
      case 'lookup':
        answer = {
          type: 'ProviderAnswered',
          call: 'lookup',
          result: intent
            ? { outcome: 'found', reference: intent.reference, status: intent.status === 'refunded' ? 'captured' : intent.status }
            : { outcome: 'not_found' },
        };
        break;
      case 'capture':
      case 'void':
      case 'refund': {
        if (!intent) {
          this.violations.push({ invariant: 'money', detail: `${call.call} of an intent that does not exist (${call.orderId})` });
          return { type: 'ProviderFailed', call: call.call, error: 'no such intent', transient: false };
        }
        this.moneyStep(intent, call.call, call.orderId);
        answer = { type: 'ProviderAnswered', call: call.call, result: { outcome: 'done' } };
        break;
      }
    }
    // A lost response: the provider did it, the caller never heard.
    if (this.providerMode === 'lossy' && this.seq % 3 === 0) return fail('timeout after the request was sent');
    return answer;
  }

  /** The provider's own rules (idempotency keys make a repeated call the same call). */
  private moneyStep(intent: Intent, call: 'capture' | 'void' | 'refund', orderId: string) {
    const bad = (detail: string) => this.violations.push({ invariant: 'money', detail: `${orderId}: ${detail}` });
    if (call === 'capture') {
      if (intent.status === 'voided') bad('capture after void');
      if (intent.status === 'authorized') {
        intent.status = 'captured';
        intent.captures++;
      }
    }
    if (call === 'void') {
      if (intent.status === 'captured') bad('void of a captured payment');
      if (intent.status === 'authorized') {
        intent.status = 'voided';
        intent.voids++;
      }
    }
    if (call === 'refund') {
      if (intent.status === 'authorized' || intent.status === 'voided') bad('refund without a capture');
      if (intent.status === 'captured') {
        intent.status = 'refunded';
        intent.refunds++;
      }
    }
  }

  // ── the bus, the router and time ─────────────────────────────────────────

  private event(
    source: string,
    subject: string,
    a:
      | OrderAnnouncement
      | PaymentAnnouncement
      | ShipmentAnnouncement
      | { type: EventType; key: string; data: Record<string, unknown> },
    cause: Cause | null,
  ): Event {
    return newEvent(a.type, a.data as never, { source, subject, cause, id: factId(a.key), now: new Date(this.now) });
  }

  private flush(outbox: Outbox) {
    this.publish(outbox.unsent());
    outbox.markSent();
  }

  /**
   * The publisher and the router: one send's events travel as one packet, validated, archived and
   * packed again per subscriber, each subscriber getting the events it subscribes to in one message.
   */
  publish(events: readonly Event[]) {
    const valid: Event[] = [];
    for (const raw of events) {
      const parsed = parseEvent(JSON.parse(JSON.stringify(raw)));
      if (!parsed.success) {
        this.violations.push({ invariant: 'schema', detail: `${raw.type}: ${parsed.reason}` });
        continue;
      }
      this.archive.push(parsed.data);
      valid.push(parsed.data);
    }
    this.fanOut(valid);
  }

  /** Replays archived events `from`..`to` (indexes) to `to` (or every subscriber), as the admin replay does. */
  replay(from: number, to: number, subscribers?: Subscriber[]) {
    this.fanOut(this.archive.slice(from, to), subscribers);
  }

  private fanOut(events: readonly Event[], only?: Subscriber[]) {
    const packets = new Map<Subscriber, Event[]>();
    for (const e of events)
      for (const s of subscribersOf(e.type)) if (!only || only.includes(s)) packets.set(s, [...(packets.get(s) ?? []), e]);
    for (const [to, packet] of packets) this.queues.push({ seq: ++this.seq, to, events: packet });
  }

  deadLetter(index: number) {
    const [m] = this.queues.splice(index, 1);
    if (m) this.deadLetters.push(m);
  }

  redrive(index: number) {
    const [m] = this.deadLetters.splice(index, 1);
    if (m) this.queues.push({ ...m, seq: ++this.seq });
  }

  duplicate(index: number) {
    const m = this.queues[index];
    if (m) this.queues.push({ ...m, seq: ++this.seq });
  }

  /** When the next alarm of any Durable Object is due. */
  nextAlarm(): number {
    const times: number[] = [];
    for (const o of this.orders.values()) {
      times.push(o.outbox.nextWake());
      if (o.state.status !== 'empty') times.push(deadline(o.state, SAGA));
    }
    for (const p of this.payments.values()) times.push(p.outbox.nextWake(), paymentWake(p.state) ?? Number.POSITIVE_INFINITY);
    for (const s of this.shipments.values()) times.push(s.outbox.nextWake(), shipmentWake(s.state) ?? Number.POSITIVE_INFINITY);
    for (const s of this.stock.values()) {
      times.push(...s.retries.values());
      for (const h of s.holds.values()) if (h.status === 'held') times.push(h.expiresAt);
    }
    return Math.min(...times);
  }

  /** Moves the clock to `at` and runs every alarm due by then. */
  advance(at: number) {
    this.now = Math.max(this.now, at);
    const due = (t: number) => t <= this.now;
    for (const [id, o] of this.orders) {
      if (due(o.outbox.nextWake())) this.flush(o.outbox);
      if (o.state.status !== 'empty' && due(deadline(o.state, SAGA)))
        this.runOrder(id, { type: 'CheckDeadline', policy: SAGA }, null, true);
    }
    for (const [id, p] of this.payments) {
      if (due(p.outbox.nextWake())) this.flush(p.outbox);
      const wake = paymentWake(p.state);
      if (wake !== null && due(wake)) {
        this.runPayment(id, { type: 'Tick' }, null, true);
        this.callProvider(id, true);
      }
    }
    for (const [id, s] of this.shipments) {
      if (due(s.outbox.nextWake())) this.flush(s.outbox);
      const wake = shipmentWake(s.state);
      if (wake !== null && due(wake)) this.runShipment(id, { type: 'Tick', orderId: id }, null, true);
    }
    for (const s of this.stock.values()) {
      if ([...s.retries.values()].some(due)) this.deliverTransfers(s, 'answered');
      for (const h of [...s.holds.values()])
        if (h.status === 'held' && due(h.expiresAt)) this.runSku(s.sku, s.k, { type: 'Expire', orderId: h.orderId });
    }
  }

  note(what: string) {
    this.log.push({ t: this.now, what });
  }
}

class Crash extends Error {}

/**
 * Sealing as the simulation models it: the same shape as the real thing (so every event passes the
 * real schemas), reversibly encoded instead of encrypted, since the simulation checks the flow, not
 * the cryptography (shared/sealed.ts has its own tests).
 */
function simSeal(value: unknown): Sealed {
  return {
    v: 1,
    kid: 'sim',
    iv: 'AAAAAAAAAAAAAAAA',
    ct: toBase64Url(new TextEncoder().encode(`sim-sealed:${JSON.stringify(value)}`)),
  };
}

/** What {@link simSeal} sealed; undefined for anything else. */
function simOpen(sealed: Sealed | undefined): unknown {
  if (sealed?.kid !== 'sim') return undefined;
  const text = new TextDecoder().decode(fromBase64Url(sealed.ct));
  return text.startsWith('sim-sealed:') ? JSON.parse(text.slice('sim-sealed:'.length)) : undefined;
}
