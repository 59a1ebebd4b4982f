/**
 * The queue behind every `pollOutput`: outputs are pushed while an input is handled and polled in
 * order until it answers `undefined`, at which point the array is reused (no allocation per input).
 */

/** A first-in first-out queue of outputs, drained by polling. */
export class OutputQueue<T> {
  private readonly items: T[] = [];
  private head = 0;

  /** Queue one output. */
  push(item: T): void {
    this.items.push(item);
  }

  /** The next output, or `undefined` once drained (the queue is then emptied for reuse). */
  poll(): T | undefined {
    if (this.head < this.items.length) return this.items[this.head++];
    this.items.length = this.head = 0;
    return undefined;
  }
}
