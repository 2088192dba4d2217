// Validation of weights and quota updates (the allocator side of the operator API's bad-input
// handling) and the flag parsers.
import { describe, expect, it } from "vitest";
import { effectiveRefuseSeconds } from "./filters";
import {
  minAllocatableFromOfferFilters, parseMinAllocatable, parseWeightsFlag, quotaConfigFromWire, quotaConfigToWire, validateQuotaConfig, validateQuotaConfigs,
  validateWeights, type QuotaUpdateContext,
} from "./quota";
import type { QuotaConfig } from "./types";

const quota = (role: string, guarantees: Record<string, number> = {}, limits: Record<string, number> = {}): QuotaConfig => ({ role, guarantees, limits });

function context(current: QuotaConfig[] = [], consumed: Record<string, Record<string, number>> = {}): QuotaUpdateContext {
  return {
    current: new Map(current.map((c) => [c.role, c])),
    clusterTotals: { cpus: 10, mem: 10240 },
    consumed: (role) => consumed[role] ?? {},
  };
}

describe("validateQuotaConfig", () => {
  it("accepts guarantees within limits and names without a limit", () => {
    expect(validateQuotaConfig(quota("ml", { cpus: 2, gpus: 1 }, { cpus: 4 }))).toBeNull();
  });

  it("rejects '*', invalid roles, negative or non-finite amounts, guarantees above limits", () => {
    expect(validateQuotaConfig(quota("*", {}, { cpus: 1 }))).toBe("Invalid 'QuotaConfig.role': setting quota for the default '*' role is not supported");
    expect(validateQuotaConfig(quota("a/../b"))).toContain("Invalid 'QuotaConfig.role'");
    expect(validateQuotaConfig(quota("ml", { cpus: -1 }))).toBe("Invalid guarantee configuration {'cpus': -1}: Invalid scalar value: must be non-negative");
    expect(validateQuotaConfig(quota("ml", {}, { mem: Number.POSITIVE_INFINITY }))).toContain("Invalid limit configuration {'mem': Infinity}");
    expect(validateQuotaConfig(quota("ml", { cpus: 3 }, { cpus: 2 }))).toBe("Invalid QuotaConfig: guarantees 'cpus:3' is not contained within limits 'cpus:2'");
  });
});

describe("validateQuotaConfigs", () => {
  it("rejects a role named twice", () => {
    expect(validateQuotaConfigs([quota("a", {}, { cpus: 1 }), quota("a")], context(), false)).toBe("Invalid QuotaConfig: duplicate role 'a' in the request");
  });

  it("checks guarantees against cluster capacity unless forced", () => {
    const configs = [quota("a", { cpus: 6 }), quota("b", { cpus: 5 })];
    expect(validateQuotaConfigs(configs, context(), false)).toBe(
      "Total quota guarantees 'cpus:11' exceed cluster capacity 'cpus:10; mem:10240' (use 'force' flag to bypass this check)",
    );
    expect(validateQuotaConfigs(configs, context(), true)).toBeNull();
    // Guarantees already in force count too; a nested role's guarantees are inside its parent's.
    expect(validateQuotaConfigs([quota("b", { cpus: 5 })], context([quota("a", { cpus: 6 })]), false)).toContain("exceed cluster capacity");
    expect(validateQuotaConfigs([quota("a/x", { cpus: 4 })], context([quota("a", { cpus: 6 })]), false)).toBeNull();
  });

  it("checks limits against current consumption unless forced", () => {
    const ctx = context([], { ml: { cpus: 3, mem: 100 } });
    expect(validateQuotaConfigs([quota("ml", {}, { cpus: 2 })], ctx, false)).toBe(
      "Invalid QuotaConfig: role 'ml' is already consuming 'cpus:3; mem:100' which exceeds its requested limits 'cpus:2' (use 'force' flag to bypass this check)",
    );
    expect(validateQuotaConfigs([quota("ml", {}, { cpus: 3 })], ctx, false)).toBeNull();
    expect(validateQuotaConfigs([quota("ml", {}, { cpus: 2 })], ctx, true)).toBeNull();
  });

  it("keeps the quota tree consistent: children within their parent", () => {
    const parent = quota("eng", { cpus: 4 }, { cpus: 6 });
    expect(validateQuotaConfigs([quota("eng/a", { cpus: 3 }), quota("eng/b", { cpus: 2 })], context([parent]), true)).toContain(
      "the sum of the guarantees of the children of role 'eng' ('cpus:5') exceeds its guarantees 'cpus:4'",
    );
    expect(validateQuotaConfigs([quota("eng/a", {}, { cpus: 7 })], context([parent]), true)).toContain("exceed its parent role 'eng' limits");
    // Lowering the parent below what its children are guaranteed is rejected too.
    expect(validateQuotaConfigs([quota("eng", { cpus: 1 })], context([parent, quota("eng/a", { cpus: 2 })]), true)).toContain("children of role 'eng'");
    expect(validateQuotaConfigs([quota("eng/a", { cpus: 2 }, { cpus: 5 })], context([parent]), false)).toBeNull();
  });
});

describe("wire conversion", () => {
  it("round-trips QuotaConfig", () => {
    const wire = { role: "ml", guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 4 }, mem: { value: 8192 } } };
    expect(quotaConfigFromWire(wire)).toEqual({ role: "ml", guarantees: { cpus: 1 }, limits: { cpus: 4, mem: 8192 } });
    expect(quotaConfigToWire(quotaConfigFromWire(wire))).toEqual(wire);
    expect(quotaConfigFromWire({ role: "ml" })).toEqual(quota("ml"));
  });
});

describe("weights", () => {
  it("validates roles and positive weights", () => {
    expect(validateWeights([{ role: "eng", weight: 2.5 }, { role: "eng/web", weight: 0.1 }])).toBeNull();
    expect(validateWeights([{ role: "eng", weight: 0 }])).toBe("Invalid weight '0' for role 'eng': weights must be positive");
    expect(validateWeights([{ role: "eng", weight: Number.NaN }])).toContain("weights must be positive");
    expect(validateWeights([{ role: "", weight: 1 }])).toContain("Failed to validate update weights request for role ''");
  });

  it("parses --weights", () => {
    expect(parseWeightsFlag("eng=2, ops=0.5")).toEqual([{ role: "eng", weight: 2 }, { role: "ops", weight: 0.5 }]);
    expect(() => parseWeightsFlag("eng")).toThrow("expected role=weight");
    expect(() => parseWeightsFlag("eng=-1")).toThrow("must be positive");
  });
});

describe("flag parsers", () => {
  it("parses --min_allocatable_resources alternatives", () => {
    expect(parseMinAllocatable("cpus:0.01|mem:32")).toEqual([{ cpus: 0.01 }, { mem: 32 }]);
    expect(parseMinAllocatable("cpus:1;mem:256|disk:10")).toEqual([{ cpus: 1, mem: 256 }, { disk: 10 }]);
    expect(() => parseMinAllocatable("cpus")).toThrow("bad quantity");
    expect(() => parseMinAllocatable("cpus:1|")).toThrow("empty alternative");
  });

  it("reads FrameworkInfo.offer_filters minimums per role", () => {
    const filters = {
      ml: { min_allocatable_resources: { quantities: [{ quantities: { cpus: { value: 4 }, mem: { value: 1024 } } }, { quantities: { gpus: { value: 1 } } }] } },
      any: { min_allocatable_resources: { quantities: [{ quantities: {} }] } },
      dflt: {},
    };
    expect(minAllocatableFromOfferFilters(filters)).toEqual({ ml: [{ cpus: 4, mem: 1024 }, { gpus: 1 }], any: [] });
    expect(minAllocatableFromOfferFilters(undefined)).toBeUndefined();
    expect(minAllocatableFromOfferFilters({ x: {} })).toBeUndefined();
  });

  it("normalises refuse_seconds as the master does", () => {
    expect(effectiveRefuseSeconds(undefined, 1000)).toBe(5);
    expect(effectiveRefuseSeconds(-3, 1000)).toBe(5);
    expect(effectiveRefuseSeconds(0, 1000)).toBe(0);
    expect(effectiveRefuseSeconds(0.2, 1000)).toBe(1);
    expect(effectiveRefuseSeconds(1e12, 1000)).toBe(365 * 24 * 3600);
  });
});
