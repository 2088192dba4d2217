// The registry store one leadership term writes through: a decorator over the process's shared
// store. Before anything reaches the database it checks that the term may still write — the term
// has not been revoked (fail-stop) and its candidacy still holds (the ZooKeeper session lease,
// checked synchronously, so even a process resumed after a pause refuses) — and otherwise throws
// FencedError without writing. The database's epoch compare-and-set (see ./store.ts) remains the
// final fence for a write already past this check. Counts writes and refusals for tests/metrics.
import type { HistorySnapshot, LeaderClaim, RegistrySnapshot, RegistryStore, RegistryWrite } from "./store";
import { FencedError } from "./store";

export interface TermStoreStats {
  /** Commits that reached the store and succeeded. */
  commits: number;
  /** Commits refused here (revoked term or lost candidacy), never sent to the store. */
  refusedLocally: number;
  /** Commits the store itself refused (another master holds a newer epoch). */
  fencedByStore: number;
}

/** A write refused before reaching the store (the term may no longer lead). */
export class TermRevokedError extends FencedError {
  constructor(epoch: number, why: string) {
    super(epoch);
    this.message = `Registry write refused: ${why}`;
  }
}

export class TermStore implements RegistryStore {
  readonly stats: TermStoreStats = { commits: 0, refusedLocally: 0, fencedByStore: 0 };
  private revoked = false;

  constructor(
    private readonly inner: RegistryStore,
    /** False once the term's candidacy may have been lost (e.g. Candidacy.isValid). */
    private readonly mayWrite: () => boolean = () => true,
  ) {}

  get kind() {
    return this.inner.kind;
  }

  /** After this, every write is refused (the term has stopped leading). */
  revoke(): void {
    this.revoked = true;
  }

  get isRevoked(): boolean {
    return this.revoked;
  }

  /** Why writes are refused now, or null if they are allowed. */
  private refusal(): string | null {
    if (this.revoked) return "this master has stopped leading";
    if (!this.mayWrite()) return "this master's leadership can no longer be confirmed (its ZooKeeper session is lost or may have expired)";
    return null;
  }

  /** The shared store is initialised once by the process. */
  async init(): Promise<void> {}

  async claimLeadership(claim: LeaderClaim): Promise<number> {
    const why = this.refusal();
    if (why) {
      this.stats.refusedLocally++;
      throw new TermRevokedError(0, why);
    }
    return this.inner.claimLeadership(claim);
  }

  load(): Promise<RegistrySnapshot> {
    return this.inner.load();
  }

  loadHistory(limit: { timeline: number; metrics: number; elections: number }): Promise<HistorySnapshot> {
    return this.inner.loadHistory(limit);
  }

  async commit(epoch: number, writes: RegistryWrite[]): Promise<void> {
    const why = this.refusal();
    if (why) {
      this.stats.refusedLocally++;
      throw new TermRevokedError(epoch, why);
    }
    try {
      await this.inner.commit(epoch, writes);
    } catch (err) {
      if (err instanceof FencedError) this.stats.fencedByStore++;
      throw err;
    }
    this.stats.commits++;
  }

  /** The shared store is closed by the process, not by a term. */
  async close(): Promise<void> {}
}
