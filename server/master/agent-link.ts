// The master's end of an agent's WebSocket (internal protocol, see protocol/internal.ts).
import type { WebSocket } from "ws";
import type { MasterToAgent } from "../protocol/internal";

export interface AgentLink {
  readonly remoteAddress: string;
  send(message: MasterToAgent): void;
  close(reason?: string): void;
}

export function wsAgentLink(ws: WebSocket, remoteAddress: string): AgentLink {
  return {
    remoteAddress,
    send(message) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    },
    close(reason) {
      ws.close(1000, reason?.slice(0, 120));
    },
  };
}
