// What every operator handler can reach: the master, its public handle, the state cache, the
// SUBSCRIBE fan-out, the files, the logging level and the history. Built once per master by
// ./index.ts.
import type { Master } from "../master";
import type { MasterHandle } from "../handle";
import type { StateCache } from "./render/cache";
import type { OperatorSubscribers } from "./subscribe";
import type { VirtualFiles } from "./files";
import type { LoggingLevel } from "./logging";
import type { MasterHistory } from "./history";
import type { VersionInfo } from "./version";
import type { CacheWarmer } from "./render/warmer";
import { principalName } from "../../security/security";

export interface OperatorContext {
  m: Master;
  handle: MasterHandle;
  cache: StateCache;
  /** Background rendering of fragments (null when disabled). */
  warmer: CacheWarmer | null;
  subscribers: OperatorSubscribers;
  files: VirtualFiles;
  logging: LoggingLevel;
  history: MasterHistory;
  version: VersionInfo;
  log: (line: string) => void;
}

/** Who is asking: the principal the front door authenticated (server/security), or "anonymous". */
export function principalOf(req: object): string {
  return principalName(req);
}
