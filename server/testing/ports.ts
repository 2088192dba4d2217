// Free loopback ports for tests (bind to port 0, read the port, release it).
import net from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `T` without its falsy members (what a successful `waitUntil` returns). */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

/** Polls `check` until it returns a truthy value or the timeout passes. */
export async function waitUntil<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = "condition", intervalMs = 50): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}
