// Every type registers itself with the builder on import; this file only imports them.
import './enums.js';
import './user.js';
import './membership.js';
import './organization.js';
import './app-service.js';
import './agent.js';
import './contact.js';
import './message.js';
import './conversation.js';
import './escalation.js';
import './ingestion.js';
import './canned-response.js';
import './event.js';
import './follow-up.js';
import './api-key.js';
import './auth.js';
import './viewer.js';
