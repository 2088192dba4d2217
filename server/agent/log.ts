// A glog-flavoured line logger: `I1122 10:00:00.000 agent] message` (severity letter, month+day,
// local wall time with ms, the component, then the message). One line per significant event.

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

type Severity = "I" | "W" | "E";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

export function formatLogLine(severity: Severity, component: string, message: string, at = new Date()): string {
  const stamp =
    `${pad(at.getMonth() + 1)}${pad(at.getDate())} ` +
    `${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
  return `${severity}${stamp} ${component}] ${message}`;
}

/**
 * Lines written to stdout in one write per turn of the event loop (a burst of 1,000 task updates
 * must not cost 1,000 synchronous writes), flushed at exit.
 */
function batchedStdout(): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = pending.join("\n") + "\n";
    pending = [];
    process.stdout.write(text);
  };
  process.on("exit", flush);
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}

/** A logger writing glog-style lines through `write` (default: stdout, batched). */
export function lineLogger(component = "agent", write: (line: string) => void = batchedStdout()): Logger {
  return {
    info: (m) => write(formatLogLine("I", component, m)),
    warn: (m) => write(formatLogLine("W", component, m)),
    error: (m) => write(formatLogLine("E", component, m)),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A logger that keeps lines in memory (tests). */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (s: string) => (m: string) => lines.push(`${s} ${m}`);
  return { lines, info: push("I"), warn: push("W"), error: push("E") };
}
