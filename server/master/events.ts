// The master's domain event bus. The operator SUBSCRIBE stream, the dashboard's live updates and
// the event timeline all listen here; handlers publish after the state change is applied.
import type { TaskStatus } from "../protocol/mesos";
import type { Agent, Framework, Task } from "./state";

export type MasterEvent =
  | { type: "TASK_ADDED"; task: Task }
  | { type: "TASK_UPDATED"; task: Task; status: TaskStatus }
  | { type: "AGENT_ADDED"; agent: Agent }
  | { type: "AGENT_UPDATED"; agent: Agent }
  | { type: "AGENT_REMOVED"; agentId: string; reason: string }
  | { type: "FRAMEWORK_ADDED"; framework: Framework }
  | { type: "FRAMEWORK_UPDATED"; framework: Framework }
  | { type: "FRAMEWORK_REMOVED"; framework: Framework }
  | { type: "OFFERS_CHANGED" };

export type MasterEventListener = (event: MasterEvent) => void;

export class MasterEventBus {
  private readonly listeners = new Set<MasterEventListener>();

  subscribe(listener: MasterEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: MasterEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        console.error(`master event listener failed on ${event.type}:`, err);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
