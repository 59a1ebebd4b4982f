/**
 * The queue behind every `pollOutput`: outputs are pushed while an input is handled and polled in
 * order until it answers `undefined`, at which point the slots are reused (no allocation per input).
 */

/** A first-in first-out queue of outputs, drained by polling. */
export class OutputQueue<T> {
  private readonly items: (T | undefined)[] = [];
  private head = 0;
  private tail = 0;

  /** Queue one output. */
  push(item: T): void {
    if (this.tail < this.items.length) this.items[this.tail] = item;
    else this.items.push(item);
    this.tail++;
  }

  /** The next output, or `undefined` once drained (the slots are then reused). */
  poll(): T | undefined {
    if (this.head < this.tail) {
      const item = this.items[this.head];
      this.items[this.head++] = undefined; // let the output go once it is taken
      return item;
    }
    this.head = this.tail = 0;
    return undefined;
  }
}
