// Counters the master keeps for /metrics/snapshot (Mesos metric names are assembled in the
// operator layer). Gauges are computed from state on demand; only monotonic counts live here.
import type { TaskState } from "../protocol/mesos";

export class MasterCounters {
  readonly terminalTasks = new Map<TaskState, number>();
  /** `<state>/<source>/<reason>` → count, lower-cased as Mesos names them. */
  readonly taskStateDetail = new Map<string, number>();
  readonly messages = new Map<string, number>();
  readonly frameworkCalls = new Map<string, Map<string, number>>();
  readonly frameworkEvents = new Map<string, Map<string, number>>();
  agentRegistrations = 0;
  agentReregistrations = 0;
  agentRemovals = 0;
  agentsUnreachableScheduled = 0;
  agentsUnreachableCompleted = 0;
  validStatusUpdates = 0;
  invalidStatusUpdates = 0;
  validAcknowledgements = 0;
  invalidAcknowledgements = 0;
  droppedMessages = 0;

  private static bump<K>(map: Map<K, number>, key: K, by = 1): void {
    map.set(key, (map.get(key) ?? 0) + by);
  }

  countMessage(name: string): void {
    MasterCounters.bump(this.messages, name);
  }

  countTerminal(state: TaskState, source: string | undefined, reason: string | undefined): void {
    MasterCounters.bump(this.terminalTasks, state);
    const detail = [state, source ?? "SOURCE_MASTER", reason ?? "REASON_NONE"]
      .map((s) => s.toLowerCase().replace("agent", "slave"))
      .join("/");
    MasterCounters.bump(this.taskStateDetail, detail);
  }

  countCall(frameworkId: string, call: string): void {
    const map = this.frameworkCalls.get(frameworkId) ?? new Map<string, number>();
    MasterCounters.bump(map, call);
    this.frameworkCalls.set(frameworkId, map);
  }

  countEvent(frameworkId: string, event: string): void {
    const map = this.frameworkEvents.get(frameworkId) ?? new Map<string, number>();
    MasterCounters.bump(map, event);
    this.frameworkEvents.set(frameworkId, map);
  }
}
