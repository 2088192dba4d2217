"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../../../trpc/client";
import { AppLink } from "../../../components/shell/app-link";
import { StateBadge, Unavailable } from "../../../components/ui";
import { formatBytes, taskHref } from "../../../format";
import { LogViewer } from "./log-viewer";
import { useMasterBase } from "../../../lib/masters";
import { Ago } from "../../../components/time";

export function Sandbox({ taskId, frameworkId, path, dir, range }: { taskId: string; frameworkId: string; path?: string; dir: string; range?: { offset: number; length: number } }) {
  const trpc = useTRPC();
  const { data: cap } = useQuery(trpc.sandbox.capability.queryOptions());
  const { data: task } = useQuery(trpc.tasks.detail.queryOptions({ frameworkId, taskId }, { enabled: !!frameworkId }));
  const here = (p: string) => `${taskHref(frameworkId, taskId, "/sandbox")}${p}`;
  return (
    <>
      <div className="crumbs">
        <AppLink href="/tasks">Tasks</AppLink> / <AppLink href={taskHref(frameworkId, taskId)}>{taskId}</AppLink> /
      </div>
      <h1>
        Sandbox of {task?.name ?? taskId} {task && <StateBadge value={task.state} />}
      </h1>
      {!cap ? null : !cap.available ? (
        <Unavailable title="Sandbox not available" testId="sandbox-unavailable">{cap.reason}</Unavailable>
      ) : path ? (
        <>
          <div className="crumbs">
            <AppLink href={here("")}>sandbox</AppLink>
            {path.split("/").map((part, i, all) => (
              <span key={i}> / {i < all.length - 1 ? <AppLink href={here(`&dir=${encodeURIComponent(all.slice(0, i + 1).join("/"))}`)}>{part}</AppLink> : <b>{part}</b>}</span>
            ))}
          </div>
          <LogViewer frameworkId={frameworkId} taskId={taskId} path={path} range={range} />
        </>
      ) : (
        <Browser frameworkId={frameworkId} taskId={taskId} dir={dir} here={here} />
      )}
    </>
  );
}

function Browser({ frameworkId, taskId, dir, here }: { frameworkId: string; taskId: string; dir: string; here: (p: string) => string }) {
  const trpc = useTRPC();
  const base = useMasterBase();
  const { data, error, isPending } = useQuery(trpc.sandbox.browse.queryOptions({ frameworkId, taskId, path: dir }));
  if (isPending) return <p className="muted">Loading…</p>;
  if (error) return <p className="error" role="alert">{error.message}</p>;
  const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : "";
  return (
    <table data-testid="sandbox-files">
      <thead><tr><th>Name</th><th className="num">Size</th><th>Modified</th><th>Mode</th><th /></tr></thead>
      <tbody>
        {dir && <tr><td colSpan={5}><AppLink href={here(parent ? `&dir=${encodeURIComponent(parent)}` : "")}>..</AppLink></td></tr>}
        {data.entries.length === 0 && <tr><td colSpan={5} className="empty">Empty directory</td></tr>}
        {data.entries.map((e) => {
          const name = e.path.split("/").pop() ?? e.path;
          return (
            <tr key={e.path} data-file={e.path}>
              <td>{e.isDirectory ? <AppLink href={here(`&dir=${encodeURIComponent(e.path)}`)}>{name}/</AppLink> : <AppLink href={here(`&path=${encodeURIComponent(e.path)}`)}>{name}</AppLink>}</td>
              <td className="num">{e.isDirectory ? "—" : formatBytes(e.size)}</td>
              <td><Ago ms={e.mtimeMs} /></td>
              <td><code>{e.mode ?? ""}</code></td>
              <td>{e.downloadUrl && <a href={`${base}${e.downloadUrl}`} download>Download</a>}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
