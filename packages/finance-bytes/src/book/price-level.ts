/** A resting order of the book. `remaining` drops to 0 when it is filled, cancelled or deleted. */
export interface RestingOrder {
  readonly id: number;
  readonly side: 1 | 2;
  readonly price: number;
  readonly hidden: boolean;
  remaining: number;
}

/**
 * The orders at one price of one side, in time priority: anonymous seed volume first (it was in the book before the
 * stream began), then visible orders first-in first-out, then hidden ones (displayed liquidity has priority at the
 * same price). Filled orders are dropped lazily from the front.
 */
export class PriceLevel {
  /** Anonymous volume from a snapshot (orders placed before the stream started). */
  seed = 0;
  /** Visible size: seed + remaining of the visible orders. */
  visible = 0;
  hiddenSize = 0;
  private readonly orders: RestingOrder[] = [];
  private head = 0;
  private readonly hiddenOrders: RestingOrder[] = [];
  private hiddenHead = 0;

  constructor(readonly price: number) {}

  add(order: RestingOrder): void {
    if (order.hidden) {
      this.hiddenOrders.push(order);
      this.hiddenSize += order.remaining;
    } else {
      this.orders.push(order);
      this.visible += order.remaining;
    }
  }

  /** The first live visible order (after the seed volume), or undefined. */
  firstVisible(): RestingOrder | undefined {
    while (this.head < this.orders.length && (this.orders[this.head] as RestingOrder).remaining === 0) this.head++;
    if (this.head > 64 && this.head * 2 > this.orders.length) {
      this.orders.splice(0, this.head);
      this.head = 0;
    }
    return this.orders[this.head];
  }

  firstHidden(): RestingOrder | undefined {
    while (this.hiddenHead < this.hiddenOrders.length && (this.hiddenOrders[this.hiddenHead] as RestingOrder).remaining === 0) this.hiddenHead++;
    return this.hiddenOrders[this.hiddenHead];
  }

  /** Takes `size` from an order of this level (fill or cancel). */
  reduce(order: RestingOrder, size: number): void {
    order.remaining -= size;
    if (order.hidden) this.hiddenSize -= size;
    else this.visible -= size;
  }

  reduceSeed(size: number): void {
    this.seed -= size;
    this.visible -= size;
  }

  addSeed(size: number): void {
    this.seed += size;
    this.visible += size;
  }

  get empty(): boolean {
    return this.visible === 0 && this.hiddenSize === 0;
  }

  /** A live order of this level picked by u ∈ [0, 1) (visible and hidden alike), or undefined when none is live. */
  orderAt(u: number): RestingOrder | undefined {
    const visible = this.orders.length - this.head;
    const total = visible + this.hiddenOrders.length - this.hiddenHead;
    if (total <= 0) return undefined;
    const start = Math.floor(u * total);
    for (let k = 0; k < total; k++) {
      const i = (start + k) % total;
      const order = (i < visible ? this.orders[this.head + i] : this.hiddenOrders[this.hiddenHead + i - visible]) as RestingOrder;
      if (order.remaining > 0) return order;
    }
    return undefined;
  }

  /** Live visible orders in priority order (for tests and inspection). */
  visibleQueue(): RestingOrder[] {
    return this.orders.slice(this.head).filter((o) => o.remaining > 0);
  }
}
