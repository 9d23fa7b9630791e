-- AlterEnum
ALTER TYPE "AssignmentReason" ADD VALUE 'TRANSFER';

-- AlterTable
ALTER TABLE "app_services" ADD COLUMN     "auto_resolve_held" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "auto_resolve_minutes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "topic_labels" BOOLEAN NOT NULL DEFAULT true;
