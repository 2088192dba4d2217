// In-process master for unit tests: memory registry, manual clock, fake agent links and fake
// scheduler streams that record what the master sends. Drives the same handlers the HTTP and
// WebSocket layers call.
import { Master } from "../master/master";
import { defaultMasterConfig, type MasterConfig } from "../master/config";
import { Registrar } from "../master/registrar";
import { MemoryRegistryStore, newMemoryRegistryData, type MemoryRegistryData } from "../master/registry/memory-store";
import { HierarchicalAllocator } from "../allocator/hierarchical";
import type { Allocator } from "../allocator/types";
import { EventStream, type StreamSink } from "../master/http/stream";
import type { AgentLink } from "../master/agent-link";
import type { MasterToAgent } from "../protocol/internal";
import type { SchedulerEvent } from "../protocol/scheduler";
import type { FrameworkInfo, TaskStatus } from "../protocol/mesos";
import { RecordIODecoder } from "../protocol/recordio";
import { startAllocationLoop } from "../master/offers";
import { subscribe } from "../master/frameworks";
import { registerAgent } from "../master/agents";
import { ManualClock } from "./manual-clock";

export class FakeSink implements StreamSink {
  readonly events: SchedulerEvent[] = [];
  closed = false;
  private readonly decoder = new RecordIODecoder();
  private closeCb: (() => void) | null = null;
  writableLength = 0;
  write(chunk: Buffer): boolean {
    for (const r of this.decoder.push(chunk)) this.events.push(JSON.parse(r.toString("utf8")));
    return true;
  }
  end(): void {
    this.closed = true;
    this.closeCb?.();
  }
  onClose(cb: () => void): void {
    this.closeCb = cb;
  }
  /** Simulates the scheduler dropping the connection. */
  drop(): void {
    this.end();
  }
  of<T extends SchedulerEvent["type"]>(type: T): Extract<SchedulerEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<SchedulerEvent, { type: T }>[];
  }
}

export class FakeLink implements AgentLink {
  readonly sent: MasterToAgent[] = [];
  closed = false;
  constructor(readonly remoteAddress = "127.0.0.1:5051") {}
  send(message: MasterToAgent): void {
    if (!this.closed) this.sent.push(message);
  }
  close(): void {
    this.closed = true;
  }
  of<T extends MasterToAgent["type"]>(type: T): Extract<MasterToAgent, { type: T }>[] {
    return this.sent.filter((m) => m.type === type) as Extract<MasterToAgent, { type: T }>[];
  }
}

export interface Harness {
  master: Master;
  clock: ManualClock;
  registry: MemoryRegistryData;
  stopLoop: () => void;
}

export async function startHarness(opts: { config?: Partial<MasterConfig>; registry?: MemoryRegistryData; allocator?: Allocator } = {}): Promise<Harness> {
  const clock = new ManualClock();
  const registry = opts.registry ?? newMemoryRegistryData();
  const registrar = new Registrar(new MemoryRegistryStore(registry), () => {});
  const master = new Master(defaultMasterConfig({ allocationIntervalMs: 1000, ...opts.config }), clock, opts.allocator ?? new HierarchicalAllocator({ agentOrder: "sequential" }), registrar);
  await registrar.recover(master.id, "127.0.0.1:5050");
  master.phase = "leading";
  const stopLoop = startAllocationLoop(master);
  return { master, clock, registry, stopLoop };
}

export function frameworkInfo(extra: Partial<FrameworkInfo> = {}): FrameworkInfo {
  return { user: "test", name: "test-framework", ...extra };
}

export function subscribeFramework(h: Harness, info: FrameworkInfo = frameworkInfo()) {
  const sink = new FakeSink();
  const stream = new EventStream<SchedulerEvent>(sink);
  const framework = subscribe(h.master, stream, { framework_info: info });
  return { sink, stream, framework };
}

export async function registerFakeAgent(h: Harness, opts: { resources?: string; endpoint?: string } = {}) {
  const { Resources } = await import("../resources");
  const link = new FakeLink(opts.endpoint ?? `127.0.0.1:${5051 + h.master.agents.size}`);
  const agent = await registerAgent(
    h.master,
    {
      type: "REGISTER_AGENT",
      protocol_version: 1,
      agent_info: { hostname: "host", port: 5051, resources: Resources.parse(opts.resources ?? "cpus:4;mem:4096;disk:1000;ports:[31000-32000]").toArray(), attributes: [] },
      version: "1.11.0",
      capabilities: [],
      endpoint: link.remoteAddress,
    },
    link,
  );
  return { agent: agent!, link };
}

/** An agent-side status update, as the agent's status update manager sends it. */
export function agentStatus(taskId: string, state: TaskStatus["state"], extra: Partial<TaskStatus> = {}): TaskStatus {
  return {
    task_id: { value: taskId },
    state,
    source: "SOURCE_EXECUTOR",
    timestamp: Date.now() / 1000,
    uuid: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
    ...extra,
  };
}
