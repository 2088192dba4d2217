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

/** A logger writing glog-style lines through `write` (default: stdout). */
export function lineLogger(component = "agent", write: (line: string) => void = (l) => process.stdout.write(l + "\n")): Logger {
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
