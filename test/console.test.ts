// The agent console in a real browser (Debian's chromium driven by playwright-core) against a real
// listening server with the demo workspace and the classification worker: sign in, pick the inbox,
// an integrator's message arrives and is escalated live, the agent takes over, replies, resolves, reopens
// and hands back; Arabic; and another organization's user sees none of it.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '../src/app.js';
import { topic, type TopicName } from '../src/realtime/topics.js';
import { DEMO_LOGIN } from '../src/services/demo-seed.js';
import { catchUpSentiment } from '../src/services/sentiment-run.js';
import {
  ARTIFACTS,
  UI_TIMEOUT,
  dataOf as data,
  ensureConsoleBuilt,
  launchChromium,
  startConsoleServer,
  type ConsoleServer,
} from './support/console.js';
import type { TestDatabase } from './support/db.js';
import { rawId, uniqueEmail } from './support/fixtures.js';
import { eventually } from './support/live.js';

describe('the agent console in a browser', () => {
  let server: ConsoleServer;
  let db: TestDatabase;
  let app: Application;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const gql: ConsoleServer['gql'] = (query, variables, auth) => server.gql(query, variables, auth);
  const ingest: ConsoleServer['ingest'] = (...args) => server.ingest(...args);

  const shown = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  const testId = (id: string) => page.getByTestId(id);
  /** The inbox's items in their order: escalated (still open) ones must all come first. */
  const escalatedFlags = () =>
    page.$$eval('[data-testid="inbox-item"]', (items) =>
      items.map((item) => item.getAttribute('data-escalated')),
    );
  const escalatedFirst = (flags: (string | null)[]) =>
    !flags.slice(Math.max(0, flags.indexOf('false'))).includes('true') || !flags.includes('false');

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startConsoleServer();
    ({ db, app, base } = server);
    // What the hourly job would have stored for the demo conversations: the emotion charts have data.
    await catchUpSentiment({ prisma: db.prisma, model: app.model, realtime: app.realtime }, {});

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
    page = await context.newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an agent signs in, sees an escalation arrive live, takes over, replies, resolves and hands back', async () => {
    // / leads to the console, served by the same server as /graphql.
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/console/');
    await shown(testId('login-form'));

    // A wrong password: the error is shown, readable, with its code.
    await testId('login-email').fill(DEMO_LOGIN.email);
    await testId('login-password').fill('not-the-password');
    await testId('login-submit').click();
    const loginError = page.locator('[data-testid="error-item"][data-code="UNAUTHENTICATED"]');
    await shown(loginError);
    expect(await loginError.textContent()).toContain('The email or password is incorrect.');

    await testId('login-password').fill(DEMO_LOGIN.password);
    await testId('login-submit').click();
    await shown(testId('signed-in-as'));
    expect(await testId('signed-in-as').textContent()).toContain('Demo Owner');
    expect(await page.evaluate(() => localStorage.getItem('console.token'))).toMatch(/^cis_/);

    // Organization → app service.
    await testId('org-select').selectOption({ label: 'Sky Travel (demo) · Owner' });
    await testId('app-service-select').selectOption({ label: 'WhatsApp sales line · WhatsApp' });
    const appServiceId = await testId('app-service-select').inputValue();
    expect(appServiceId).not.toBe('');

    // The inbox: the demo conversations, escalated first.
    const items = testId('inbox-item');
    await shown(items.filter({ hasText: 'Sara Ahmed' }));
    expect(await items.filter({ hasText: 'Sara Ahmed' }).getAttribute('data-escalated')).toBe('true');
    expect(escalatedFirst(await escalatedFlags())).toBe(true);

    // The page's three subscriptions are set up on the server (and the badge says so).
    const organizationId = await testId('org-select').inputValue();
    await eventually(
      () =>
        (['messageAdded', 'conversationUpdated'] as TopicName[]).every(
          (name) => app.pubsub.bus.listeners(topic(name, 'appService', rawId(appServiceId))) > 0,
        ) &&
        // The escalations queue listens to the whole organization.
        app.pubsub.bus.listeners(topic('escalationRaised', 'organization', rawId(organizationId))) > 0,
      'the console subscriptions',
      UI_TIMEOUT,
    );
    await shown(page.locator('[data-testid="live-status"][data-status="live"]'));

    // Whatever happens next must arrive without a reload: this mark would be lost.
    await page.evaluate(() => Object.assign(window, { consoleTestMark: 'same page' }));

    // An integrator pushes a customer message that the local classifier flags as an escalation.
    const phone = '+971500000777';
    const conversationId = await ingest(
      appServiceId,
      phone,
      'I want to talk to a real person',
      'Rania Console',
    );

    const item = items.filter({ hasText: phone });
    await shown(item);
    await shown(page.locator(`[data-testid="inbox-item"][data-escalated="true"]`).filter({ hasText: phone }));
    expect(escalatedFirst(await escalatedFlags())).toBe(true);

    const alert = testId('alert').filter({ hasText: phone });
    await shown(alert);
    expect(await alert.getByTestId('alert-customer').textContent()).toBe(phone);
    expect(await alert.getByTestId('alert-event').textContent()).toBe('user_request_to_speak_to_human');
    expect(await alert.getByTestId('alert-evidence').textContent()).toContain('real person');
    const alertTime = await alert.getByTestId('alert-time').getAttribute('datetime');
    expect(Number.isNaN(Date.parse(alertTime ?? ''))).toBe(false);
    expect(await alert.getAttribute('data-conversation-id')).toBe(conversationId);
    expect(await page.evaluate(() => (window as { consoleTestMark?: string }).consoleTestMark)).toBe(
      'same page',
    );

    // Open it from the alert: the customer's words are there.
    await alert.getByTestId('alert-open').click();
    const view = page.locator(`[data-testid="conversation"][data-conversation-id="${conversationId}"]`);
    await shown(view);
    await shown(view.getByTestId('message').filter({ hasText: 'I want to talk to a real person' }));
    await shown(
      view.getByTestId('conversation-escalation').filter({ hasText: 'user_request_to_speak_to_human' }),
    );

    // Take over.
    await view.getByTestId('action-take-over').click();
    await shown(view.locator('[data-testid="conversation-status"][data-status="ASSIGNED"]'));
    expect(await view.getByTestId('conversation-assignee').textContent()).toContain('Demo Owner');

    // The customer writes again: the message appears in the open conversation, live.
    await ingest(appServiceId, phone, 'Thank you, I will wait here');
    await shown(view.getByTestId('message').filter({ hasText: 'Thank you, I will wait here' }));

    // Reply: shown in the thread, stored as the agent's message.
    const reply = 'Hello Rania, I am Demo Owner from the team. How can I help?';
    await view.getByTestId('reply-input').fill(reply);
    await view.getByTestId('reply-send').click();
    await shown(view.locator('[data-testid="message"][data-sender="AGENT"]').filter({ hasText: reply }));
    expect(await view.getByTestId('reply-input').inputValue()).toBe('');
    const stored = await db.prisma.message.findFirst({
      where: { conversationId: rawId(conversationId), content: reply },
    });
    expect(stored).toMatchObject({ senderType: 'AGENT', private: false });

    // Resolve, reopen, hand back to the bot.
    await view.getByTestId('action-resolve').click();
    await shown(view.locator('[data-testid="conversation-status"][data-status="RESOLVED"]'));
    expect(await view.getByTestId('reply-input').isDisabled()).toBe(true);
    await view.getByTestId('action-reopen').click();
    await shown(view.locator('[data-testid="conversation-status"][data-status="ASSIGNED"]'));
    await view.getByTestId('action-release').click();
    await shown(view.locator('[data-testid="conversation-status"][data-status="BOT"]'));
    const conversation = await db.prisma.conversation.findUniqueOrThrow({
      where: { id: rawId(conversationId) },
    });
    expect(conversation).toMatchObject({ status: 'BOT', assigneeId: null });
    await shown(page.locator('[data-testid="inbox-item"][data-status="BOT"]').filter({ hasText: phone }));

    // Acknowledge the alert.
    await alert.getByTestId('alert-acknowledge').click();
    await eventually(
      async () =>
        (await db.prisma.escalation.findFirst({ where: { conversationId: rawId(conversationId) } }))
          ?.acknowledgedAt != null,
      'the acknowledged escalation',
      UI_TIMEOUT,
    );

    // The monitoring numbers and charts of the app service.
    await shown(testId('monitoring-tiles'));
    await expect
      .poll(async () => Number(await testId('tile-sessions').locator('dd').textContent()), {
        timeout: UI_TIMEOUT,
      })
      .toBeGreaterThan(0);
    expect(Number(await testId('chart-messages').getAttribute('data-points'))).toBeGreaterThanOrEqual(24);
    await shown(testId('chart-emotions'));

    // Still the same page: everything above arrived live.
    expect(await page.evaluate(() => (window as { consoleTestMark?: string }).consoleTestMark)).toBe(
      'same page',
    );

    // Sara's demo conversation has an emotion timeline.
    await items.filter({ hasText: 'Sara Ahmed' }).locator('button').click();
    await shown(page.locator('[data-testid="conversation"]').filter({ hasText: 'Sara Ahmed' }));
    await shown(testId('emotion-sparkline'));

    await mkdir(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'console.png');
    await page.screenshot({ path: screenshot, fullPage: true, animations: 'disabled' });
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
  }, 240_000);

  it('switches to Arabic: right to left, every label translated, kept after a reload', async () => {
    await testId('lang-switch').click();
    await eventually(
      async () => (await page.evaluate(() => document.documentElement.dir)) === 'rtl',
      'dir=rtl',
      UI_TIMEOUT,
    );
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ar');
    expect(await page.locator('#inbox-title').textContent()).toBe('صندوق الوارد');
    expect(await testId('sign-out').textContent()).toBe('تسجيل الخروج');
    expect(await page.locator('#alerts-title').textContent()).toBe('تنبيهات التصعيد');
    // The title leads with the unacknowledged escalations' count, if any.
    expect(await page.title()).toMatch(/^(\(\d+\) )?لوحة الموظفين$/);
    await page.screenshot({
      path: path.join(ARTIFACTS, 'console-ar.png'),
      fullPage: true,
      animations: 'disabled',
    });

    // The token, the language and the chosen inbox survive a reload.
    await page.reload();
    await shown(testId('inbox-item').first());
    expect(await page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    expect(await page.locator('#inbox-title').textContent()).toBe('صندوق الوارد');
  }, 120_000);

  it('a user of another organization signing in sees none of the first organization', async () => {
    const skyTravel = await testId('org-select').inputValue();
    const skyLine = await testId('app-service-select').inputValue();
    const oldToken = (await page.evaluate(() => localStorage.getItem('console.token')))!;

    // Sign out: back to the form, the session ended on the server too.
    await testId('sign-out').click();
    await shown(testId('login-form'));
    expect(await page.evaluate(() => localStorage.getItem('console.token'))).toBeNull();
    const after = await gql<{ viewer: { user: { id: string } | null } }>(
      `{ viewer { user { id } } }`,
      {},
      {
        token: oldToken,
      },
    );
    expect(after.data?.viewer.user ?? null).toBeNull();

    // Another business, with its own app service.
    const email = uniqueEmail('console-other');
    const password = 'other-password-1';
    const { token } = data(
      await gql<{ signUp: { token: string } }>(
        `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`,
        { input: { email, password, name: 'Other Owner' } },
        {},
      ),
    ).signUp;
    const organizationId = data(
      await gql<{ createOrganization: { organization: { id: string } } }>(
        `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }`,
        { input: { name: 'Other Business' } },
        { token },
      ),
    ).createOrganization.organization.id;
    data(
      await gql(
        `mutation($input: CreateAppServiceInput!) { createAppService(input: $input) { id } }`,
        { input: { organizationId, name: 'Other line', channel: 'WEB', externalId: 'other-web' } },
        { token },
      ),
    );

    await testId('login-email').fill(email);
    await testId('login-password').fill(password);
    await testId('login-submit').click();
    await shown(testId('org-select'));
    // Only their organization to choose (it is picked, being the only one), and its only app service.
    const organizations = await testId('org-select').locator('option').allTextContents();
    expect(organizations.some((name) => name.includes('Sky Travel'))).toBe(false);
    expect(organizations.some((name) => name.includes('Other Business'))).toBe(true);
    await shown(testId('inbox-empty'));
    const content = await page.content();
    for (const forbidden of ['Sara Ahmed', '+971500000777', 'Sky Travel', 'WhatsApp sales line']) {
      expect(content, forbidden).not.toContain(forbidden);
    }

    // Pointing the stored choice at the first organization's inbox changes nothing.
    await page.evaluate(
      ([organization, appService]) =>
        localStorage.setItem(
          'console.selection',
          JSON.stringify({ organizationId: organization, appServiceId: appService }),
        ),
      [skyTravel, skyLine],
    );
    await page.reload();
    await shown(testId('inbox-empty'));
    expect(await page.content()).not.toContain('Sara Ahmed');
    expect(await testId('org-select').inputValue()).toBe(organizationId);
  }, 120_000);
});
