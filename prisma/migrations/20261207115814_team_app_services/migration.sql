-- AlterTable
ALTER TABLE "teams" ADD COLUMN     "app_service_ids" UUID[];
