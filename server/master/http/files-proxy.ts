// Sandboxes through the master: /files/browse|read|download (and v1 LIST_FILES / READ_FILE) for
// virtual paths `/agents/<agent_id>/<path on that agent>` are answered by the owning agent's v1
// operator API (LIST_FILES / READ_FILE), so the dashboard reaches every sandbox through the
// master. `<path on that agent>` is any path the agent's own /files accepts:
//   /agents/<agent_id>/frameworks/<fw>/executors/<ex>/runs/latest[/…]
//   /agents/<agent_id><executor directory from the agent's /state>[/…]
// Confinement holds end to end: the operator layer normalises the virtual path (no `..` left),
// the agent id must be a valid id of a registered agent, and the agent applies its own checks
// (sandboxes only, symlinks resolved, double encoding refused) to what is forwarded.
import { processSecurity } from "../../security/security";
import http from "node:http";
import { validateIdString } from "../../protocol/values";
import type { Master } from "../master";
import { FilesError, type FileProvider, type FileStat } from "../operator/files";

export const AGENT_FILES_PREFIX = "/agents";
const TIMEOUT_MS = 10_000;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

interface V1FileInfo {
  path: string;
  nlink?: number;
  size?: number;
  mtime?: { nanoseconds: number };
  mode?: number;
  uid?: string;
  gid?: string;
}

/** The master's credential for agents with --http_credentials (--agent_http_credential), if any. */
function agentAuthHeader(): Record<string, string> {
  const authorization = processSecurity().agentAuthorization;
  return authorization ? { Authorization: authorization } : {};
}

/** Posts a v1 operator call to an agent; resolves with the status and body text. */
function agentCall(endpoint: string, body: unknown): Promise<{ status: number; text: string }> {
  const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(":")), Number(endpoint.slice(endpoint.lastIndexOf(":") + 1))];
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, path: "/api/v1", method: "POST", timeout: TIMEOUT_MS, headers: { "Content-Type": "application/json", Accept: "application/json", "Content-Length": Buffer.byteLength(payload), ...agentAuthHeader() } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`agent ${endpoint} did not answer within ${TIMEOUT_MS} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}

export class AgentSandboxFiles implements FileProvider {
  constructor(private readonly m: () => Master) {}

  /** `/agents/<id>/<rest>` → the agent and `/<rest>`. */
  private route(virtualPath: string): { agentId: string; endpoint: string; agentPath: string } {
    const rest = virtualPath.slice(AGENT_FILES_PREFIX.length + 1);
    const slash = rest.indexOf("/");
    const agentId = slash < 0 ? rest : rest.slice(0, slash);
    const agentPath = slash < 0 ? "" : rest.slice(slash);
    if (agentId === "" || agentPath === "" || agentPath === "/") throw new FilesError(404, `Expecting a path of the form ${AGENT_FILES_PREFIX}/<agent_id>/<sandbox path>`);
    if (validateIdString(agentId) !== null) throw new FilesError(400, `Invalid agent id '${agentId}'`);
    const agent = this.m().agents.get(agentId);
    if (agent === undefined) throw new FilesError(404, `Agent ${agentId} is not registered`);
    return { agentId, endpoint: agent.endpoint, agentPath };
  }

  private async call(endpoint: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    let answer: { status: number; text: string };
    try {
      answer = await agentCall(endpoint, body);
    } catch (err) {
      throw new FilesError(500, `Failed to reach the agent at ${endpoint}: ${(err as Error).message}`);
    }
    if (answer.status === 400 || answer.status === 403 || answer.status === 404) throw new FilesError(answer.status, answer.text);
    if (answer.status !== 200) throw new FilesError(500, `The agent at ${endpoint} answered ${answer.status}: ${answer.text}`);
    try {
      return JSON.parse(answer.text) as Record<string, unknown>;
    } catch {
      throw new FilesError(500, `The agent at ${endpoint} answered with invalid JSON`);
    }
  }

  async list(virtualPath: string): Promise<FileStat[]> {
    const { agentId, endpoint, agentPath } = this.route(virtualPath);
    const reply = await this.call(endpoint, { type: "LIST_FILES", list_files: { path: agentPath } });
    const infos = ((reply.list_files as { file_infos?: V1FileInfo[] } | undefined)?.file_infos ?? []);
    return infos.map((f) => ({
      path: `${AGENT_FILES_PREFIX}/${agentId}${f.path}`,
      nlink: f.nlink ?? 1,
      size: f.size ?? 0,
      mtimeMs: (f.mtime?.nanoseconds ?? 0) / 1e6,
      mode: f.mode ?? 0,
      uid: f.uid ?? "",
      gid: f.gid ?? "",
      isDirectory: ((f.mode ?? 0) & S_IFMT) === S_IFDIR,
    }));
  }

  async read(virtualPath: string, offset: number, length: number): Promise<{ size: number; data: Buffer }> {
    const { endpoint, agentPath } = this.route(virtualPath);
    const reply = await this.call(endpoint, { type: "READ_FILE", read_file: { path: agentPath, offset, length } });
    const body = (reply.read_file ?? {}) as { size?: number; data?: string };
    return { size: body.size ?? 0, data: Buffer.from(body.data ?? "", "base64") };
  }

  describe(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const agent of this.m().agents.values()) out[`${AGENT_FILES_PREFIX}/${agent.id}`] = `sandboxes of agent ${agent.id} (http://${agent.endpoint}/files)`;
    return out;
  }
}
