// GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS: v1 documents assembled from
// cached fragments and written in slices (./../render/state.ts).
import { capture, v1GetAgents, v1GetExecutors, v1GetFrameworks, v1GetState, v1GetTasks } from "../render/state";
import { respondPieces } from "../respond";
import type { CallHandler } from "./types";
import { viewFilter } from "../../../security/visibility";

export const getState: CallHandler = (ctx, _call, { req, res }) => {
  ctx.warmer?.enableV1();
  return respondPieces(res, "GET_STATE", v1GetState(ctx.cache, ctx.m, capture(ctx.m, { view: viewFilter(req, ctx.m) })));
};

export const getAgents: CallHandler = (ctx, _call, { req, res }) => respondPieces(res, "GET_AGENTS", v1GetAgents(ctx.cache, capture(ctx.m, { view: viewFilter(req, ctx.m) })));

export const getFrameworks: CallHandler = (ctx, _call, { req, res }) =>
  respondPieces(res, "GET_FRAMEWORKS", v1GetFrameworks(ctx.cache, ctx.m, capture(ctx.m, { view: viewFilter(req, ctx.m) })));

export const getExecutors: CallHandler = (ctx, _call, { req, res }) => respondPieces(res, "GET_EXECUTORS", v1GetExecutors(capture(ctx.m, { view: viewFilter(req, ctx.m) })));

export const getTasks: CallHandler = (ctx, _call, { req, res }) => {
  ctx.warmer?.enableV1();
  return respondPieces(res, "GET_TASKS", v1GetTasks(ctx.cache, capture(ctx.m, { view: viewFilter(req, ctx.m) })));
};
