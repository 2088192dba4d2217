// Runs synchronous jobs in FIFO order, at most `budgetMs` worth per turn of the event loop.
// Launching 1,000 tasks means ~40,000 synchronous file-system calls (sandboxes, cgroups,
// checkpoints); done in one go they would block the agent for seconds — no PONG for the master,
// no executor calls. Sliced, the event loop turns every `budgetMs`.
export class Slicer {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;

  constructor(private readonly budgetMs = 10) {}

  /** Resolves with `job()`'s result once it has run in its turn (rejects if it threw). */
  run<T>(job: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push(() => {
        try {
          resolve(job());
        } catch (err) {
          reject(err);
        }
      });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.scheduled = false;
    const end = performance.now() + this.budgetMs;
    while (this.queue.length > 0) {
      this.queue.shift()!();
      if (performance.now() >= end) break;
    }
    if (this.queue.length > 0) this.schedule();
  }
}
