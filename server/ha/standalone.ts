// Standalone election (no --zk): the one master is elected as soon as it contends, and detectors
// of agents and schedulers simply return the configured `host:port`.
import type { MasterInfo } from "../protocol/mesos";
import type { Candidacy, Contender, LeaderContender, LeaderDetector, LeaderElection, SessionInfo } from "./types";

class StandaloneCandidacy implements Candidacy {
  readonly elected = Promise.resolve();
  readonly lost: Promise<string>;
  private resolveLost!: (reason: string) => void;
  private active = true;

  constructor(private readonly onWithdraw: () => void) {
    this.lost = new Promise((r) => (this.resolveLost = r));
  }

  isValid(): boolean {
    return this.active;
  }

  async withdraw(): Promise<void> {
    if (!this.active) return;
    this.active = false;
    this.onWithdraw();
    this.resolveLost("withdrawn");
  }
}

class FixedDetector implements LeaderDetector {
  readonly lastLoss = null;
  private readonly listeners = new Set<(leader: MasterInfo | null) => void>();

  constructor(public leader: MasterInfo | null) {}

  set(leader: MasterInfo | null): void {
    if (leader?.id === this.leader?.id && leader === this.leader) return;
    this.leader = leader;
    for (const l of [...this.listeners]) l(leader);
  }

  onChange(listener: (leader: MasterInfo | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  detect(previous?: MasterInfo | null): Promise<MasterInfo> {
    if (this.leader && this.leader.id !== previous?.id) return Promise.resolve(this.leader);
    return new Promise((resolve) => {
      const off = this.onChange((leader) => {
        if (leader && leader.id !== previous?.id) {
          off();
          resolve(leader);
        }
      });
    });
  }

  async contenders(): Promise<Contender[]> {
    return this.leader ? [{ sequence: 0, info: this.leader }] : [];
  }

  session(): SessionInfo {
    return { state: "standalone" };
  }

  async close(): Promise<void> {}
}

/** A master without ZooKeeper: it leads as soon as it contends. */
export function standaloneElection(): LeaderElection {
  const detector = new FixedDetector(null);
  const contender: LeaderContender = {
    contend(info) {
      detector.set(info);
      return new StandaloneCandidacy(() => detector.set(null));
    },
  };
  return { kind: "standalone", contender, detector, onSession: () => () => {}, close: async () => {} };
}

/** A detector that always answers the configured master (`--master=host:port`). */
export function staticDetector(hostPort: string): LeaderDetector {
  const i = hostPort.lastIndexOf(":");
  const hostname = i < 0 ? hostPort : hostPort.slice(0, i);
  const port = i < 0 ? 5050 : Number(hostPort.slice(i + 1));
  const info: MasterInfo = { id: `static:${hostPort}`, ip: 0, port, pid: `master@${hostPort}`, hostname, version: "", address: { hostname, port } };
  return new FixedDetector(info);
}
