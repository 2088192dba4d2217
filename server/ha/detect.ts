// `--master` as agents, `plateau execute` and scheduler clients take it: `host:port` (a fixed
// master) or `zk://…/path` / `file:///…` (follow the leader elected in ZooKeeper).
import { staticDetector } from "./standalone";
import { masterAddress, type LeaderDetector } from "./types";
import { zooKeeperDetector } from "./zookeeper";
import { isZkUrl, parseZkUrl } from "./zk/url";

/** Mesos's default ZooKeeper session timeout (--zk_session_timeout). */
export const DEFAULT_ZK_SESSION_TIMEOUT_MS = 10_000;

export interface DetectorOptions {
  sessionTimeoutMs?: number;
  log?: (line: string) => void;
}

export function isFollowingZooKeeper(master: string): boolean {
  return isZkUrl(master);
}

/** A detector for `--master`; throws ZkUrlError for a malformed zk:// URL. */
export function createDetector(master: string, opts: DetectorOptions = {}): LeaderDetector {
  if (!isZkUrl(master)) return staticDetector(master.replace(/^https?:\/\//, "").replace(/\/.*$/, ""));
  return zooKeeperDetector({ url: parseZkUrl(master), sessionTimeoutMs: opts.sessionTimeoutMs ?? DEFAULT_ZK_SESSION_TIMEOUT_MS, log: opts.log });
}

/** `host:port` of the current leader, or null. */
export function leaderAddress(detector: LeaderDetector): string | null {
  return detector.leader ? masterAddress(detector.leader) : null;
}

/** Waits (up to `timeoutMs`) for a leader other than `previous`; resolves with its `host:port`. */
export async function detectAddress(detector: LeaderDetector, timeoutMs: number, previousAddress?: string): Promise<string> {
  const current = leaderAddress(detector);
  if (current && current !== previousAddress) return current;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`No leading master detected within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref?.();
    const off = detector.onChange((leader) => {
      if (!leader) return;
      const address = masterAddress(leader);
      if (address === previousAddress) return;
      clearTimeout(timer);
      off();
      resolve(address);
    });
  });
}
