/**
 * A bounded hand-over of pages from one producer (a request chain) to the consumer, so several
 * partitions can be fetched ahead while the consumer still receives each partition's pages
 * contiguously and in order. At most `max` pages wait in memory per partition.
 */
export class PartitionBuffer<T> {
  private readonly pages: T[] = [];
  private done = false;
  private error: unknown;
  private hasError = false;
  private wakeConsumer: (() => void) | undefined;
  private wakeProducer: (() => void) | undefined;
  requests = 0;
  warning: string | undefined;

  constructor(
    private readonly max: number,
    private readonly signal: AbortSignal,
  ) {
    signal.addEventListener('abort', () => this.wakeAll(), { once: true });
  }

  /** Producer: waits while the buffer is full; returns false when the consumer has gone. */
  async push(page: T): Promise<boolean> {
    while (this.pages.length >= this.max && !this.signal.aborted) {
      await new Promise<void>((resolve) => (this.wakeProducer = resolve));
    }
    if (this.signal.aborted) return false;
    this.pages.push(page);
    this.wake('consumer');
    return true;
  }

  finish(requests: number, warning?: string): void {
    this.requests = requests;
    this.warning = warning;
    this.done = true;
    this.wake('consumer');
  }

  fail(error: unknown): void {
    this.error = error;
    this.hasError = true;
    this.done = true;
    this.wake('consumer');
  }

  /** Consumer: the next page, or undefined at the end; rethrows the producer's error. */
  async next(): Promise<T | undefined> {
    while (this.pages.length === 0 && !this.done) {
      await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
    }
    if (this.pages.length > 0) {
      const page = this.pages.shift() as T;
      this.wake('producer');
      return page;
    }
    if (this.hasError) throw this.error;
    return undefined;
  }

  private wake(who: 'consumer' | 'producer'): void {
    const fn = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
    if (who === 'consumer') this.wakeConsumer = undefined;
    else this.wakeProducer = undefined;
    fn?.();
  }

  private wakeAll(): void {
    this.wake('consumer');
    this.wake('producer');
  }
}
