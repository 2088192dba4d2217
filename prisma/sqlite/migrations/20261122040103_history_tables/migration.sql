-- CreateTable
CREATE TABLE "TimelineEvent" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "time" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "principal" TEXT,
    "frameworkId" TEXT,
    "agentId" TEXT,
    "taskId" TEXT,
    "result" TEXT,
    "reason" TEXT
);

-- CreateTable
CREATE TABLE "MetricSample" (
    "time" BIGINT NOT NULL PRIMARY KEY,
    "data" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ElectionRecord" (
    "epoch" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "masterId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "elected" BIGINT NOT NULL,
    "reason" TEXT NOT NULL,
    "gapMs" BIGINT
);

-- CreateIndex
CREATE INDEX "TimelineEvent_time_idx" ON "TimelineEvent"("time");

