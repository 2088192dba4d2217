// GET_ELECTIONS (Plateau extension, see ../../../ha/wire.ts): this master's role, ZooKeeper
// session, the leader, the contenders and the persisted election history. Followers answer it
// too (../../http/follower.ts); on the leader it arrives here like any other call.
import { haStatusJson } from "../../../ha/wire";
import { toWireJson } from "../../../protocol/json";
import { sendRawJson, sendText } from "../../../http/util";
import type { CallHandler } from "./types";

export const getElections: CallHandler = async (ctx, _call, { res }) => {
  const status = await ctx.m.highAvailability?.();
  if (!status) return sendText(res, 503, "High-availability status is not available in this master");
  sendRawJson(res, 200, toWireJson(haStatusJson(status)));
};
