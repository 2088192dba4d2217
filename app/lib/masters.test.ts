import { describe, expect, it } from "vitest";
import { findLeader } from "./masters";

describe("finding the leader after a failover", () => {
  it("takes the first candidate that says it leads, skipping unreachable ones", async () => {
    const probe = async (b: string) => {
      if (b === "http://a") throw new Error("unreachable");
      return { leading: b === "http://c" };
    };
    expect(await findLeader(["http://a", "http://b", "http://c"], probe)).toBe("http://c");
  });

  it("follows a follower's pointer to the leader", async () => {
    const probe = async (b: string) => (b === "http://b" ? { leading: false, leader: "x:1" } : { leading: b === "http://x:1" });
    expect(await findLeader(["http://b"], probe)).toBe("http://x:1");
  });

  it("answers null when nobody leads", async () => {
    expect(await findLeader(["http://a"], async () => ({ leading: false, leader: null }))).toBeNull();
  });
});
