// The console's conversation view in a real browser (Debian's chromium through playwright-core) against a
// real server with the demo workspace: taking a colleague's conversation (the owner may), focus after a
// takeover, assign to a colleague, transfer to a team, the availability switch, labels and priority,
// a canned response through "/" with its variables filled, the private-note look and its reset, the
// counter that blocks a 5,000-character WhatsApp reply, the contact panel, Arabic, and a user of another
// organization who cannot reach the conversation. Every change is checked in the database.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGIN } from '../src/services/demo-seed.js';
import {
  ARTIFACTS,
  UI_TIMEOUT,
  dataOf,
  ensureConsoleBuilt,
  launchChromium,
  startConsoleServer,
  type ConsoleServer,
} from './support/console.js';
import { globalId, rawId, uniqueEmail } from './support/fixtures.js';
import { eventually } from './support/live.js';

describe('the conversation view in a browser', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let organizationId: string;
  let ownerAgentId: string;
  let laylaAgentId: string;

  const prisma = () => server.db.prisma;
  const shown = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
  const hidden = (locator: Locator) => locator.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
  const conversationOf = async (contactName: string) => {
    const conversation = await prisma().conversation.findFirstOrThrow({
      where: { contact: { name: contactName } },
      orderBy: { createdAt: 'desc' },
    });
    return globalId('Conversation', conversation.id);
  };
  /** Opens the conversation by its address, as a link in a notification does. */
  const open = async (conversationId: string) => {
    await page.goto(`${server.base}/console/conversations/${conversationId}`);
    const view = page.locator(`[data-testid="conversation"][data-conversation-id="${conversationId}"]`);
    await shown(view);
    return view;
  };
  const stored = (conversationId: string) =>
    prisma().conversation.findUniqueOrThrow({ where: { id: rawId(conversationId) } });
  const focused = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
  /** The option of a select whose text contains the words (the picker shows availability and load too). */
  const chooseOption = async (select: Locator, words: string) => {
    const value = await select
      .locator('option', { hasText: words })
      .first()
      .getAttribute('value', { timeout: UI_TIMEOUT });
    await select.selectOption(value!);
  };

  beforeAll(async () => {
    await ensureConsoleBuilt();
    browser = await launchChromium();
    server = await startConsoleServer();
    const organization = await prisma().organization.findFirstOrThrow({
      where: { name: 'Sky Travel (demo)' },
    });
    organizationId = organization.id;
    ownerAgentId = (await prisma().agent.findFirstOrThrow({ where: { name: 'Demo Owner' } })).id;
    laylaAgentId = (await prisma().agent.findFirstOrThrow({ where: { name: 'Layla Haddad' } })).id;
    context = await browser.newContext({ viewport: { width: 1440, height: 1100 }, locale: 'en-US' });
    page = await context.newPage();

    await page.goto(`${server.base}/console/`);
    await shown(page.getByTestId('login-form'));
    await page.getByTestId('login-email').fill(DEMO_LOGIN.email);
    await page.getByTestId('login-password').fill(DEMO_LOGIN.password);
    await page.getByTestId('login-submit').click();
    await shown(page.getByTestId('signed-in-as'));
  }, 240_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  it("shows who holds a colleague's conversation and lets the owner assign it to themselves", async () => {
    const conversationId = await conversationOf('خالد المنصوري');
    const view = await open(conversationId);
    const notice = view.getByTestId('held-notice');
    await shown(notice);
    expect(await notice.textContent()).toContain('Layla Haddad holds this conversation.');
    expect(await view.getByTestId('action-take-over').count()).toBe(0);

    await view.getByTestId('action-assign-to-me').click();
    await shown(view.getByTestId('conversation-assignee').filter({ hasText: 'Demo Owner' }));
    await hidden(notice);
    expect(await stored(conversationId)).toMatchObject({ status: 'ASSIGNED', assigneeId: ownerAgentId });
    // The button went away: the focus is in the reply box, not on the page.
    expect(await focused()).toBe('reply-input');
  }, 120_000);

  it('takes over from the bot with the focus moving to the reply box, then assigns to a colleague', async () => {
    const conversationId = await conversationOf('Sara Ahmed');
    const view = await open(conversationId);
    await view.getByTestId('action-take-over').click();
    await shown(view.locator('[data-testid="conversation-status"][data-status="ASSIGNED"]'));
    await hidden(view.getByTestId('action-take-over'));
    expect(await focused()).toBe('reply-input');

    // The picker lists the organization's agents with their availability and load.
    const target = view.getByTestId('assign-target');
    const options = await target.locator('option').allTextContents();
    expect(options.some((text) => /Layla Haddad · available · \d+\/\d+/.test(text))).toBe(true);
    expect(options.some((text) => text.includes('Team: Refunds'))).toBe(true);

    await chooseOption(target, 'Layla Haddad');
    await view.getByTestId('assign-submit').click();
    await shown(view.getByTestId('conversation-assignee').filter({ hasText: 'Layla Haddad' }));
    expect(await stored(conversationId)).toMatchObject({ status: 'ASSIGNED', assigneeId: laylaAgentId });
    const record = await prisma().assignmentRecord.findFirstOrThrow({
      where: { conversationId: rawId(conversationId) },
      orderBy: { createdAt: 'desc' },
    });
    expect(record).toMatchObject({ agentId: laylaAgentId, reason: 'MANUAL' });
  }, 120_000);

  it('transfers to a team with a note for the colleagues', async () => {
    const conversationId = await conversationOf('Sara Ahmed');
    const view = await open(conversationId);
    await chooseOption(view.getByTestId('assign-target'), 'Team: Refunds');
    await view.getByTestId('assign-note').fill('she booked for six people');
    await view.getByTestId('transfer-submit').click();
    await shown(view.getByTestId('conversation-team').filter({ hasText: 'Refunds' }));
    const team = await prisma().team.findFirstOrThrow({ where: { organizationId, name: 'Refunds' } });
    expect((await stored(conversationId)).teamId).toBe(team.id);
    const note = view
      .locator('[data-testid="message"][data-private="true"]')
      .filter({ hasText: 'Transferred to team Refunds by Demo Owner: she booked for six people' });
    await shown(note);
  }, 120_000);

  it("switches the viewer's availability", async () => {
    const view = await open(await conversationOf('Sara Ahmed'));
    const toggle = view.getByTestId('availability-switch');
    await shown(toggle.and(page.locator('[data-available="true"]')));
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.click();
    await shown(view.locator('[data-testid="availability-switch"][data-available="false"]'));
    expect(await toggle.textContent()).toContain('Away');
    await eventually(
      async () =>
        (await prisma().agent.findUniqueOrThrow({ where: { id: ownerAgentId } })).available === false,
      'the owner away',
      UI_TIMEOUT,
    );
    await toggle.click();
    await shown(view.locator('[data-testid="availability-switch"][data-available="true"]'));
    expect((await prisma().agent.findUniqueOrThrow({ where: { id: ownerAgentId } })).available).toBe(true);
  }, 120_000);

  it("adds and removes labels and changes the priority (the demo's labels shown)", async () => {
    const conversationId = await conversationOf('Sara Ahmed');
    const view = await open(conversationId);
    await shown(view.locator('[data-testid="label"][data-label="booking"]'));

    await view.getByTestId('label-input').fill('VIP');
    await view.getByTestId('label-add').click();
    await shown(view.locator('[data-testid="label"][data-label="vip"]'));
    expect((await stored(conversationId)).labels.sort()).toEqual(['booking', 'vip']);
    expect(await view.getByTestId('label-input').inputValue()).toBe('');

    await view.locator('[data-testid="label"][data-label="booking"]').getByTestId('label-remove').click();
    await hidden(view.locator('[data-testid="label"][data-label="booking"]'));
    expect((await stored(conversationId)).labels).toEqual(['vip']);

    await view.getByTestId('priority-select').selectOption('URGENT');
    await shown(view.locator('[data-testid="conversation-priority"][data-priority="URGENT"]'));
    expect((await stored(conversationId)).priority).toBe('URGENT');
  }, 120_000);

  let raniaConversationId: string;

  it('fills a canned response chosen with "/", the arrows and Enter, and sends it', async () => {
    // A new customer writes on WhatsApp.
    const appService = await prisma().appService.findFirstOrThrow({ where: { name: 'WhatsApp sales line' } });
    raniaConversationId = await server.ingest(
      globalId('AppService', appService.id),
      '+971500000888',
      'Do you fly to Muscat?',
      'Rania Console',
    );
    const view = await open(raniaConversationId);
    const input = view.getByTestId('reply-input');

    // "/" then Escape: the list closes and the slash stays as typed.
    await input.click();
    await input.pressSequentially('/');
    await shown(view.getByTestId('canned-menu'));
    expect(await view.getByTestId('canned-option').count()).toBe(3);
    await input.press('Escape');
    await hidden(view.getByTestId('canned-menu'));
    expect(await input.inputValue()).toBe('/');

    // "/t" ranks the short codes starting with it first; "/tha" keeps only the match.
    await input.fill('');
    await input.pressSequentially('/t');
    await shown(view.getByTestId('canned-menu'));
    const codes = await view
      .getByTestId('canned-option')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-short-code')));
    expect(codes[0]).toBe('thanks');
    await input.pressSequentially('ha');
    expect(
      await view
        .getByTestId('canned-option')
        .evaluateAll((items) => items.map((item) => item.getAttribute('data-short-code'))),
    ).toEqual(['thanks']);
    await input.fill('');
    await input.pressSequentially('/');
    await shown(view.getByTestId('canned-menu'));
    // greeting, refund-policy, thanks: down twice and up once is refund-policy; up again is greeting.
    await input.press('ArrowDown');
    await input.press('ArrowDown');
    await input.press('ArrowUp');
    expect(
      await view
        .locator('[data-testid="canned-option"][aria-selected="true"]')
        .getAttribute('data-short-code'),
    ).toBe('refund-policy');
    await input.press('ArrowUp');
    await input.press('Enter');
    await hidden(view.getByTestId('canned-menu'));
    const filled = 'Hello Rania Console, I am Demo Owner from Sky Travel (demo). How can I help?';
    expect(await input.inputValue()).toBe(filled);

    await view.getByTestId('reply-send').click();
    await shown(view.locator('[data-testid="message"][data-sender="AGENT"]').filter({ hasText: filled }));
    const message = await prisma().message.findFirstOrThrow({
      where: { conversationId: rawId(raniaConversationId), senderType: 'AGENT' },
    });
    expect(message).toMatchObject({ content: filled, private: false });
  }, 120_000);

  it('shows a private note differently while it is written and goes back to public after sending', async () => {
    const view = await open(raniaConversationId);
    const form = view.getByTestId('reply-form');
    const background = () => form.evaluate((element) => getComputedStyle(element).backgroundColor);
    const publicLook = await background();
    expect(await view.getByTestId('reply-private-banner').count()).toBe(0);

    await view.getByTestId('reply-private').check();
    await shown(view.getByTestId('reply-private-banner'));
    expect(await view.getByTestId('reply-private-banner').textContent()).toBe(
      'Private note — the customer will not see this',
    );
    expect(await form.getAttribute('data-private')).toBe('true');
    expect(await background()).not.toBe(publicLook);

    await view.getByTestId('reply-input').fill('Customer prefers Arabic; check Muscat fares.');
    await view.getByTestId('reply-send').click();
    await shown(
      view.locator('[data-testid="message"][data-private="true"]').filter({ hasText: 'check Muscat fares' }),
    );
    expect(await view.getByTestId('reply-private').isChecked()).toBe(false);
    expect(await form.getAttribute('data-private')).toBe('false');
    expect(await background()).toBe(publicLook);

    await view.getByTestId('reply-input').fill('Yes, we fly to Muscat every day.');
    await view.getByTestId('reply-send').click();
    await shown(
      view.locator('[data-testid="message"][data-private="false"]').filter({ hasText: 'Muscat every day' }),
    );
    const messages = await prisma().message.findMany({
      where: { conversationId: rawId(raniaConversationId), senderType: 'AGENT' },
      orderBy: { index: 'asc' },
      select: { content: true, private: true },
    });
    expect(messages.slice(-2)).toEqual([
      { content: 'Customer prefers Arabic; check Muscat fares.', private: true },
      { content: 'Yes, we fly to Muscat every day.', private: false },
    ]);
  }, 120_000);

  it('counts against the WhatsApp limit and blocks a 5,000-character reply', async () => {
    const view = await open(raniaConversationId);
    const before = await prisma().message.count({ where: { conversationId: rawId(raniaConversationId) } });
    const counter = view.getByTestId('reply-counter');
    await view.getByTestId('reply-input').fill('Hello');
    expect(await counter.textContent()).toBe('5 / 4,096');
    expect(await counter.getAttribute('data-over')).toBe('false');

    await view.getByTestId('reply-input').fill('a'.repeat(5000));
    await shown(view.locator('[data-testid="reply-counter"][data-over="true"]'));
    expect(await counter.textContent()).toBe('5,000 / 4,096');
    expect(await counter.evaluate((element) => getComputedStyle(element).color)).toBe('rgb(196, 53, 47)');
    expect(await view.getByTestId('reply-send').isDisabled()).toBe(true);
    expect(await view.getByTestId('reply-too-long').textContent()).toContain('WhatsApp');
    await view.getByTestId('reply-input').press('Control+Enter');
    expect(await prisma().message.count({ where: { conversationId: rawId(raniaConversationId) } })).toBe(
      before,
    );

    // The draft survives a reload (the tab keeps it), still over the limit.
    const again = await open(raniaConversationId);
    expect((await again.getByTestId('reply-input').inputValue()).length).toBe(5000);
    await shown(again.locator('[data-testid="reply-counter"][data-over="true"]'));
    await again.getByTestId('reply-input').fill('');
  }, 120_000);

  it("shows the customer's identifiers across channels and past conversations, each a link", async () => {
    const current = await stored(raniaConversationId);
    const web = await prisma().appService.findFirstOrThrow({ where: { name: 'Website chat' } });
    await prisma().contactIdentifier.create({
      data: {
        organizationId,
        contactId: current.contactId!,
        channel: 'EMAIL',
        externalId: 'rania@example.test',
      },
    });
    const past = await prisma().conversation.create({
      data: {
        organizationId,
        appServiceId: web.id,
        contactId: current.contactId,
        status: 'RESOLVED',
        resolvedAt: new Date(Date.now() - 86_400_000),
        lastMessageAt: new Date(Date.now() - 86_400_000),
      },
    });
    const pastId = globalId('Conversation', past.id);

    const view = await open(raniaConversationId);
    const panel = view.getByTestId('contact-panel');
    await shown(panel);
    expect(
      await panel
        .getByTestId('contact-identifier')
        .evaluateAll((items) =>
          items.map((item) => `${item.getAttribute('data-channel')} ${item.textContent}`),
        ),
    ).toEqual(['WHATSAPP WhatsApp +971500000888', 'EMAIL Email rania@example.test']);
    const rows = panel.getByTestId('contact-conversation');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().getAttribute('data-conversation-id')).toBe(raniaConversationId);
    const link = panel.locator(`[data-conversation-id="${pastId}"] a`);
    expect(await link.getAttribute('href')).toBe(`/console/conversations/${pastId}`);

    // Clicking stays in the page and opens it; Back comes back.
    await page.evaluate(() => Object.assign(window, { consoleTestMark: 'same page' }));
    await link.click();
    await shown(page.locator(`[data-testid="conversation"][data-conversation-id="${pastId}"]`));
    expect(new URL(page.url()).pathname).toBe(`/console/conversations/${pastId}`);
    expect(await page.evaluate(() => (window as { consoleTestMark?: string }).consoleTestMark)).toBe(
      'same page',
    );
    await page.goBack();
    await shown(page.locator(`[data-testid="conversation"][data-conversation-id="${raniaConversationId}"]`));

    await mkdir(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'console-conversation.png');
    await page.screenshot({ path: screenshot, fullPage: true, animations: 'disabled' });
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000);
  }, 120_000);

  it('lays the conversation view out right to left in Arabic', async () => {
    const view = await open(raniaConversationId);
    await page.getByTestId('lang-switch').click();
    await eventually(
      async () => (await page.evaluate(() => document.documentElement.dir)) === 'rtl',
      'dir=rtl',
      UI_TIMEOUT,
    );
    expect(await view.locator('#assign-title').textContent()).toBe('الإسناد أو التحويل');
    expect(await view.locator('#triage-labels').textContent()).toBe('التصنيفات');
    expect(await view.getByTestId('availability-switch').textContent()).toContain('متاح');
    await view.getByTestId('reply-private').check();
    expect(await view.getByTestId('reply-private-banner').textContent()).toBe(
      'ملاحظة خاصة — لن يراها العميل',
    );
    // The reply box starts on the right in a right-to-left page.
    const box = await view.getByTestId('reply-input').boundingBox();
    const viewBox = await view.boundingBox();
    expect(box!.x + box!.width).toBeGreaterThan(viewBox!.x + viewBox!.width - 80);
    await page.screenshot({
      path: path.join(ARTIFACTS, 'console-conversation-ar.png'),
      fullPage: true,
      animations: 'disabled',
    });
    await view.getByTestId('reply-private').uncheck();
    await page.getByTestId('lang-switch').click();
  }, 120_000);

  it('fits its tools into a 390 px wide screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const view = await open(raniaConversationId);
      await shown(view.getByTestId('assign-panel'));
      await view.getByTestId('reply-input').fill('/');
      await shown(view.getByTestId('canned-menu'));
      // Nothing of the view sticks out sideways: no horizontal scrolling inside it or of the page.
      const overflow = await view.evaluate((element) => ({
        view: element.scrollWidth - element.clientWidth,
        page: document.documentElement.scrollWidth - window.innerWidth,
      }));
      expect(overflow.view).toBeLessThanOrEqual(1);
      expect(overflow.page).toBeLessThanOrEqual(1);
      await page.screenshot({
        path: path.join(ARTIFACTS, 'console-conversation-390.png'),
        fullPage: true,
        animations: 'disabled',
      });
      await view.getByTestId('reply-input').fill('');
    } finally {
      await page.setViewportSize({ width: 1440, height: 1100 });
    }
  }, 120_000);

  it('an agent (not admin) is told who holds it and to ask for a transfer, with no takeover offered', async () => {
    expect(await stored(raniaConversationId)).toMatchObject({ status: 'ASSIGNED', assigneeId: ownerAgentId });
    const layla = await browser.newContext({
      viewport: { width: 1280, height: 1000 },
      locale: 'en-US',
    });
    const laylaPage = await layla.newPage();
    await laylaPage.goto(`${server.base}/console/conversations/${raniaConversationId}`);
    await laylaPage.getByTestId('login-email').fill('layla@example.com');
    await laylaPage.getByTestId('login-password').fill('layla-password-1');
    await laylaPage.getByTestId('login-submit').click();
    const view = laylaPage.locator(
      `[data-testid="conversation"][data-conversation-id="${raniaConversationId}"]`,
    );
    const ask = view.getByTestId('held-ask');
    await ask.waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    expect(await ask.textContent()).toContain('Only an admin or the owner can take it from Demo Owner');
    expect(await view.getByTestId('held-notice').textContent()).toContain(
      'Demo Owner holds this conversation.',
    );
    expect(await view.getByTestId('action-assign-to-me').count()).toBe(0);
    expect(await view.getByTestId('action-take-over').count()).toBe(0);
    await layla.close();
  }, 120_000);

  it('a user of another organization cannot reach the conversation', async () => {
    const email = uniqueEmail('conversation-other');
    const password = 'other-password-1';
    const { token } = dataOf(
      await server.gql<{ signUp: { token: string } }>(
        `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`,
        { input: { email, password, name: 'Other Owner' } },
      ),
    ).signUp;
    dataOf(
      await server.gql(
        `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { organization { id } } }`,
        { input: { name: 'Other Business' } },
        { token },
      ),
    );
    // Through the API: nothing.
    const answer = await server.gql<{ node: unknown }>(
      `query($id: ID!) { node(id: $id) { ... on Conversation { id contact { name } } } }`,
      { id: raniaConversationId },
      { token },
    );
    expect(answer.data?.node ?? null).toBeNull();

    // Through the console, by the conversation's address: nothing of it either.
    const other = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
    });
    const otherPage = await other.newPage();
    await otherPage.goto(`${server.base}/console/conversations/${raniaConversationId}`);
    await otherPage.getByTestId('login-email').fill(email);
    await otherPage.getByTestId('login-password').fill(password);
    await otherPage.getByTestId('login-submit').click();
    await otherPage.getByTestId('signed-in-as').waitFor({ state: 'visible', timeout: UI_TIMEOUT });
    await eventually(
      async () =>
        (await otherPage.getByTestId('conversation-placeholder').count()) > 0 ||
        (await otherPage.getByTestId('picker-hint').count()) > 0 ||
        (await otherPage.getByText('This conversation cannot be found.').count()) > 0,
      'the console settled',
      UI_TIMEOUT,
    );
    const content = await otherPage.content();
    for (const forbidden of ['Rania Console', '+971500000888', 'Muscat', 'Sky Travel', 'Layla Haddad']) {
      expect(content, forbidden).not.toContain(forbidden);
    }
    expect(await otherPage.getByTestId('contact-panel').count()).toBe(0);
    await other.close();
  }, 120_000);
});
