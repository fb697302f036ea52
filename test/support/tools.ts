import { execFileSync } from "child_process";
import * as net from "net";

/**
 * What the integration tests do when a tool they run is missing: outside CI they skip loudly
 * (one warning on stderr naming the tool and how to install it); in CI (CI=true) they fail.
 */
export const inCi = process.env.CI === "true" || process.env.CI === "1";

/** True when `command args` runs and exits 0. */
export function runs(command: string, args: readonly string[] = ["--version"]): boolean {
  try {
    execFileSync(command, args, { stdio: "ignore", timeout: 30000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe` when every requirement holds; otherwise `describe.skip` with a loud warning, or (CI=true) a
 * `describe` whose single test fails with the reason, so a CI run never passes by skipping.
 */
export function describeIf(missing: readonly string[], name: string, fn: () => void): void {
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const reason = missing.join("; ");
  if (inCi) {
    describe(name, () => {
      test("has its tools (CI=true)", () => {
        throw new Error(`CI: ${name} cannot run: ${reason}`);
      });
    });
    return;
  }
  process.stderr.write(`\n*** SKIPPING "${name}": ${reason} ***\n\n`);
  describe.skip(name, fn);
}

/** A TCP port free on loopback right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port; rejects after timeoutMs. */
export async function waitForPort(port: number, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls `check` until it returns true; rejects with `what` after timeoutMs. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
