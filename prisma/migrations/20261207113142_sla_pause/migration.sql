-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "paused_seconds" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "pending_since" TIMESTAMPTZ(3);

-- SLA clocks stop while a conversation is PENDING (waiting for the customer). Every writer changes the status
-- (actions, ingestion's set-wise UPDATE, routing, handoffs, auto-resolve), so the time spent pending is kept
-- here, once, rather than in each of them.
CREATE FUNCTION conversations_track_pending() RETURNS trigger AS $$
BEGIN
  IF NEW.status = 'PENDING' AND OLD.status IS DISTINCT FROM 'PENDING' THEN
    NEW.pending_since := now();
  ELSIF OLD.status = 'PENDING' AND NEW.status <> 'PENDING' THEN
    IF OLD.pending_since IS NOT NULL THEN
      NEW.paused_seconds := OLD.paused_seconds + floor(extract(epoch FROM now() - OLD.pending_since))::int;
    END IF;
    NEW.pending_since := NULL;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER conversations_track_pending
  BEFORE UPDATE OF status ON conversations
  FOR EACH ROW EXECUTE FUNCTION conversations_track_pending();
