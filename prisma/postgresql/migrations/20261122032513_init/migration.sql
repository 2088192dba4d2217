-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "RegistryAgent" (
    "id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "info" TEXT NOT NULL,
    "since" BIGINT NOT NULL,
    "deactivated" BOOLEAN NOT NULL DEFAULT false,
    "drainInfo" TEXT,

    CONSTRAINT "RegistryAgent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RegistryEntry" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "RegistryEntry_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Leadership" (
    "id" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "masterId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "since" BIGINT NOT NULL,

    CONSTRAINT "Leadership_pkey" PRIMARY KEY ("id")
);

