// Two master processes (in this process) over an in-memory ZooKeeper and one shared in-memory
// registry: election, followers' 307/503, fail-stop on session loss with a fresh core, fencing
// of the deposed term, election history and failover deadlines.
import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { FakeZooKeeper, type FakeZkSession } from "../ha/zk/fake";
import { zooKeeperElection } from "../ha/zookeeper";
import { serve, type Served } from "../http/server";
import { freePort, waitUntil } from "../testing/ports";
import { defaultMasterConfig } from "./config";
import { startMaster, type RunningMaster } from "./index";
import { PutEntry } from "./registrar";
import { MemoryRegistryStore, newMemoryRegistryData, type MemoryRegistryData } from "./registry/memory-store";
import { FencedError } from "./registry/store";
import { FAILOVER_DEADLINE_PREFIX } from "./failover-deadlines";

const url = { servers: [{ host: "127.0.0.1", port: 2181 }], path: "/plateau" };

interface Proc {
  running: RunningMaster;
  served: Served;
  port: number;
  lines: string[];
}

const procs: Proc[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) {
    await p.served.close();
    await p.running.stop();
  }
});

async function masterProcess(zk: FakeZooKeeper, data: MemoryRegistryData): Promise<Proc> {
  const port = await freePort();
  const lines: string[] = [];
  const election = zooKeeperElection({ url, sessionTimeoutMs: 1000, newClient: zk.newClient });
  const running = await startMaster({
    config: defaultMasterConfig({ port, allocationIntervalMs: 100 }),
    registry: new MemoryRegistryStore(data),
    election,
    contend: false,
    log: (l) => lines.push(l),
    operator: { timelineFlushMs: 50, metricsSampleIntervalMs: 60_000 },
  });
  const served = await serve({ ip: "127.0.0.1", port, running, dashboard: false, log: (l) => lines.push(l) });
  await running.lifecycle.start();
  const p = { running, served, port, lines };
  procs.push(p);
  return p;
}

/** The session owning the leader's node (the lowest sequence). */
function leaderSession(zk: FakeZooKeeper): FakeZkSession {
  const lowest = zk.children("/plateau").sort()[0]!;
  const owner = zk.nodes.get(`/plateau/${lowest}`)!.ephemeralOwner;
  return zk.sessions.find((s) => s.sessionId === owner) as FakeZkSession;
}

function get(port: number, path: string): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    }).on("error", reject);
  });
}

describe("master lifecycle with ZooKeeper election", () => {
  it("elects one leader; the follower redirects; a leader losing its session fail-stops and is fenced", async () => {
    const zk = new FakeZooKeeper();
    const data = newMemoryRegistryData();
    const a = await masterProcess(zk, data);
    await waitUntil(() => a.running.master.isLeading, 3000, "a leading");
    const b = await masterProcess(zk, data);
    await waitUntil(async () => (await b.running.handle.highAvailability())?.leader?.id === a.running.master.id, 3000, "b detects a");

    expect(data.epoch).toBe(1);
    expect((await b.running.handle.highAvailability())!.role).toBe("contending");
    expect((await a.running.handle.highAvailability())!.role).toBe("leading");
    // Followers: 307 to the leader (host and explicit port, path and query kept), redirect, health.
    expect(await get(b.port, "/master/state?jsonp=x")).toMatchObject({ status: 307, location: `//127.0.0.1:${a.port}/master/state?jsonp=x` });
    expect(await get(b.port, "/master/redirect")).toMatchObject({ status: 307, location: `//127.0.0.1:${a.port}` });
    expect(await get(a.port, "/master/redirect")).toMatchObject({ status: 307, location: `//127.0.0.1:${a.port}` });
    expect((await get(b.port, "/master/health")).status).toBe(200);
    expect(JSON.parse((await get(b.port, "/metrics/snapshot")).body)["master/elected"]).toBe(0);
    await waitUntil(() => data.elections?.get(1), 3000, "election 1 recorded");

    // A disconnected framework's failover deadline is persisted.
    const oldTerm = a.running.lifecycle.term;
    const oldMaster = a.running.master;
    await oldMaster.registrar.apply(PutEntry("test", "before", 1));

    // a's session expires: its writes are refused at once, it stops leading and contends again
    // with a fresh core.
    leaderSession(zk).expire();
    expect(oldTerm.candidacy!.isValid()).toBe(false);
    await expect(oldMaster.registrar.apply(PutEntry("test", "racing", 1))).rejects.toBeInstanceOf(FencedError);
    await waitUntil(() => oldMaster.phase === "stopped", 1000, "old core stopped");
    expect(oldTerm.store.isRevoked).toBe(true);
    await expect(oldMaster.registrar.apply(PutEntry("test", "after", 1))).rejects.toBeInstanceOf(FencedError);
    expect(data.entries.has("after")).toBe(false);
    expect(a.running.master).not.toBe(oldMaster);
    expect(a.running.master.id).not.toBe(oldMaster.id);

    await waitUntil(() => b.running.master.isLeading, 3000, "b leading");
    expect(data.epoch).toBe(2);
    await waitUntil(() => data.elections?.get(2), 3000, "election 2 recorded");
    const record = data.elections!.get(2)!;
    expect(record.masterId).toBe(b.running.master.id);
    expect(record.address).toBe(`127.0.0.1:${b.port}`);
    expect(record.reason).toContain(oldMaster.id);
    expect(record.gapMs).toBeGreaterThanOrEqual(0);
    await waitUntil(async () => (await a.running.handle.highAvailability())?.role === "contending", 3000, "a contending again");
    const status = (await a.running.handle.highAvailability())!;
    expect(status.failStops.at(-1)?.reason).toMatch(/ZooKeeper session/);
    expect(await get(a.port, "/api/v1/scheduler")).toMatchObject({ status: 307, location: `//127.0.0.1:${b.port}/api/v1/scheduler` });
    await waitUntil(async () => (await a.running.handle.highAvailability())!.elections.length === 2, 3000, "follower sees the history");
  });

  it("a paused leader (lease ran out) refuses writes locally and fail-stops", async () => {
    const zk = new FakeZooKeeper();
    const data = newMemoryRegistryData();
    const a = await masterProcess(zk, data);
    await waitUntil(() => a.running.master.isLeading, 3000, "a leading");
    const m = a.running.master;
    const term = a.running.lifecycle.term;
    for (const s of zk.sessions) (s as FakeZkSession).lease = false;
    await expect(m.registrar.apply(PutEntry("test", "x", 1))).rejects.toBeInstanceOf(FencedError);
    expect(term.store.stats).toEqual(expect.objectContaining({ refusedLocally: 1, commits: 1 }));
    expect(m.phase).toBe("stopped");
    expect(data.entries.has("x")).toBe(false);
    for (const s of zk.sessions) (s as FakeZkSession).lease = true;
    await waitUntil(() => a.running.master.isLeading && a.running.master !== m, 3000, "a leading again with a fresh core");
    expect(data.epoch).toBe(2);
  });

  it("persists a disconnected framework's failover deadline; the next leader enforces it", async () => {
    const zk = new FakeZooKeeper();
    const data = newMemoryRegistryData();
    const a = await masterProcess(zk, data);
    await waitUntil(() => a.running.master.isLeading, 3000, "a leading");
    const b = await masterProcess(zk, data);
    const { subscribe } = await import("./frameworks");
    const { EventStream } = await import("./http/stream");
    const { FakeSink } = await import("../testing/master-harness");
    const sink = new FakeSink();
    const fw = subscribe(a.running.master, new EventStream(sink), { framework_info: { user: "u", name: "fw", failover_timeout: 1 } })!;
    sink.drop();
    await waitUntil(() => data.entries.has(FAILOVER_DEADLINE_PREFIX + fw.id), 3000, "deadline persisted");
    const deadline = data.entries.get(FAILOVER_DEADLINE_PREFIX + fw.id) as { deadline: number };
    expect(deadline.deadline).toBe(Math.round(fw.unregisteredTime! + 1000));

    leaderSession(zk).expire();
    await waitUntil(() => b.running.master.isLeading, 3000, "b leading");
    // The framework never comes back: at its deadline b lists it as completed and clears the entry.
    await waitUntil(() => b.running.master.completedFrameworks.some((c) => c.framework.id === fw.id), 3000, "framework removed at its deadline");
    await waitUntil(() => !data.entries.has(FAILOVER_DEADLINE_PREFIX + fw.id), 3000, "deadline cleared");
  });
});
