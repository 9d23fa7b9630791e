-- The W3C traceparent of the request that queued the job, so the job's run joins that trace.
ALTER TABLE "outbox_jobs" ADD COLUMN "trace_parent" TEXT;
