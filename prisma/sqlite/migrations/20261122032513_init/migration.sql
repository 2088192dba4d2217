-- CreateTable
CREATE TABLE "RegistryAgent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "state" TEXT NOT NULL,
    "info" TEXT NOT NULL,
    "since" BIGINT NOT NULL,
    "deactivated" BOOLEAN NOT NULL DEFAULT false,
    "drainInfo" TEXT
);

-- CreateTable
CREATE TABLE "RegistryEntry" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Leadership" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "epoch" INTEGER NOT NULL,
    "masterId" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "since" BIGINT NOT NULL
);

