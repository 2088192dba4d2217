// One task: state, status history, health, resources, labels, and its sandbox. Task ids are unique
// per framework: ?framework=<id> says which (without it the page finds the task by id).
import type { Metadata } from "next";
import { HydrateClient, getQueryClient, trpc } from "../../trpc/server";
import { TaskDetail } from "./task-detail";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  return { title: `Task ${decodeURIComponent((await params).id)}` };
}

export default async function TaskPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ framework?: string }> }) {
  const id = decodeURIComponent((await params).id);
  const framework = (await searchParams).framework;
  const qc = getQueryClient();
  await Promise.all([
    framework ? qc.prefetchQuery(trpc.tasks.detail.queryOptions({ frameworkId: framework, taskId: id })) : null,
    qc.prefetchQuery(trpc.sandbox.capability.queryOptions()),
  ]).catch(() => {});
  return (
    <HydrateClient>
      <TaskDetail id={id} frameworkId={framework} />
    </HydrateClient>
  );
}
