import { LocalModel } from './ai/create-language-model.js';
import type { ServiceDeps } from './services/deps.js';

/**
 * ServiceDeps for tests, benchmarks and tools that run the GraphQL app without the composition root
 * (src/app.ts): the local model and no email or WhatsApp channel unless given; the rest as given.
 */
export function localServiceDeps(
  given: Pick<ServiceDeps, 'prisma' | 'settings' | 'realtime' | 'logger' | 'jobs'> & Partial<ServiceDeps>,
): ServiceDeps {
  return {
    model: new LocalModel(),
    notifications: {
      channels: { email: false, whatsapp: false },
      senders: {},
      dashboardUrl: 'http://localhost',
    },
    ...given,
  };
}
