-- AlterEnum
ALTER TYPE "OutboxStatus" ADD VALUE 'DEAD';

-- AlterTable
ALTER TABLE "notification_deliveries" ADD COLUMN     "in_flight_since" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "outbox_jobs" ADD COLUMN     "attempts_made" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "checked_at" TIMESTAMPTZ(3),
ADD COLUMN     "dead_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_error" TEXT,
ADD COLUMN     "revivals" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "notification_deliveries_status_next_attempt_at_idx" ON "notification_deliveries"("status", "next_attempt_at");

-- Until now a row was done once ENQUEUED (kept a day for nothing); from now on it stays until its job
-- completes. Rows relayed earlier are settled by the old rule, not re-run by the reconciler.
DELETE FROM "outbox_jobs" WHERE "status" = 'ENQUEUED';
