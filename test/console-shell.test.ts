// The console's shell in a real browser (Debian's chromium through playwright-core) against a real
// listening server with the demo workspace: addresses (a notice's link through the login, Back and
// Forward), the escalations queue as a view of the API (after a reload, from another app service, after
// the socket dropped, with its count in the title, a beep and a desktop notification), the inbox's
// search, filters and paging, the 390 px layout, the team lead view, Arabic, a signed-out tab, and a user
// of another organization who sees none of it.
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGIN } from '../src/services/demo-seed.js';
import { topic } from '../src/realtime/topics.js';
import { checkSlas } from '../src/services/sla.js';
import {
  ARTIFACTS,
  UI_TIMEOUT,
  dataOf,
  ensureConsoleBuilt,
  launchChromium,
  startConsoleServer,
  type ConsoleServer,
} from './support/console.js';
import { backends } from './support/db.js';
import { createApiKey, createAppService, createOrganization, rawId, signUp } from './support/fixtures.js';
import { eventually } from './support/live.js';
import { TcpProxy } from './support/tcp-proxy.js';

/** The words the local classifier reads as "I want a human". */
const ESCALATING = 'I want to talk to a real person';
/** A word only the conversation beyond the first page contains. */
const NEEDLE = 'QUOKKA7731';
const FILLERS = 30;

/**
 * The browser's notification and audio, observed: Notification records what is shown (and whether
 * permission was asked), AudioContext counts the tones. Everything else is the browser's own. Plain
 * JavaScript, run in the page before its scripts.
 */
const observeSignals = (permission: 'granted' | 'default') => `
  (() => {
    const signals = { notifications: [], asked: 0, tones: 0 };
    window.consoleSignals = signals;
    function RecordedNotification(title, options) {
      signals.notifications.push({ title, body: options && options.body });
      this.onclick = null;
    }
    RecordedNotification.prototype.close = function () {};
    RecordedNotification.permission = ${JSON.stringify(permission)};
    RecordedNotification.requestPermission = function () {
      signals.asked += 1;
      RecordedNotification.permission = 'granted';
      return Promise.resolve('granted');
    };
    window.Notification = RecordedNotification;
    const createOscillator = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function () {
      signals.tones += 1;
      return createOscillator.call(this);
    };
  })();
`;

interface Signals {
  notifications: { title: string; body?: string }[];
  asked: number;
  tones: number;
}
const signalsOf = (page: Page) =>
  page.evaluate(() => (window as unknown as { consoleSignals: Signals }).consoleSignals);

describe('the console shell in a browser', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let ownerToken: string;
  let organizationId: string;
  let whatsapp: string;
  let web: string;
  let needle: string;
  /** The website customer's escalated conversation (the queue's test raises it). */
  let webConversation: string;
  const proxies: TcpProxy[] = [];

  const shown = (locator: Locator, timeout = UI_TIMEOUT) => locator.waitFor({ state: 'visible', timeout });
  const hidden = (locator: Locator) => locator.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  const pathOf = (target: Page) => new URL(target.url()).pathname;
  const item = (target: Page, conversationId: string) =>
    target.locator(`[data-testid="inbox-item"][data-conversation-id="${conversationId}"]`);
  const view = (target: Page, conversationId: string) =>
    target.locator(`[data-testid="conversation"][data-conversation-id="${conversationId}"]`);
  const alertFor = (target: Page, phone: string) => target.getByTestId('alert').filter({ hasText: phone });

  const signIn = async (
    target: Page,
    email: string = DEMO_LOGIN.email,
    password: string = DEMO_LOGIN.password,
  ) => {
    await shown(target.getByTestId('login-form'));
    await target.getByTestId('login-email').fill(email);
    await target.getByTestId('login-password').fill(password);
    await target.getByTestId('login-submit').click();
    await shown(target.getByTestId('sign-out'));
  };

  /** What the API counts as the queue's badge, for the demo owner. */
  const unacknowledged = async () =>
    dataOf(
      await server.gql<{ node: { unacknowledgedEscalations: number } }>(
        `query($o: ID!) { node(id: $o) { ... on Organization { unacknowledgedEscalations } } }`,
        { o: organizationId },
        { token: ownerToken },
      ),
    ).node.unacknowledgedEscalations;

  /** An escalating customer message, stored with its escalation before it returns. */
  const escalate = async (appServiceId: string, phone: string) => {
    const conversationId = await server.ingest(appServiceId, phone, ESCALATING);
    await eventually(
      async () =>
        (await server.db.prisma.escalation.count({ where: { conversationId: rawId(conversationId) } })) > 0,
      `the escalation of ${phone}`,
      UI_TIMEOUT,
    );
    return conversationId;
  };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    server = await startConsoleServer();
    ownerToken = dataOf(
      await server.gql<{ logIn: { token: string } }>(
        `mutation($i: LogInInput!) { logIn(input: $i) { token } }`,
        { i: { email: DEMO_LOGIN.email, password: DEMO_LOGIN.password } },
      ),
    ).logIn.token;
    const organization = dataOf(
      await server.gql<{
        viewer: {
          organizations: {
            edges: {
              node: { id: string; appServices: { edges: { node: { id: string; name: string } }[] } };
            }[];
          };
        };
      }>(
        `{ viewer { organizations(first: 5) { edges { node { id appServices(first: 5) { edges { node { id name } } } } } } } }`,
        {},
        { token: ownerToken },
      ),
    ).viewer.organizations.edges[0]!.node;
    organizationId = organization.id;
    const line = (name: string) =>
      organization.appServices.edges.find((edge) => edge.node.name === name)!.node.id;
    whatsapp = line('WhatsApp sales line');
    web = line('Website chat');

    // One conversation with a rare word, then enough newer ones to push it beyond the first page.
    needle = await server.ingest(
      whatsapp,
      '+971500009000',
      `My booking reference is ${NEEDLE}`,
      'Needle Person',
    );
    for (let index = 1; index <= FILLERS; index++) {
      await server.ingest(
        whatsapp,
        `+97150001${String(index).padStart(4, '0')}`,
        `Hello, question ${index} about baggage`,
      );
    }
    await server.ingest(web, '+971500008000', 'Hello from the website', 'Web Visitor');

    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
    await context.addInitScript({ content: observeSignals('granted') });
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    for (const proxy of proxies) await proxy.stop();
    await browser?.close();
    await server?.stop();
  });

  it("a notice's link opens its conversation after the login, whose wrong password is one sentence", async () => {
    // A fresh browser (nothing stored) follows the link in an email or WhatsApp notice.
    await page.goto(`${server.base}/console/conversations/${needle}`);
    await shown(page.getByTestId('login-form'));
    // The live region for alerts is not there yet (signed out), and the title has no count.
    await page.getByTestId('login-email').fill(DEMO_LOGIN.email);
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    const error = page.locator('[data-testid="error-item"][data-code="UNAUTHENTICATED"]');
    await shown(error);
    // One translated sentence: not followed by the server's words or the raw code.
    expect((await error.textContent())?.trim()).toBe('The email or password is incorrect.');
    expect(pathOf(page)).toBe(`/console/conversations/${needle}`);

    await page.getByTestId('login-password').fill(DEMO_LOGIN.password);
    await page.getByTestId('login-submit').click();
    await shown(view(page, needle));
    await shown(view(page, needle).getByTestId('message').filter({ hasText: NEEDLE }));
    expect(pathOf(page)).toBe(`/console/conversations/${needle}`);
    // Its app service was selected (nothing was chosen in this browser before).
    expect(await page.getByTestId('app-service-select').inputValue()).toBe(whatsapp);
    // The alerts' live region is there from the start, empty until an escalation arrives.
    expect(await page.getByTestId('alerts-live').count()).toBe(1);
    expect(await page.getByTestId('alerts-live').textContent()).toBe('');
  }, 120_000);

  it('moves between the inbox and conversations with Back and Forward', async () => {
    await page.getByTestId('nav-inbox').click();
    await shown(page.getByTestId('conversation-placeholder'));
    expect(pathOf(page)).toBe('/console/');

    const [first, second] = await page
      .locator('[data-testid="inbox-item"][data-escalated="false"]')
      .evaluateAll((items) =>
        items.slice(0, 2).map((element) => element.getAttribute('data-conversation-id')!),
      );
    await item(page, first!).locator('button').click();
    await shown(view(page, first!));
    expect(pathOf(page)).toBe(`/console/conversations/${first}`);
    await item(page, second!).locator('button').click();
    await shown(view(page, second!));

    await page.goBack();
    await shown(view(page, first!));
    expect(pathOf(page)).toBe(`/console/conversations/${first}`);
    await page.goBack();
    await shown(page.getByTestId('conversation-placeholder'));
    expect(pathOf(page)).toBe('/console/');
    await page.goBack();
    await shown(view(page, needle));
    await page.goForward();
    await page.goForward();
    await shown(view(page, first!));
    await page.goForward();
    await shown(view(page, second!));
    expect(pathOf(page)).toBe(`/console/conversations/${second}`);

    // The team lead view has its address too, and Back returns from it.
    await page.getByTestId('nav-team').click();
    await shown(page.getByTestId('team-lead'));
    expect(pathOf(page)).toBe('/console/team');
    await page.goBack();
    await shown(view(page, second!));
    // A reload keeps what the address says.
    await page.reload();
    await shown(view(page, second!));
  }, 120_000);

  it('searches beyond the first page, loads more with the cursor, and filters', async () => {
    await page.getByTestId('nav-inbox').click();
    await shown(page.getByTestId('inbox-item').first());
    expect(await item(page, needle).count()).toBe(0);

    // Search: the conversation a page away is found by a word of its messages.
    await page.getByTestId('inbox-search').fill(NEEDLE);
    await shown(item(page, needle));
    await expect.poll(() => page.getByTestId('inbox-item').count(), { timeout: UI_TIMEOUT }).toBe(1);
    // The preview is the message that matched.
    expect(await item(page, needle).getByTestId('inbox-preview-text').textContent()).toContain(NEEDLE);
    // Part of a phone number, and an Arabic name.
    await page.getByTestId('inbox-search').fill('5000090');
    await shown(item(page, needle));
    await page.getByTestId('inbox-search').fill('خالد');
    await shown(page.getByTestId('inbox-item').filter({ hasText: 'خالد المنصوري' }));
    await hidden(item(page, needle));

    // Load more: the next page comes after the cursor, the needle among them.
    await page.getByTestId('inbox-clear').click();
    await hidden(item(page, needle));
    const before = await page.getByTestId('inbox-item').count();
    await page.getByTestId('inbox-load-more').click();
    await expect
      .poll(() => page.getByTestId('inbox-item').count(), { timeout: UI_TIMEOUT })
      .toBeGreaterThan(before);
    await shown(item(page, needle));
    const total = Number(await page.getByTestId('inbox-count').getAttribute('data-total'));
    expect(total).toBe(
      await server.db.prisma.conversation.count({ where: { appServiceId: rawId(whatsapp) } }),
    );

    // Filters, each checked against what the items say.
    const statuses = () =>
      page
        .locator('[data-testid="inbox-item"]')
        .evaluateAll((items) => items.map((element) => element.getAttribute('data-status')));
    await page.getByTestId('inbox-status').selectOption('RESOLVED');
    await shown(page.getByTestId('inbox-item').filter({ hasText: 'James Miller' }));
    expect(new Set(await statuses())).toEqual(new Set(['RESOLVED']));
    await page.getByTestId('inbox-status').selectOption('');

    await page.getByTestId('inbox-label').fill('refund');
    await shown(page.getByTestId('inbox-item').filter({ hasText: 'خالد المنصوري' }));
    await expect.poll(() => page.getByTestId('inbox-item').count(), { timeout: UI_TIMEOUT }).toBe(1);
    await page.getByTestId('inbox-label').fill('');

    await page.getByTestId('inbox-view').selectOption('mine');
    await shown(page.getByTestId('inbox-item').filter({ hasText: 'James Miller' }));
    for (const text of await page.getByTestId('inbox-item').allTextContents()) {
      expect(text).toContain('Assigned to Demo Owner');
    }
    await page.getByTestId('inbox-view').selectOption('unassigned');
    await hidden(page.getByTestId('inbox-item').filter({ hasText: 'James Miller' }));
    for (const text of await page.getByTestId('inbox-item').allTextContents()) {
      expect(text).toContain('Unassigned');
    }
    await page.getByTestId('inbox-view').selectOption('escalated');
    await shown(page.getByTestId('inbox-item').filter({ hasText: 'Sara Ahmed' }));
    for (const flag of await page
      .locator('[data-testid="inbox-item"]')
      .evaluateAll((items) => items.map((element) => element.getAttribute('data-escalated')))) {
      expect(flag).toBe('true');
    }
    await page.getByTestId('inbox-view').selectOption('all');

    // Every app service at once: the website's conversation too, each item saying where it is from.
    await page.getByTestId('app-service-select').selectOption('all');
    await shown(page.getByTestId('inbox-item').filter({ hasText: 'Web Visitor' }));
    const lines = new Set(await page.getByTestId('inbox-app-service').allTextContents());
    expect(lines).toEqual(new Set(['WhatsApp sales line', 'Website chat']));
    await page.getByTestId('app-service-select').selectOption(whatsapp);
    await hidden(page.getByTestId('inbox-item').filter({ hasText: 'Web Visitor' }));

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({
      path: path.join(ARTIFACTS, 'console-inbox.png'),
      fullPage: true,
      animations: 'disabled',
    });
  }, 180_000);

  it('exports what the filters select as a CSV, downloaded with the session; an agent is offered none', async () => {
    await page.getByTestId('nav-inbox').click();
    await page.getByTestId('inbox-status').selectOption('RESOLVED');
    await shown(page.getByTestId('inbox-item').filter({ hasText: 'James Miller' }));
    // The job builds it, the page polls, then fetches it with its token and saves it: a browser download.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: UI_TIMEOUT }),
      page.getByTestId('inbox-export-button').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^conversations-\d{8}-\d{4}\.csv$/);
    const csv = await readFile((await download.path())!, 'utf8');
    const [header, ...rows] = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(header).toMatch(/^id,app_service,status,/);
    const resolved = await server.db.prisma.conversation.findMany({
      where: { appServiceId: rawId(whatsapp), status: 'RESOLVED' },
      select: { id: true },
    });
    expect(resolved.length).toBeGreaterThan(0);
    expect(rows.map((row) => row.split(',')[0]).sort()).toEqual(resolved.map((row) => row.id).sort());
    for (const row of rows) expect(row.split(',')[2]).toBe('RESOLVED');
    await shown(
      page.getByTestId('inbox-export-status').filter({ hasText: `Downloaded: ${resolved.length}` }),
    );
    await page.getByTestId('inbox-status').selectOption('');

    // An agent (the demo's Layla) has no export button: exports are OWNER, ADMIN and ANALYST's.
    const separate = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
    const agentPage = await separate.newPage();
    await agentPage.goto(`${server.base}/console/conversations/${needle}`);
    await signIn(agentPage, 'layla@example.com', 'layla-password-1');
    await shown(view(agentPage, needle));
    await shown(agentPage.getByTestId('inbox-item').first());
    expect(await agentPage.getByTestId('inbox-export-button').count()).toBe(0);
    await separate.close();
  }, 120_000);

  it('keeps the escalations queue across app services and reloads, with the count in the title, a beep and a notification', async () => {
    await shown(page.locator('[data-testid="live-status"][data-status="live"]'));
    const start = await unacknowledged();
    expect(await page.title()).toBe(start > 0 ? `(${start}) Agent console` : 'Agent console');
    const signalsBefore = await signalsOf(page);

    // Raised on the other app service while the WhatsApp line is shown: it arrives, live.
    webConversation = await escalate(web, '+971500007001');
    const webAlert = alertFor(page, '+971500007001');
    await shown(webAlert);
    expect(await webAlert.getByTestId('alert-app-service').textContent()).toBe('Website chat');
    await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toBe(`(${start + 1}) Agent console`);
    expect(await unacknowledged()).toBe(start + 1);
    await expect
      .poll(async () => (await signalsOf(page)).tones, { timeout: UI_TIMEOUT })
      .toBeGreaterThan(signalsBefore.tones);
    const notified = (await signalsOf(page)).notifications.slice(signalsBefore.notifications.length);
    expect(notified.map((notification) => notification.title)).toEqual(['Wants a human · +971500007001']);
    expect(await page.getByTestId('alerts-live').textContent()).toContain('+971500007001');

    // Raised while no page is open: the next page shows it, and a reload keeps both.
    await page.close();
    const closedConversation = await escalate(whatsapp, '+971500007002');
    page = await context.newPage();
    await page.goto(`${server.base}/console`);
    await shown(alertFor(page, '+971500007002'));
    await shown(alertFor(page, '+971500007001'));
    await page.reload();
    await shown(alertFor(page, '+971500007002'));
    await shown(alertFor(page, '+971500007001'));
    await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toBe(`(${start + 2}) Agent console`);

    // Open from the queue: its address and its conversation; acknowledging takes it off the queue.
    await alertFor(page, '+971500007002').getByTestId('alert-open').click();
    await shown(view(page, closedConversation));
    expect(pathOf(page)).toBe(`/console/conversations/${closedConversation}`);
    await alertFor(page, '+971500007002').getByTestId('alert-acknowledge').click();
    await hidden(alertFor(page, '+971500007002'));
    await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toBe(`(${start + 1}) Agent console`);
    expect(await unacknowledged()).toBe(start + 1);
  }, 180_000);

  it('catches up after the socket dropped: an escalation raised meanwhile appears after the reconnect', async () => {
    // The browser reaches the server through a proxy that can cut every connection.
    const proxy = new TcpProxy('127.0.0.1', Number(new URL(server.base).port));
    proxies.push(proxy);
    await proxy.start();
    const cut = await context.newPage();
    await cut.goto(`http://127.0.0.1:${proxy.port}/console/`);
    await signIn(cut);
    await cut.getByTestId('app-service-select').selectOption(whatsapp);
    await shown(cut.locator('[data-testid="live-status"][data-status="live"]'));
    await shown(alertFor(cut, '+971500007001'));

    await proxy.cut();
    await shown(cut.locator('[data-testid="live-status"]:not([data-status="live"])'));
    await escalate(whatsapp, '+971500007003');
    // Nothing can reach the page now; it gets the escalation once it is back.
    expect(await alertFor(cut, '+971500007003').count()).toBe(0);
    await proxy.restore();
    await shown(cut.locator('[data-testid="live-status"][data-status="live"]'), 90_000);
    await shown(alertFor(cut, '+971500007003'));
    const count = await unacknowledged();
    await expect.poll(() => cut.title(), { timeout: UI_TIMEOUT }).toBe(`(${count}) Agent console`);
    await cut.close();
  }, 180_000);

  it.runIf(backends.includes('postgres'))(
    'loses nothing to a server restart: an escalation raised as it comes back reaches the open page',
    async () => {
      await shown(page.locator('[data-testid="live-status"][data-status="live"]'));
      // The same page all along: this mark would be lost by a reload.
      await page.evaluate(() => Object.assign(window, { consoleTestMark: 'same page' }));
      await server.restart();
      // Raised before or after the page's socket is back: live, or by the catch-up on reconnect.
      await escalate(whatsapp, '+971500007004');
      await shown(alertFor(page, '+971500007004'), 90_000);
      await shown(page.locator('[data-testid="live-status"][data-status="live"]'), 90_000);
      const count = await unacknowledged();
      await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toBe(`(${count}) Agent console`);
      expect(await page.evaluate(() => (window as { consoleTestMark?: string }).consoleTestMark)).toBe(
        'same page',
      );
    },
    180_000,
  );

  it('shows the team lead the agents with availability and load, the queue and SLA alerts', async () => {
    dataOf(
      await server.gql(
        `mutation($i: CreateSlaPolicyInput!) { createSlaPolicy(input: $i) { id } }`,
        { i: { organizationId, name: 'Fast first reply', firstResponseSeconds: 60 } },
        { token: ownerToken },
      ),
    );
    // A conversation with a human, the clock running: the website customer's, taken over.
    dataOf(
      await server.gql(
        `mutation($i: TakeOverConversationInput!) { takeOverConversation(input: $i) { conversation { id } } }`,
        { i: { conversationId: webConversation } },
        { token: ownerToken },
      ),
    );
    await page.getByTestId('nav-team').click();
    await shown(page.getByTestId('team-lead'));
    const agents = dataOf(
      await server.gql<{
        node: {
          agents: {
            edges: {
              node: { id: string; name: string; available: boolean; activeConversationCount: number };
            }[];
          };
        };
      }>(
        `query($o: ID!) { node(id: $o) { ... on Organization { agents(first: 50) { edges { node { id name available activeConversationCount } } } } } }`,
        { o: organizationId },
        { token: ownerToken },
      ),
    ).node.agents.edges.map((edge) => edge.node);
    expect(agents.length).toBeGreaterThanOrEqual(3);
    await expect
      .poll(() => page.getByTestId('team-agent').count(), { timeout: UI_TIMEOUT })
      .toBe(agents.length);
    for (const agent of agents) {
      const row = page.locator(`[data-testid="team-agent"][data-agent-id="${agent.id}"]`);
      expect(await row.locator('th').textContent()).toBe(agent.name);
      expect(await row.getByTestId('team-agent-availability').getAttribute('data-available')).toBe(
        String(agent.available),
      );
      expect(Number(await row.getByTestId('team-agent-load').getAttribute('data-active'))).toBe(
        agent.activeConversationCount,
      );
    }
    // Layla holds the Arabic demo conversation.
    const layla = agents.find((agent) => agent.name === 'Layla Haddad')!;
    expect(layla.activeConversationCount).toBeGreaterThan(0);
    await shown(page.getByTestId('team-lead').getByTestId('alert').filter({ hasText: '+971500007001' }));

    // The SLA check passes an hour later (once the page listens): the breaches arrive live.
    await eventually(
      () => server.app.pubsub.bus.listeners(topic('slaAlert', 'organization', rawId(organizationId))) > 0,
      'the slaAlert subscription',
      UI_TIMEOUT,
    );
    const raised = await checkSlas({
      prisma: server.db.prisma,
      realtime: server.app.realtime,
      now: () => new Date(Date.now() + 3_600_000),
    });
    expect(raised.length).toBeGreaterThan(0);
    await shown(page.getByTestId('team-sla-alert').first());
    expect(await page.getByTestId('team-sla-alert').first().getAttribute('data-kind')).toMatch(
      /^(WARNING|BREACH)$/,
    );

    // The monitoring charts have their axes: hour labels under the columns.
    await page.getByTestId('nav-inbox').click();
    await shown(page.getByTestId('chart-messages-x-axis'));
    const hours = await page.getByTestId('chart-messages-x-axis').locator('text').allTextContents();
    expect(hours.length).toBeGreaterThanOrEqual(4);
    for (const hour of hours) expect(hour).toMatch(/^\d\d:\d\d$/);
    expect(await page.getByTestId('chart-messages-y-axis').locator('text').count()).toBe(2);

    // Collected while the inbox was shown too: back on the team view, they are still there.
    await page.getByTestId('nav-team').click();
    await shown(page.getByTestId('team-sla-alert').first());

    // Stored, not only live: after a reload the view reads them back (organization.slaAlerts).
    await page.reload();
    await shown(page.getByTestId('team-sla-alert').first());
    const storedAlerts = await server.db.prisma.slaAlert.count({
      where: { organizationId: rawId(organizationId) },
    });
    expect(await page.getByTestId('team-sla-alert').count()).toBe(Math.min(storedAlerts, 50));
    await page.screenshot({
      path: path.join(ARTIFACTS, 'console-team-lead.png'),
      fullPage: true,
      animations: 'disabled',
    });
  }, 180_000);

  it('in Arabic, English previews show from their start and the title keeps the count', async () => {
    await page.getByTestId('nav-inbox').click();
    await page.getByTestId('lang-switch').click();
    await eventually(
      async () => (await page.evaluate(() => document.documentElement.dir)) === 'rtl',
      'rtl',
      UI_TIMEOUT,
    );
    const english = page
      .locator('[data-testid="inbox-item"]')
      .filter({ hasText: 'about baggage' })
      .first()
      .getByTestId('inbox-preview-text');
    await shown(english);
    // Its own direction: left to right, so the first words are the visible ones.
    expect(await english.evaluate((element) => getComputedStyle(element).direction)).toBe('ltr');
    const count = await unacknowledged();
    await expect.poll(() => page.title(), { timeout: UI_TIMEOUT }).toBe(`(${count}) لوحة الموظفين`);
    expect(await page.getByTestId('nav-team').textContent()).toBe('الفريق');
    await page.screenshot({
      path: path.join(ARTIFACTS, 'console-inbox-ar.png'),
      fullPage: true,
      animations: 'disabled',
    });
    await page.getByTestId('nav-team').click();
    await shown(page.getByTestId('team-agent').first());
    await page.screenshot({
      path: path.join(ARTIFACTS, 'console-team-lead-ar.png'),
      fullPage: true,
      animations: 'disabled',
    });
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('nav-inbox').click();
  }, 120_000);

  it('at 390 px: the list, then the conversation alone in view, then Back to the list', async () => {
    const narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
    await narrow.addInitScript({ content: observeSignals('default') });
    const phone = await narrow.newPage();
    await phone.goto(`${server.base}/console`);
    await signIn(phone);
    await phone.getByTestId('app-service-select').selectOption(whatsapp);
    const sara = phone.getByTestId('inbox-item').filter({ hasText: 'Sara Ahmed' });
    await shown(sara);
    const saraId = (await sara.getAttribute('data-conversation-id'))!;
    await sara.locator('button').click();

    const conversation = view(phone, saraId);
    await shown(conversation);
    // The conversation is what is on the screen: its top within the viewport, the list gone.
    const box = (await conversation.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(0);
    expect(box.y).toBeLessThan(844 / 2);
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390 + 1);
    expect(await phone.getByTestId('inbox').isVisible()).toBe(false);
    // The focus did not drop to the page's body: it is on Back.
    expect(await phone.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe(
      'conversation-back',
    );
    await mkdir(ARTIFACTS, { recursive: true });
    await phone.screenshot({ path: path.join(ARTIFACTS, 'console-390.png'), animations: 'disabled' });

    await phone.getByTestId('conversation-back').click();
    await shown(phone.getByTestId('inbox'));
    // Back in the history: the address the page was opened with.
    expect(pathOf(phone)).toMatch(/^\/console\/?$/);
    expect(await conversation.count()).toBe(0);
    // And back on the conversation's item in the list.
    await expect
      .poll(() =>
        phone.evaluate(() =>
          document.activeElement?.closest('[data-conversation-id]')?.getAttribute('data-conversation-id'),
        ),
      )
      .toBe(saraId);

    // Desktop notifications are asked for from a click, not on load.
    expect((await signalsOf(phone)).asked).toBe(0);
    await phone.getByTestId('alerts-notify').click();
    await hidden(phone.getByTestId('alerts-notify'));
    expect((await signalsOf(phone)).asked).toBe(1);

    // A second tab of the same browser; signing out in one ends the other (no "Live" left showing).
    const other = await narrow.newPage();
    await other.goto(`${server.base}/console`);
    await shown(other.locator('[data-testid="live-status"][data-status="live"]'));
    await phone.getByTestId('sign-out').click();
    await shown(phone.getByTestId('login-form'));
    await shown(other.getByTestId('login-form'));
    expect(await other.getByTestId('live-status').count()).toBe(0);
    expect(await other.getByTestId('login-notice').textContent()).toBe(
      'Your session ended. Please sign in again.',
    );
    // After a reload of the signed-out tab, signing in finds the app service chosen before.
    await other.reload();
    await signIn(other);
    expect(await other.getByTestId('app-service-select').inputValue()).toBe(whatsapp);
    await narrow.close();
  }, 180_000);

  it('a user of another organization sees none of it: not by the inbox, the queue, the team view or a link', async () => {
    const stranger = await signUp(server, 'console-shell-other', 'other-password-1');
    const theirOrganization = await createOrganization(server, stranger.token, 'Other Business');
    const theirLine = await createAppService(server, stranger.token, theirOrganization, 'Other line');
    const theirKey = (await createApiKey(server, stranger.token, theirOrganization, ['MESSAGES_WRITE']))
      .secret;
    // Their own escalation, which the demo owner's page must not show either.
    const theirs = dataOf(
      await server.gql<{ ingestMessage: { conversation: { id: string } } }>(
        `mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { conversation { id } } }`,
        { input: { appServiceId: theirLine, customer: { externalId: '+15550001111' }, content: ESCALATING } },
        { apiKey: theirKey },
      ),
    ).ingestMessage.conversation.id;
    await eventually(
      async () => (await server.db.prisma.escalation.count({ where: { conversationId: rawId(theirs) } })) > 0,
      'their escalation',
      UI_TIMEOUT,
    );

    const separate = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'en-US' });
    const theirPage = await separate.newPage();
    // A link to the demo's conversation: after the login, nothing of it.
    await theirPage.goto(`${server.base}/console/conversations/${needle}`);
    await signIn(theirPage, stranger.email, stranger.password);
    await shown(theirPage.getByTestId('alert').filter({ hasText: '+15550001111' }));
    await shown(
      theirPage.getByTestId('conversation').filter({ hasText: 'This conversation cannot be found.' }),
    );
    const theirCount = dataOf(
      await server.gql<{ node: { unacknowledgedEscalations: number } }>(
        `query($o: ID!) { node(id: $o) { ... on Organization { unacknowledgedEscalations } } }`,
        { o: theirOrganization },
        { token: stranger.token },
      ),
    ).node.unacknowledgedEscalations;
    await expect
      .poll(() => theirPage.title(), { timeout: UI_TIMEOUT })
      .toBe(theirCount > 0 ? `(${theirCount}) Agent console` : 'Agent console');
    const forbidden = [
      'Sara Ahmed',
      'Layla Haddad',
      NEEDLE,
      '+971500007001',
      'Sky Travel',
      'WhatsApp sales line',
    ];
    const expectNoneShown = async () => {
      const content = await theirPage.content();
      for (const text of forbidden) expect(content, text).not.toContain(text);
    };
    await expectNoneShown();
    await theirPage.getByTestId('nav-inbox').click();
    await shown(theirPage.getByTestId('inbox-item').first());
    await expectNoneShown();
    await theirPage.getByTestId('nav-team').click();
    await shown(theirPage.getByTestId('team-agent').first());
    await expectNoneShown();
    expect(await theirPage.getByTestId('alert').count()).toBe(1);
    await separate.close();

    // And the demo owner's page never showed theirs.
    await page.reload();
    await shown(page.getByTestId('alert').first());
    expect(await page.content()).not.toContain('+15550001111');
    expect(await page.content()).not.toContain('Other Business');
  }, 180_000);

  it('saved the screenshots', async () => {
    for (const name of ['console-inbox.png', 'console-team-lead.png', 'console-390.png']) {
      expect((await stat(path.join(ARTIFACTS, name))).size, name).toBeGreaterThan(10_000);
    }
  });
});
