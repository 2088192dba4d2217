// A task's sandbox: the file browser and, for a file, the log viewer (?path=stdout). A permalink
// with &offset=&length= opens exactly that byte range.
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../../../trpc/server";
import { Sandbox } from "./sandbox";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Sandbox of ${decodeURIComponent((await params).id)}` };
}

type Search = { framework?: string; path?: string; dir?: string; offset?: string; length?: string };

export default async function SandboxPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const id = decodeURIComponent((await params).id);
  const sp = await searchParams;
  const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);
  const qc = getQueryClient();
  await Promise.all([
    qc.prefetchQuery(trpc.sandbox.capability.queryOptions()),
    sp.framework ? qc.prefetchQuery(trpc.tasks.detail.queryOptions({ frameworkId: sp.framework, taskId: id })) : null,
  ]).catch(() => {});
  return (
    <HydrateClient>
      <Sandbox taskId={id} frameworkId={sp.framework ?? ""} path={sp.path} dir={sp.dir ?? ""} range={num(sp.offset) !== undefined ? { offset: num(sp.offset)!, length: num(sp.length) ?? 64 * 1024 } : undefined} />
    </HydrateClient>
  );
}
