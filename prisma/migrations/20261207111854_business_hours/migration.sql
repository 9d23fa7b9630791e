-- AlterTable
ALTER TABLE "app_services" ADD COLUMN     "business_hours" JSONB,
ADD COLUMN     "out_of_office_message" TEXT;

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "out_of_office_sent_at" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "teams" ADD COLUMN     "business_hours" JSONB;
