// Helpers for the operator API integration tests: a real master (HTTP on loopback) with its log
// in a file (served as /master/log), an operator client for /api/v1 and SUBSCRIBE, and legacy
// GETs.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { startMaster } from "../../server/master";
import { defaultMasterConfig, type MasterConfig } from "../../server/master/config";
import type { OperatorOptions } from "../../server/master/operator";
import { serve } from "../../server/http/server";
import { freePort, tempDir, type TestMaster } from "../../server/testing/cluster";
import { rawCall, type CallResult } from "../../server/cli/scheduler-client";
import { RecordIODecoder } from "../../server/protocol/recordio";

export interface OperatorTestMaster extends TestMaster {
  logFile: string;
  workDir: string;
}

export async function startOperatorMaster(opts: { registry?: string; config?: Partial<MasterConfig>; operator?: OperatorOptions; workDir?: string } = {}): Promise<OperatorTestMaster> {
  const port = await freePort();
  const workDir = opts.workDir ?? tempDir("operator-master");
  const logFile = path.join(workDir, "master.log");
  const log = (line: string) => fs.appendFileSync(logFile, `I0101 00:00:00.000 ${line}\n`);
  const config = defaultMasterConfig({
    ip: "127.0.0.1",
    port,
    allocationIntervalMs: 200,
    agentPingTimeoutMs: 1000,
    maxAgentPingTimeouts: 3,
    heartbeatIntervalMs: 1000,
    displayFlags: { port: String(port), work_dir: workDir, heartbeat_interval: "1secs" },
    ...opts.config,
  });
  const running = await startMaster({ config, registry: opts.registry ?? "in_memory", log, operator: { logFile, ...opts.operator } });
  const served = await serve({ ip: "127.0.0.1", port, running, dashboard: false, log });
  return {
    running,
    served,
    port,
    address: `127.0.0.1:${port}`,
    logFile,
    workDir,
    async stop() {
      await served.close();
      await running.stop();
    },
  };
}

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

/** POST /api/v1 with a call object (or raw body text). */
export function operatorCall(port: number, call: unknown, headers: Record<string, string> = JSON_HEADERS): Promise<CallResult> {
  return rawCall({ host: "127.0.0.1", port }, typeof call === "string" ? call : JSON.stringify(call), headers, "/api/v1");
}

/** POST /api/v1 expecting 200 with a JSON body; returns the body parsed. */
export async function operatorGet<T = Record<string, any>>(port: number, call: unknown): Promise<T> {
  const r = await operatorCall(port, call);
  if (r.status !== 200) throw new Error(`${JSON.stringify(call)} answered ${r.status}: ${r.body}`);
  return JSON.parse(r.body) as T;
}

export function get(port: number, pathAndQuery: string, headers: Record<string, string> = {}): Promise<CallResult> {
  return rawCall({ host: "127.0.0.1", port }, "", headers, pathAndQuery, "GET");
}

export async function getJson<T = any>(port: number, pathAndQuery: string): Promise<T> {
  const r = await get(port, pathAndQuery);
  if (r.status !== 200) throw new Error(`GET ${pathAndQuery} answered ${r.status}: ${r.body}`);
  return JSON.parse(r.body) as T;
}

/** A SUBSCRIBE stream: decoded events in arrival order. */
export class OperatorStream {
  readonly events: any[] = [];
  /** The master ended the stream. */
  ended = false;
  private req!: http.ClientRequest;
  private waiters: (() => void)[] = [];

  static open(port: number): Promise<OperatorStream> {
    const stream = new OperatorStream();
    return new Promise((resolve, reject) => {
      const body = JSON.stringify({ type: "SUBSCRIBE" });
      stream.req = http.request({ host: "127.0.0.1", port, path: "/api/v1", method: "POST", headers: { ...JSON_HEADERS, "Content-Length": Buffer.byteLength(body) } });
      stream.req.on("error", reject);
      stream.req.on("response", (res) => {
        if (res.statusCode !== 200) return reject(new Error(`SUBSCRIBE answered ${res.statusCode}`));
        const decoder = new RecordIODecoder();
        res.on("data", (chunk: Buffer) => {
          for (const record of decoder.push(chunk)) stream.events.push(JSON.parse(record.toString("utf8")));
          for (const w of stream.waiters.splice(0)) w();
        });
        res.on("error", () => {});
        res.on("end", () => (stream.ended = true));
        resolve(stream);
      });
      stream.req.end(body);
    });
  }

  /** Waits for an event matching `pred` (among all received so far and later). */
  async waitFor(pred: (e: any) => boolean, timeoutMs = 15_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for an operator event; got ${this.events.map((e) => e.type).join(",")}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  close(): void {
    this.req.destroy();
  }
}
