// Contender and detector over an in-memory ZooKeeper: Mesos's layout and election rule, session
// loss, lost replies, and what a detector reports.
import { describe, expect, it } from "vitest";
import type { MasterInfo } from "../protocol/mesos";
import { FakeZooKeeper, type FakeZkSession } from "./zk/fake";
import { parseMemberName, sortMembers } from "./zk/group";
import { MASTER_INFO_LABEL, parseMasterInfo, zooKeeperDetector, zooKeeperElection } from "./zookeeper";
import { masterAddress } from "./types";

const url = { servers: [{ host: "127.0.0.1", port: 2181 }], path: "/plateau" };
const info = (id: string, port: number): MasterInfo => ({
  id, ip: 16777343, port, pid: `master@127.0.0.1:${port}`, hostname: "m.example", version: "1.11.0",
  address: { hostname: "m.example", ip: "127.0.0.1", port },
});
const tick = () => new Promise((r) => setTimeout(r, 5));
const settled = async <T>(p: Promise<T>): Promise<T | "pending"> => Promise.race([p, tick().then(() => "pending" as const)]);

function setup() {
  const zk = new FakeZooKeeper();
  const election = () => zooKeeperElection({ url, sessionTimeoutMs: 1000, newClient: zk.newClient });
  const sessionOf = (i: number) => zk.sessions[i] as FakeZkSession;
  return { zk, election, sessionOf };
}

describe("member names", () => {
  it("parses labelled, bare and foreign children; sorts by sequence", () => {
    expect(parseMemberName("json.info_0000000012")).toEqual({ label: "json.info", sequence: 12 });
    expect(parseMemberName("0000000003")).toEqual({ label: "", sequence: 3 });
    expect(parseMemberName("log_replicas")).toBeNull();
    expect(sortMembers("/m", ["json.info_0000000010", "log_replicas", "info_0000000002"]).map((m) => m.name)).toEqual(["info_0000000002", "json.info_0000000010"]);
  });

  it("reads MasterInfo JSON as Mesos writes it, and refuses other data", () => {
    const mesos = { id: "a", ip: 16842879, port: 5050, pid: "master@127.0.1.1:5050", hostname: "m1", version: "1.11.0", address: { hostname: "m1", ip: "127.0.1.1", port: 5050 }, capabilities: [{ type: "AGENT_UPDATE" }] };
    const parsed = parseMasterInfo(Buffer.from(JSON.stringify(mesos)))!;
    expect(parsed).toMatchObject(mesos);
    expect(masterAddress(parsed)).toBe("m1:5050");
    expect(parseMasterInfo(Buffer.from("master@1.2.3.4:5050"))).toBeNull();
    expect(parseMasterInfo(null)).toBeNull();
  });
});

describe("ZooKeeper contender", () => {
  it("creates ephemeral sequential json.info_ nodes holding MasterInfo; the lowest sequence leads", async () => {
    const { zk, election } = setup();
    const [e1, e2] = [election(), election()];
    const c1 = e1.contender.contend(info("m1", 5050));
    await c1.elected;
    const c2 = e2.contender.contend(info("m2", 5051));
    await tick();
    expect(zk.children("/plateau")).toEqual(["json.info_0000000000", "json.info_0000000001"]);
    const node = zk.nodes.get("/plateau/json.info_0000000000")!;
    expect(JSON.parse(node.data.toString())).toEqual(info("m1", 5050));
    expect(node.ephemeralOwner).not.toBe(0n);
    expect(await settled(c2.elected)).toBe("pending");
    expect(c1.isValid()).toBe(true);
    // The leader goes away: the next lowest leads.
    await c1.withdraw();
    await c2.elected;
    expect(await c1.lost).toBe("withdrawn");
    expect(c1.isValid()).toBe(false);
    await e1.close();
    await e2.close();
  });

  it("a leader whose session expires loses its candidacy at once; it can contend again on a new session", async () => {
    const { election, sessionOf } = setup();
    const [e1, e2] = [election(), election()];
    const c1 = e1.contender.contend(info("m1", 5050));
    await c1.elected;
    const c2 = e2.contender.contend(info("m2", 5051));
    await tick();
    sessionOf(0).expire();
    expect(c1.isValid()).toBe(false); // synchronously: no write can follow
    expect(await c1.lost).toMatch(/session expired/);
    await c2.elected;
    // The group opened a fresh session; a new candidacy queues behind the new leader.
    const again = e1.contender.contend(info("m1-again", 5050));
    await tick();
    await tick();
    expect(await settled(again.elected)).toBe("pending");
    expect(sessionOf(2).state).toBe("connected");
    await e1.close();
    await e2.close();
  });

  it("an expired lease (paused process) invalidates the candidacy before the session is known lost", async () => {
    const { election, sessionOf } = setup();
    const e1 = election();
    const c1 = e1.contender.contend(info("m1", 5050));
    await c1.elected;
    sessionOf(0).lease = false;
    expect(c1.isValid()).toBe(false);
    await e1.close();
  });

  it("keeps the node it created when the reply to its create was lost", async () => {
    const { zk, election, sessionOf } = setup();
    const e1 = election();
    await tick();
    sessionOf(0).dropNextReply(); // mkdirp's first create
    const c1 = e1.contender.contend(info("m1", 5050));
    await tick();
    sessionOf(0).reconnect();
    await tick();
    sessionOf(0).dropNextReply(); // the member create (after mkdirp's creates)
    sessionOf(0).dropNextReply();
    sessionOf(0).dropNextReply();
    await tick();
    sessionOf(0).reconnect();
    await c1.elected;
    expect(zk.children("/plateau")).toHaveLength(1);
    await e1.close();
  });

  it("loses the candidacy when its node is deleted by someone else", async () => {
    const { zk, election, sessionOf } = setup();
    const e1 = election();
    const c1 = e1.contender.contend(info("m1", 5050));
    await c1.elected;
    const admin = zk.newClient({ servers: [], sessionTimeoutMs: 1000 });
    await tick();
    await admin.delete("/plateau/json.info_0000000000");
    expect(await c1.lost).toBe("the member node was deleted");
    void sessionOf;
    await e1.close();
  });
});

describe("ZooKeeper detector", () => {
  it("reports the leader, its changes, contenders and the last loss", async () => {
    const { election, zk } = setup();
    const detector = zooKeeperDetector({ url, sessionTimeoutMs: 1000, newClient: zk.newClient });
    const seen: (string | null)[] = [];
    detector.onChange((l) => seen.push(l?.id ?? null));
    const [e1, e2] = [election(), election()];
    const c1 = e1.contender.contend(info("m1", 5050));
    const c2 = e2.contender.contend(info("m2", 5051));
    await c1.elected;
    expect((await detector.detect()).id).toBe("m1");
    expect((await detector.contenders()).map((c) => c.info?.id)).toEqual(["m1", "m2"]);
    const before = Date.now();
    await c1.withdraw();
    expect((await detector.detect(info("m1", 5050))).id).toBe("m2");
    await c2.elected;
    expect(detector.lastLoss?.leader.id).toBe("m1");
    expect(detector.lastLoss!.at).toBeGreaterThanOrEqual(before);
    await c2.withdraw();
    await tick();
    expect(detector.leader).toBeNull();
    expect(seen).toEqual(["m1", "m2", null]);
    expect(detector.session()).toMatchObject({ state: "connected", url: "zk://127.0.0.1:2181/plateau" });
    await detector.close();
    await e1.close();
    await e2.close();
  });

  it("forgets the leader when its own session is lost, and finds it again on the next session", async () => {
    const { election, zk } = setup();
    const detector = zooKeeperDetector({ url, sessionTimeoutMs: 1000, newClient: zk.newClient });
    const e1 = election();
    const c1 = e1.contender.contend(info("m1", 5050));
    await c1.elected;
    expect((await detector.detect()).id).toBe("m1");
    (zk.sessions[0] as FakeZkSession).expire(); // the detector's session
    expect(detector.leader).toBeNull();
    expect((await detector.detect()).id).toBe("m1");
    await detector.close();
    await e1.close();
  });

  it("uses Mesos's label for the JSON MasterInfo members", () => {
    expect(MASTER_INFO_LABEL).toBe("json.info");
  });
});
