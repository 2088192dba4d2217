// Background rendering: after a pass, documents are served from cached fragments only; the
// warmer steps aside while documents are being written; changed tasks are re-rendered.
import { afterEach, describe, expect, it } from "vitest";
import { startFixture, type Fixture } from "../test-fixture";
import { waitUntil } from "../../../testing/ports";
import { StateCache } from "./cache";
import { CacheWarmer } from "./warmer";
import { capture, legacyState } from "./state";
import { collect } from "../sliced-writer";

let fx: Fixture;
let warmer: CacheWarmer | undefined;
afterEach(() => {
  warmer?.stop();
  fx?.h.stopLoop();
});

const render = (cache: StateCache) => collect(legacyState(cache, fx.h.master, "{", capture(fx.h.master)));

describe("CacheWarmer", () => {
  it("renders every task and agent ahead of the first document, then follows changes", async () => {
    fx = await startFixture();
    for (let i = 0; i < 5; i++) fx.launch(`w${i}`);
    fx.update("w0", "TASK_RUNNING");
    fx.update("w1", "TASK_FINISHED");
    const cache = new StateCache(fx.h.master);
    warmer = new CacheWarmer(fx.h.master, cache, () => false);
    await waitUntil(() => warmer!.idle, 5000, "first pass");
    const misses = cache.stats.misses;
    expect(misses).toBe(5);
    render(cache);
    expect(cache.stats.misses).toBe(misses);

    fx.update("w2", "TASK_RUNNING");
    await waitUntil(() => warmer!.idle && cache.stats.misses === misses + 1, 5000, "changed task re-rendered");
    render(cache);
    expect(cache.stats.misses).toBe(misses + 1);
  });

  it("steps aside while documents are waiting for slices, and renders v1 fragments once asked", async () => {
    fx = await startFixture();
    fx.launch("b0");
    const cache = new StateCache(fx.h.master);
    let busy = true;
    warmer = new CacheWarmer(fx.h.master, cache, () => busy);
    await new Promise((r) => setTimeout(r, 100));
    expect(cache.stats.misses).toBe(0);
    busy = false;
    await waitUntil(() => warmer!.idle, 5000, "pass");
    expect(cache.stats.misses).toBe(1);
    warmer.enableV1();
    await waitUntil(() => warmer!.idle && cache.stats.misses === 2, 5000, "v1 pass");
    expect(warmer.passes).toBe(2);
  });

  it("waits while agents keep (re-)registering (a failover's re-registration storm), then catches up", async () => {
    fx = await startFixture();
    const cache = new StateCache(fx.h.master);
    warmer = new CacheWarmer(fx.h.master, cache, () => false);
    await waitUntil(() => warmer!.idle, 5000, "first pass");
    const storm = setInterval(() => fx.h.master.counters.agentReregistrations++, 20);
    try {
      for (let i = 0; i < 3; i++) fx.launch(`s${i}`);
      await new Promise((r) => setTimeout(r, 400));
      expect(cache.stats.misses).toBe(0);
    } finally {
      clearInterval(storm);
    }
    await waitUntil(() => warmer!.idle && cache.stats.misses === 3, 5000, "tasks rendered once the storm is over");
  });
});
