-- DropIndex
DROP INDEX "analyses_conversation_id_type_window_start_window_end_key";

-- AlterTable
ALTER TABLE "analyses" ADD COLUMN     "subject_key" TEXT NOT NULL DEFAULT '';

-- A message's classification is keyed by its message: existing ones carry the id in their result.
UPDATE "analyses" SET "subject_key" = "result"->>'messageId'
WHERE "type" = 'INTENT' AND "result" ? 'messageId';

-- CreateIndex
CREATE UNIQUE INDEX "analyses_conversation_id_type_window_start_window_end_subje_key" ON "analyses"("conversation_id", "type", "window_start", "window_end", "subject_key");
