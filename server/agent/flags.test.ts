import { describe, expect, it } from "vitest";
import { FlagError, parseFlags } from "../cli/flags";
import { commandArgv, taskEnvironment } from "./command";
import { detectedResourceText } from "./detect";
import { AGENT_FLAGS, agentOptionsFromFlags } from "./flags";
import { registrationBackoffMs } from "./master-link";
import { terminalOutcome } from "./status";

const GB = 1024 ** 3;
const NO_ENV = {} as NodeJS.ProcessEnv;

describe("agent flags", () => {
  it("parses Mesos-style flags with defaults and durations in ms", () => {
    const { values } = parseFlags(["--master=127.0.0.1:5050", "--work_dir", "/tmp/w", "--status_update_retry_interval_min=500ms"], AGENT_FLAGS, NO_ENV);
    const o = agentOptionsFromFlags(values);
    expect(o).toMatchObject({
      master: "127.0.0.1:5050", workDir: "/tmp/w", ip: "127.0.0.1", port: 5051, defaultRole: "*", recover: "reconnect", strict: true,
      registrationBackoffFactorMs: 1000, executorShutdownGracePeriodMs: 5000, statusUpdateRetryIntervalMinMs: 500,
      statusUpdateRetryIntervalMaxMs: 600_000, gcDelayMs: 604_800_000,
    });
  });

  it("requires --master and --work_dir and checks --recover", () => {
    expect(() => agentOptionsFromFlags(parseFlags(["--work_dir=/w"], AGENT_FLAGS, NO_ENV).values)).toThrow(/--master/);
    expect(() => agentOptionsFromFlags(parseFlags(["--master=h:1"], AGENT_FLAGS, NO_ENV).values)).toThrow(/--work_dir/);
    expect(() => agentOptionsFromFlags(parseFlags(["--master=h:1", "--work_dir=/w", "--recover=maybe"], AGENT_FLAGS, NO_ENV).values)).toThrow(FlagError);
  });
});

describe("resource detection", () => {
  it("follows Mesos's rules for mem and disk", () => {
    const all = new Set(["cpus", "mem", "disk", "ports"]);
    expect(detectedResourceText({ cpus: 8, memBytes: 16 * GB, diskBytes: 100 * GB }, all)).toBe("cpus:8;mem:15360;disk:97280;ports:[31000-32000]");
    expect(detectedResourceText({ cpus: 1, memBytes: 1 * GB, diskBytes: 8 * GB }, all)).toBe("cpus:1;mem:512;disk:4096;ports:[31000-32000]");
    expect(detectedResourceText({ cpus: 1, memBytes: 1 * GB }, new Set(["disk"]))).toBe("disk:10240");
  });
});

describe("commands", () => {
  it("builds shell and exec forms", () => {
    expect(commandArgv({ value: "echo hi" })).toEqual(["/bin/sh", "-c", "echo hi"]);
    expect(commandArgv({ shell: false, value: "/bin/echo", arguments: ["echo", "a", "b"] })).toEqual(["/bin/echo", "a", "b"]);
    expect(() => commandArgv({ shell: true })).toThrow();
    // One simple command without shell syntax is exec'd directly (one process fewer).
    expect(commandArgv({ value: "sleep 600" })).toEqual(["sleep", "600"]);
    expect(commandArgv({ value: "/usr/bin/env --version" })).toEqual(["/usr/bin/env", "--version"]);
    for (const shellish of ["exit 3", "sleep $T", "sleep 1; echo", "ls *", "A=1 env", "cat ~/x", "echo 'a'", "sleep 1 &", "true", "sleep 1 # c", "ls\tx"]) {
      expect(commandArgv({ value: shellish })[0], shellish).toBe("/bin/sh");
    }
  });

  it("sets the MESOS_* environment and the task's variables", () => {
    const env = taskEnvironment({
      frameworkId: "fw", executorId: "t1", agentId: "a1", sandbox: "/s", agentEndpoint: "127.0.0.1:5051",
      framework: { user: "u", name: "n", checkpoint: true, roles: ["web"] },
      task: { name: "t1", task_id: { value: "t1" }, agent_id: { value: "a1" }, command: { value: "x", environment: { variables: [{ name: "FOO", value: "bar" }] } } },
      executorShutdownGraceMs: 5000, recoveryTimeoutMs: 900_000, base: { PATH: "/bin", PLATEAU_PORT: "1" } as unknown as NodeJS.ProcessEnv,
    });
    expect(env).toMatchObject({
      PATH: "/bin", FOO: "bar", MESOS_SANDBOX: "/s", MESOS_DIRECTORY: "/s", MESOS_FRAMEWORK_ID: "fw", MESOS_EXECUTOR_ID: "t1",
      MESOS_AGENT_ENDPOINT: "127.0.0.1:5051", MESOS_CHECKPOINT: "1", MESOS_ALLOCATION_ROLE: "web",
      MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD: "5secs", MESOS_RECOVERY_TIMEOUT: "15mins",
    });
    expect(env.PLATEAU_PORT).toBeUndefined();
  });
});

describe("terminal outcomes (command executor rules)", () => {
  it("maps exits, signals and kills", () => {
    expect(terminalOutcome({ kind: "exited", code: 0 }, false)).toMatchObject({ state: "TASK_FINISHED", message: "Command exited with status 0" });
    expect(terminalOutcome({ kind: "exited", code: 3 }, false)).toMatchObject({ state: "TASK_FAILED", message: "Command exited with status 3" });
    expect(terminalOutcome({ kind: "signaled", signal: "SIGSEGV", signo: 11 }, false)).toMatchObject({
      state: "TASK_FAILED", message: "Command terminated with signal SIGSEGV",
    });
    expect(terminalOutcome({ kind: "signaled", signal: "SIGTERM", signo: 15 }, true)).toMatchObject({ state: "TASK_KILLED", source: "SOURCE_EXECUTOR" });
    expect(terminalOutcome({ kind: "lost", message: "gone" }, false)).toMatchObject({
      state: "TASK_FAILED", source: "SOURCE_AGENT", reason: "REASON_EXECUTOR_TERMINATED",
    });
  });
});

describe("registration backoff", () => {
  it("is random in [0, b*2^n], capped at one minute", () => {
    expect(registrationBackoffMs(0, 1000, () => 0.999)).toBe(999);
    expect(registrationBackoffMs(3, 1000, () => 0.5)).toBe(4000);
    expect(registrationBackoffMs(20, 1000, () => 1)).toBe(60_000);
    expect(registrationBackoffMs(5, 1000, () => 0)).toBe(0);
  });
});
