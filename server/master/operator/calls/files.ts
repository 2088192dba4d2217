// LIST_FILES and READ_FILE over the master's virtual files (./../files.ts).
import { sendText } from "../../../http/util";
import { FilesError, MAX_READ_BYTES, v1FileInfo } from "../files";
import { j } from "../render/json";
import { respondJson } from "../respond";
import type { CallHandler } from "./types";

export const listFiles: CallHandler = async (ctx, call, { res }) => {
  try {
    const entries = await ctx.files.list(call.list_files!.path);
    respondJson(res, "LIST_FILES", j(entries.length > 0 ? { file_infos: entries.map(v1FileInfo) } : {}));
  } catch (err) {
    if (err instanceof FilesError) return sendText(res, err.status, err.message);
    throw err;
  }
};

export const readFile: CallHandler = async (ctx, call, { res }) => {
  const body = call.read_file!;
  try {
    const { size, data } = await ctx.files.read(body.path, body.offset, body.length ?? MAX_READ_BYTES);
    respondJson(res, "READ_FILE", j({ size, data: data.toString("base64") }));
  } catch (err) {
    if (err instanceof FilesError) return sendText(res, err.status, err.message);
    throw err;
  }
};
