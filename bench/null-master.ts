// The floor for bench:failover (`--floor`): a "master" that contends in ZooKeeper exactly as
// `plateau master --zk=…` does (same election code, same MasterInfo znodes) and answers the
// agents' WebSocket protocol with the least any master must do — accept the connection, parse the
// message's JSON, reply AGENT_REGISTERED / AGENT_REREGISTERED — and nothing else: no validation,
// no registry, no tasks, no allocator. Run against the same simulated agents on the same machine,
// its re-registration time is what the sockets, the JSON and the simulators cost by themselves;
// Plateau's master can only be slower than this.
//
// Started by bench/failover.ts (fork, IPC): sends {type:"leading", port} once elected.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { WebSocketServer } from "ws";
import { zooKeeperElection } from "../server/ha/zookeeper";
import { parseZkUrl } from "../server/ha/zk/url";
import type { MasterInfo } from "../server/protocol/mesos";
import { INTERNAL_AGENT_PATH } from "../server/protocol/internal";

export async function runNullMaster(zk: string, sessionTimeoutMs: number): Promise<void> {
  const id = randomUUID();
  process.once("SIGTERM", () => process.exit(0)); // a clean exit (writes a --cpu-prof profile)
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  let leading = false;
  let nextAgent = 0;
  server.on("upgrade", (req, socket, head) => {
    if (!leading || req.url !== INTERNAL_AGENT_PATH) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("message", (data) => {
        const m = JSON.parse(String(data)) as { type: string; agent_info?: { id?: { value: string } } };
        const base = { master_info: info, ping_interval_ms: 15_000 };
        if (m.type === "REGISTER_AGENT") ws.send(JSON.stringify({ type: "AGENT_REGISTERED", agent_id: { value: `${id}-S${nextAgent++}` }, ...base }));
        else if (m.type === "REREGISTER_AGENT") ws.send(JSON.stringify({ type: "AGENT_REREGISTERED", agent_id: m.agent_info!.id, ...base, unknown_tasks: [] }));
      });
      ws.on("error", () => ws.terminate());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const info: MasterInfo = {
    id, ip: 0x0100007f, port, pid: `master@127.0.0.1:${port}`, hostname: "127.0.0.1", version: "1.11.0",
    address: { hostname: "127.0.0.1", ip: "127.0.0.1", port },
  };
  const election = zooKeeperElection({ url: parseZkUrl(zk), sessionTimeoutMs });
  const candidacy = election.contender.contend(info);
  await candidacy.elected;
  leading = true;
  process.send!({ type: "leading", port });
}
