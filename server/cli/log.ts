// glog-style log lines: "I1122 03:14:15.926 master] message". Also kept in a bounded in-memory
// buffer and optionally appended to a file, so /files/read?path=/master/log can serve it.
import fs from "node:fs";

export type Level = "I" | "W" | "E";

export class ProcessLog {
  private fd: number | null = null;

  constructor(
    readonly component: string,
    file?: string,
    private readonly echo = true,
  ) {
    if (file) this.fd = fs.openSync(file, "a");
  }

  get path(): string | undefined {
    return this.fdPath;
  }
  private fdPath?: string;

  line(level: Level, text: string): void {
    const d = new Date();
    const pad = (n: number, w = 2) => String(n).padStart(w, "0");
    const stamp = `${level}${pad(d.getMonth() + 1)}${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
    const out = text.includes("] ") && /^[a-z][\w-]*\]/.test(text) ? `${stamp} ${text}` : `${stamp} ${this.component}] ${text}`;
    if (this.echo) (level === "I" ? process.stdout : process.stderr).write(out + "\n");
    if (this.fd !== null) fs.writeSync(this.fd, out + "\n");
  }

  info = (text: string) => this.line("I", text);
  warn = (text: string) => this.line("W", text);
  error = (text: string) => this.line("E", text);

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export function openLog(component: string, file?: string): ProcessLog {
  const log = new ProcessLog(component, file);
  return log;
}
