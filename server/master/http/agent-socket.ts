// The master's WebSocket endpoint for agents (internal protocol, /internal/agent). Frames are
// validated; each connection's messages are handled strictly in order.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { parseAgentMessage, type AgentToMaster } from "../../protocol/internal";
import { wsAgentLink, type AgentLink } from "../agent-link";
import { agentDisconnected, executorExited, pong, registerAgent, removeAgent } from "../agents";
import { reregisterAgent } from "../reregistration";
import type { Master } from "../master";
import { RemoveAgent } from "../registrar";
import type { Agent } from "../state";
import { statusUpdate } from "../tasks";

const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface AgentSocketServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function createAgentSocketServer(m: Master): AgentSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on("connection", (ws: WebSocket, req: IncomingMessage) => {
    const link = wsAgentLink(ws, `${req.socket.remoteAddress}:${req.socket.remotePort}`);
    const session = { agent: null as Agent | null, busy: false };
    let chain: Promise<void> = Promise.resolve();
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      chain = chain.then(() => handleFrame(m, link, session, text)).catch((err) => {
        console.error("master] agent message handling failed:", err);
      });
    });
    ws.on("close", () => {
      chain = chain.then(() => {
        if (session.agent) agentDisconnected(m, session.agent, link);
      });
    });
    ws.on("error", () => ws.terminate());
  });
  return {
    handleUpgrade(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
    },
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}

async function handleFrame(m: Master, link: AgentLink, session: { agent: Agent | null }, text: string): Promise<void> {
  const parsed = parseAgentMessage(text);
  if (!parsed.ok) {
    m.counters.droppedMessages++;
    link.send({ type: "ERROR", message: `Invalid message: ${parsed.error}` });
    return;
  }
  if (!m.isLeading) {
    link.send({ type: "ERROR", message: "This master is not the leader" });
    link.close("not the leader");
    return;
  }
  const msg: AgentToMaster = parsed.message;
  switch (msg.type) {
    case "REGISTER_AGENT":
      if (!session.agent) session.agent = await registerAgent(m, msg, link);
      return;
    case "REREGISTER_AGENT":
      if (!session.agent) session.agent = await reregisterAgent(m, msg, link);
      return;
  }
  const agent = session.agent;
  if (!agent || m.agents.get(agent.id) !== agent) {
    link.send({ type: "ERROR", message: "Agent is not registered" });
    return;
  }
  switch (msg.type) {
    case "STATUS_UPDATE":
      if (msg.update.agent_id.value !== agent.id) {
        m.counters.invalidStatusUpdates++;
        return;
      }
      statusUpdate(m, agent.id, msg.update);
      return;
    case "PONG":
      pong(agent, msg.seq);
      return;
    case "EXECUTOR_TO_FRAMEWORK": {
      m.counters.countMessage("executor_to_framework");
      const framework = m.frameworks.get(msg.framework_id.value);
      if (framework) m.sendToFramework(framework, { type: "MESSAGE", message: { agent_id: { value: agent.id }, executor_id: msg.executor_id, data: msg.data } });
      return;
    }
    case "EXITED_EXECUTOR": {
      m.counters.countMessage("exited_executor");
      executorExited(m, agent, msg.framework_id.value, msg.executor_id.value);
      const framework = m.frameworks.get(msg.framework_id.value);
      if (framework) m.sendToFramework(framework, { type: "FAILURE", failure: { agent_id: { value: agent.id }, executor_id: msg.executor_id, status: msg.status } });
      return;
    }
    case "UNREGISTER_AGENT":
      m.counters.countMessage("unregister_slave");
      removeAgent(m, agent, "the agent unregistered");
      session.agent = null;
      await m.registrar.apply(RemoveAgent(agent.id)).catch(() => {});
      return;
  }
}
