// Validation of operator-initiated reservation and volume operations (before any agent sees them).
import { afterEach, describe, expect, it } from "vitest";
import type { Resource } from "../../../protocol/mesos";
import { startFixture, type Fixture } from "../test-fixture";
import { validateOperatorOperation } from "./operations";

let fx: Fixture;
afterEach(() => fx?.h.stopLoop());

const reserved = (role = "ml", extra: Partial<Resource> = {}): Resource => ({
  name: "cpus", type: "SCALAR", scalar: { value: 2 }, reservations: [{ type: "DYNAMIC", role, principal: "ops" }], ...extra,
});
const volume = (id: string, role = "ml"): Resource => ({
  name: "disk", type: "SCALAR", scalar: { value: 64 }, reservations: [{ type: "DYNAMIC", role, principal: "ops" }],
  disk: { persistence: { id, principal: "ops" }, volume: { container_path: "data", mode: "RW" } },
});

describe("validateOperatorOperation", () => {
  it("refuses unknown agents with Mesos's message", async () => {
    fx = await startFixture();
    expect(validateOperatorOperation(fx.h.master, { type: "RESERVE", agentId: "nope", resources: [reserved()] })).toEqual({ ok: false, status: 400, message: "No agent found with specified ID" });
  });

  it("checks RESERVE, UNRESERVE, CREATE and DESTROY like Mesos", async () => {
    fx = await startFixture();
    const agentId = fx.agentIds[0]!;
    const v = (type: "RESERVE" | "UNRESERVE" | "CREATE" | "DESTROY", resources: Resource[], source?: Resource[]) => validateOperatorOperation(fx.h.master, { type, agentId, resources, source });
    expect(v("RESERVE", [reserved()])).toMatchObject({ ok: true, operation: { type: "RESERVE" } });
    expect(v("RESERVE", [])).toMatchObject({ ok: false, message: "Invalid RESERVE operation: No resources specified" });
    expect(v("RESERVE", [{ name: "cpus", type: "SCALAR", scalar: { value: 1 } }])).toMatchObject({ ok: false, message: expect.stringMatching(/^Invalid RESERVE operation: .*not dynamically reserved/) });
    expect(v("RESERVE", [{ name: "cpus", type: "SCALAR", scalar: { value: -1 }, reservations: [{ type: "DYNAMIC", role: "ml" }] }])).toMatchObject({ ok: false, status: 400 });
    const refined = reserved("ml/team", { reservations: [{ type: "DYNAMIC", role: "ml" }, { type: "DYNAMIC", role: "ml/team" }] });
    expect(v("RESERVE", [refined], [reserved("ml", { reservations: [{ type: "DYNAMIC", role: "ml" }] })])).toMatchObject({ ok: true });
    expect(v("RESERVE", [refined], [{ name: "cpus", type: "SCALAR", scalar: { value: 2 } }])).toMatchObject({ ok: false, message: expect.stringContaining("'source'") });
    expect(v("UNRESERVE", [reserved()])).toMatchObject({ ok: true, operation: { type: "UNRESERVE" } });
    expect(v("UNRESERVE", [volume("v1")])).toMatchObject({ ok: false, message: expect.stringMatching(/^Invalid UNRESERVE operation: .*persistent volume/) });
    expect(v("CREATE", [volume("v1")])).toMatchObject({ ok: true, operation: { type: "CREATE", create: { volumes: [volume("v1")] } } });
    expect(v("CREATE", [volume("v1"), volume("v1")])).toMatchObject({ ok: false, message: "Invalid CREATE operation: Persistence ID 'v1' is not unique" });
    expect(v("CREATE", [reserved()])).toMatchObject({ ok: false, message: expect.stringContaining("is not a persistent volume") });
    expect(v("DESTROY", [volume("v1")])).toMatchObject({ ok: true });
    expect(v("DESTROY", [reserved()])).toMatchObject({ ok: false, message: expect.stringMatching(/^Invalid DESTROY operation/) });
  });
});
