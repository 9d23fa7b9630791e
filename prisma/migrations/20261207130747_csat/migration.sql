-- AlterTable
ALTER TABLE "app_services" ADD COLUMN     "csat_survey" JSONB;

-- AlterTable
ALTER TABLE "organizations" ADD COLUMN     "timezone" TEXT NOT NULL DEFAULT 'UTC';

-- CreateTable
CREATE TABLE "csat_surveys" (
    "id" UUID NOT NULL,
    "organization_id" UUID NOT NULL,
    "app_service_id" UUID NOT NULL,
    "conversation_id" UUID NOT NULL,
    "message_id" UUID,
    "agent_id" UUID,
    "team_id" UUID,
    "language" TEXT NOT NULL,
    "resolved_at" TIMESTAMPTZ(3) NOT NULL,
    "rating" INTEGER,
    "comment" TEXT,
    "responded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "csat_surveys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "csat_surveys_organization_id_resolved_at_idx" ON "csat_surveys"("organization_id", "resolved_at");

-- CreateIndex
CREATE INDEX "csat_surveys_app_service_id_resolved_at_idx" ON "csat_surveys"("app_service_id", "resolved_at");

-- CreateIndex
CREATE UNIQUE INDEX "csat_surveys_conversation_id_resolved_at_key" ON "csat_surveys"("conversation_id", "resolved_at");

-- AddForeignKey
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_organization_id_fkey" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_app_service_id_fkey" FOREIGN KEY ("app_service_id") REFERENCES "app_services"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "csat_surveys" ADD CONSTRAINT "csat_surveys_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE SET NULL ON UPDATE CASCADE;
