-- CreateTable
CREATE TABLE "TimelineEvent" (
    "seq" INTEGER NOT NULL,
    "time" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "principal" TEXT,
    "frameworkId" TEXT,
    "agentId" TEXT,
    "taskId" TEXT,
    "result" TEXT,
    "reason" TEXT,

    CONSTRAINT "TimelineEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "MetricSample" (
    "time" BIGINT NOT NULL,
    "data" TEXT NOT NULL,

    CONSTRAINT "MetricSample_pkey" PRIMARY KEY ("time")
);

-- CreateTable
CREATE TABLE "ElectionRecord" (
    "epoch" INTEGER NOT NULL,
    "masterId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "elected" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "gapMs" BIGINT,

    CONSTRAINT "ElectionRecord_pkey" PRIMARY KEY ("epoch")
);

-- CreateIndex
CREATE INDEX "TimelineEvent_time_idx" ON "TimelineEvent"("time");

