// The Plateau operator call GET_ELECTIONS (an extension: Mesos has no such call) and its JSON
// answer, snake_case like the v1 API. Every master answers it for itself, leader or not:
//
//   {"type":"GET_ELECTIONS","get_elections":{"mode":"zookeeper","role":"contending",
//     "master_info":{…},"elected":false,"zookeeper":{"state":"connected","url":"zk://…",
//     "session_id":"0x…","session_timeout_seconds":2},"leader_info":{…},
//     "contenders":[{"sequence":12,"master_info":{…}}],
//     "elections":[{"epoch":3,"master_id":"…","address":"127.0.0.1:5050","hostname":"…",
//       "version":"1.11.0","elected_time":1700000000.5,"reason":"…","gap_seconds":1.2}],
//     "fail_stops":[…],"registry_writes":{…}}}
import type { HaStatus, RegistryWriteStats } from "./types";

const writes = (w: RegistryWriteStats) => ({ commits: w.commits, refused_locally: w.refusedLocally, fenced_by_store: w.fencedByStore });

export const GET_ELECTIONS = "GET_ELECTIONS";

export function haStatusJson(s: HaStatus): Record<string, unknown> {
  const body: Record<string, unknown> = {
    mode: s.mode,
    role: s.role,
    master_info: s.self,
    elected: s.elected,
    contenders: s.contenders.map((c) => ({ sequence: c.sequence, ...(c.info ? { master_info: c.info } : {}) })),
    elections: s.elections.map((e) => ({
      epoch: e.epoch,
      master_id: e.masterId,
      address: e.address,
      hostname: e.hostname,
      version: e.version,
      elected_time: e.elected / 1000,
      reason: e.reason,
      ...(e.gapMs !== undefined ? { gap_seconds: e.gapMs / 1000 } : {}),
    })),
    fail_stops: s.failStops.map((f) => ({ time: f.at / 1000, master_id: f.masterId, reason: f.reason, registry_writes: writes(f.registryWrites) })),
    registry_writes: writes(s.registryWrites),
  };
  if (s.epoch !== undefined) body.epoch = s.epoch;
  if (s.electedTime !== undefined) body.elected_time = s.electedTime / 1000;
  if (s.leader) body.leader_info = s.leader;
  if (s.session.state !== "standalone") {
    body.zookeeper = {
      state: s.session.state,
      ...(s.session.url ? { url: s.session.url } : {}),
      ...(s.session.sessionId ? { session_id: s.session.sessionId } : {}),
      ...(s.session.timeoutMs !== undefined ? { session_timeout_seconds: s.session.timeoutMs / 1000 } : {}),
    };
  }
  return { type: GET_ELECTIONS, get_elections: body };
}
