// Registry store over Prisma 6.19 with driver adapters (no native engines): SQLite through
// better-sqlite3 (embedded default) or PostgreSQL through pg (shared HA registry).
import type { PrismaClient } from "./generated/sqlite/client";
import { migratePostgres, migrateSqlite } from "./migrate";
import type { AgentRecord, LeaderClaim, RegistrySnapshot, RegistryStore, RegistryWrite } from "./store";
import { FencedError } from "./store";

const LEADERSHIP_ROW = 1;

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export class PrismaRegistryStore implements RegistryStore {
  private client: PrismaClient | null = null;

  private constructor(
    readonly kind: "sqlite" | "postgresql",
    private readonly url: string,
  ) {}

  /** `url`: `file:/path/registry.db` / a plain path (SQLite) or `postgresql://…`. */
  static fromUrl(url: string): PrismaRegistryStore {
    if (/^postgres(ql)?:\/\//.test(url)) return new PrismaRegistryStore("postgresql", url);
    return new PrismaRegistryStore("sqlite", url.startsWith("file:") ? url.slice(5) : url);
  }

  async init(): Promise<void> {
    if (this.kind === "sqlite") {
      await migrateSqlite(this.url);
      const { PrismaClient } = await import("./generated/sqlite/client");
      const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
      this.client = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${this.url}` }) });
    } else {
      await migratePostgres(this.url);
      const { PrismaClient } = await import("./generated/postgresql/client");
      const { PrismaPg } = await import("@prisma/adapter-pg");
      const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: this.url }) });
      // The two generated clients have identical model APIs; one type serves both.
      this.client = client as unknown as PrismaClient;
    }
  }

  private get db(): PrismaClient {
    if (!this.client) throw new Error("Registry store used before init()");
    return this.client;
  }

  async claimLeadership(claim: LeaderClaim): Promise<number> {
    return this.db.$transaction(async (tx) => {
      const row = await tx.leadership.findUnique({ where: { id: LEADERSHIP_ROW } });
      const epoch = (row?.epoch ?? 0) + 1;
      const data = { epoch, masterId: claim.masterId, address: claim.address, since: BigInt(Date.now()) };
      if (row) {
        // Compare-and-set on the epoch we read: a concurrent claimer makes this update miss.
        const updated = await tx.leadership.updateMany({ where: { id: LEADERSHIP_ROW, epoch: row.epoch }, data });
        if (updated.count !== 1) throw new FencedError(row.epoch);
      } else {
        await tx.leadership.create({ data: { id: LEADERSHIP_ROW, ...data } });
      }
      return epoch;
    });
  }

  async load(): Promise<RegistrySnapshot> {
    const [agents, entries] = await Promise.all([this.db.registryAgent.findMany(), this.db.registryEntry.findMany()]);
    return {
      agents: agents.map((a) => ({
        id: a.id,
        state: a.state as AgentRecord["state"],
        info: JSON.parse(a.info),
        since: Number(a.since),
        deactivated: a.deactivated,
        drainInfo: a.drainInfo ? JSON.parse(a.drainInfo) : undefined,
      })),
      entries: new Map(entries.map((e) => [e.key, JSON.parse(e.value)])),
    };
  }

  async commit(epoch: number, writes: RegistryWrite[]): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const fence = await tx.leadership.updateMany({ where: { id: LEADERSHIP_ROW, epoch }, data: { epoch } });
      if (fence.count !== 1) throw new FencedError(epoch);
      for (const w of writes) await applyWrite(tx, w);
    });
  }

  async close(): Promise<void> {
    await this.client?.$disconnect();
    this.client = null;
  }
}

async function applyWrite(tx: Tx, w: RegistryWrite): Promise<void> {
  switch (w.kind) {
    case "agent.put": {
      const data = {
        state: w.record.state,
        info: JSON.stringify(w.record.info),
        since: BigInt(Math.round(w.record.since)),
        deactivated: w.record.deactivated,
        drainInfo: w.record.drainInfo === undefined ? null : JSON.stringify(w.record.drainInfo),
      };
      await tx.registryAgent.upsert({ where: { id: w.record.id }, create: { id: w.record.id, ...data }, update: data });
      return;
    }
    case "agent.delete":
      await tx.registryAgent.deleteMany({ where: { id: w.id } });
      return;
    case "entry.put": {
      const value = JSON.stringify(w.value);
      await tx.registryEntry.upsert({ where: { key: w.key }, create: { key: w.key, value }, update: { value } });
      return;
    }
    case "entry.delete":
      await tx.registryEntry.deleteMany({ where: { key: w.key } });
      return;
  }
}
