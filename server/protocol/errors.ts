// Turning zod issues into the one-line messages Mesos's JSON→protobuf converter gives.
import type { z } from "zod";

export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join(".");
      if (issue.code === "invalid_type" && (issue as { input?: unknown }).input === undefined) {
        return `Missing required field '${path}'`;
      }
      return path ? `'${path}': ${issue.message}` : issue.message;
    })
    .join("; ");
}
