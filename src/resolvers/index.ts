// Every type registers itself with the builder on import; this file only imports them.
// One file per object type: the type with all its fields, the inputs and enums only it uses, and the root
// Query/Mutation/Subscription fields that return it or act on it. A field that returns another file's
// Prisma type names it ('Conversation') rather than importing its ref, so type files import no cycle;
// enums, filters and helpers shared by several types have files of their own.
import './enums.js';
import './user.js';
import './membership.js';
import './organization.js';
import './app-service.js';
import './agent.js';
import './assignment-record.js';
import './contact.js';
import './message.js';
import './conversation.js';
import './search.js';
import './escalation.js';
import './sentiment.js';
import './notification.js';
import './webhook-endpoint.js';
import './ingestion.js';
import './canned-response.js';
import './team.js';
import './handoff-rule.js';
import './sla.js';
import './monitoring.js';
import './csat.js';
import './report.js';
import './model-usage.js';
import './event.js';
import './follow-up.js';
import './api-key.js';
import './job.js';
import './export.js';
import './audit-log.js';
import './auth.js';
import './viewer.js';
import './node.js';
