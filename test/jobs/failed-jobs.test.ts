import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codesOf, createTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { createOrganization, rawId, signUp } from '../support/fixtures.js';
import { enqueueInTransaction } from '../../src/jobs/outbox.js';
import { OutboxSettlement } from '../../src/jobs/settlement.js';
import { waitFor } from './queue-contract.js';

const FAILED_JOBS = /* GraphQL */ `
  query ($organizationId: ID!, $queue: JobQueueName, $first: Int) {
    failedJobs(organizationId: $organizationId, queue: $queue, first: $first) {
      jobId
      queue
      name
      data
      attemptsMade
      failedReason
      failedAt
    }
  }
`;
const RETRY_JOB = /* GraphQL */ `
  mutation ($input: RetryJobInput!) {
    retryJob(input: $input)
  }
`;
const ADD_MEMBER = `mutation($input: AddMemberInput!) { addMember(input: $input) { role } }`;

interface FailedJobView {
  jobId: string;
  queue: string;
  name: string;
  data: Record<string, unknown>;
  attemptsMade: number;
  failedReason: string;
  failedAt: string | null;
}

describe.each(backends)('failed jobs over GraphQL on %s', (kind) => {
  let app: TestApp;
  let owner: Awaited<ReturnType<typeof signUp>>;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let agent: Awaited<ReturnType<typeof signUp>>;
  let otherAdmin: Awaited<ReturnType<typeof signUp>>;
  let orgId: string;
  let otherOrgId: string;
  let healthy = false;
  const runs: string[] = [];
  /** The outbox ids (job ids) of our organization's job and the other one's. */
  let ours: string;
  let theirs: string;

  beforeAll(async () => {
    app = await createTestApp(kind);
    owner = await signUp(app, 'jobs-owner');
    admin = await signUp(app, 'jobs-admin');
    agent = await signUp(app, 'jobs-agent');
    otherAdmin = await signUp(app, 'jobs-other');
    orgId = await createOrganization(app, owner.token, 'Jobs Org');
    otherOrgId = await createOrganization(app, otherAdmin.token, 'Other Org');
    for (const [user, role] of [
      [admin, 'ADMIN'],
      [agent, 'AGENT'],
    ] as const) {
      const added = await app.gql(
        ADD_MEMBER,
        { input: { organizationId: orgId, email: user.email, role } },
        owner,
      );
      expect(added.errors).toBeUndefined();
    }

    const settlement = new OutboxSettlement(app.db.prisma);
    app.jobs.work(
      'notifications',
      settlement.settle(async (_name, _data, job) => {
        runs.push(job.id);
        if (!healthy) throw new Error('SMTP refused: 550 mailbox unavailable');
      }),
    );
    // As the relay hands them over, with fewer tries than the default so that they die quickly.
    const enqueue = async (payload: Record<string, string>, attempts: number) => {
      const id = await app.db.prisma.$transaction((tx) =>
        enqueueInTransaction(tx, { queue: 'notifications', name: 'notify', payload }),
      );
      await app.db.prisma.outboxJob.update({
        where: { id },
        data: { status: 'ENQUEUED', enqueuedAt: new Date() },
      });
      await app.jobs.add('notifications', 'notify', payload, { jobId: id, attempts, backoffMs: 1 });
      return id;
    };
    ours = await enqueue({ organizationId: rawId(orgId), escalationId: 'e-1' }, 2);
    theirs = await enqueue({ organizationId: rawId(otherOrgId), escalationId: 'e-2' }, 1);
    await waitFor(
      async () => (await app.db.prisma.outboxJob.count({ where: { status: 'DEAD' } })) === 2,
      'both dead letters',
    );
  });
  afterAll(() => app?.close());

  it("lists the organization's failed jobs, with their error, for an admin", async () => {
    const response = await app.gql<{ failedJobs: FailedJobView[] }>(
      FAILED_JOBS,
      { organizationId: orgId },
      admin,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.failedJobs).toEqual([
      {
        jobId: ours,
        queue: 'NOTIFICATIONS',
        name: 'notify',
        data: { organizationId: rawId(orgId), escalationId: 'e-1' },
        attemptsMade: 2,
        failedReason: 'SMTP refused: 550 mailbox unavailable',
        failedAt: expect.any(String),
      },
    ]);
    const owners = await app.gql<{ failedJobs: FailedJobView[] }>(
      FAILED_JOBS,
      { organizationId: orgId, queue: 'NOTIFICATIONS', first: 5 },
      owner,
    );
    expect(owners.data?.failedJobs.map((job) => job.jobId)).toEqual([ours]);
    const otherQueue = await app.gql<{ failedJobs: FailedJobView[] }>(
      FAILED_JOBS,
      { organizationId: orgId, queue: 'CLASSIFICATION' },
      admin,
    );
    expect(otherQueue.data?.failedJobs).toEqual([]);
    const tooMany = await app.gql(FAILED_JOBS, { organizationId: orgId, first: 101 }, admin);
    expect(codesOf(tooMany)).toEqual(['BAD_USER_INPUT']);
  });

  it('is FORBIDDEN for an agent and for anybody outside the organization', async () => {
    for (const auth of [agent, otherAdmin]) {
      expect(codesOf(await app.gql(FAILED_JOBS, { organizationId: orgId }, auth))).toEqual(['FORBIDDEN']);
      const retried = await app.gql(
        RETRY_JOB,
        { input: { organizationId: orgId, queue: 'NOTIFICATIONS', jobId: ours } },
        auth,
      );
      expect(codesOf(retried)).toEqual(['FORBIDDEN']);
    }
    expect(codesOf(await app.gql(FAILED_JOBS, { organizationId: orgId }))).toEqual(['UNAUTHENTICATED']);
  });

  it("another organization's admin sees only their own failed jobs and cannot retry ours", async () => {
    const listed = await app.gql<{ failedJobs: FailedJobView[] }>(
      FAILED_JOBS,
      { organizationId: otherOrgId },
      otherAdmin,
    );
    expect(listed.data?.failedJobs.map((job) => job.jobId)).toEqual([theirs]);
    const retried = await app.gql<{ retryJob: boolean }>(
      RETRY_JOB,
      { input: { organizationId: otherOrgId, queue: 'NOTIFICATIONS', jobId: ours } },
      otherAdmin,
    );
    expect(retried.data?.retryJob).toBe(false);
    expect(await app.db.prisma.outboxJob.findUnique({ where: { id: ours } })).toMatchObject({
      status: 'DEAD',
    });
  });

  it('retryJob puts the dead letter back, it runs, and its row goes once it has completed', async () => {
    healthy = true;
    const runsBefore = runs.length;
    const retried = await app.gql<{ retryJob: boolean }>(
      RETRY_JOB,
      { input: { organizationId: orgId, queue: 'NOTIFICATIONS', jobId: ours } },
      admin,
    );
    expect(retried.data?.retryJob).toBe(true);
    await waitFor(() => runs.length === runsBefore + 1, 'the retried run');
    expect(runs.at(-1)).toBe(ours);
    await waitFor(
      async () => (await app.db.prisma.outboxJob.count({ where: { id: ours } })) === 0,
      'the row to go',
    );
    const listed = await app.gql<{ failedJobs: FailedJobView[] }>(
      FAILED_JOBS,
      { organizationId: orgId },
      admin,
    );
    expect(listed.data?.failedJobs).toEqual([]);
    const again = await app.gql<{ retryJob: boolean }>(
      RETRY_JOB,
      { input: { organizationId: orgId, queue: 'NOTIFICATIONS', jobId: ours } },
      admin,
    );
    expect(again.data?.retryJob).toBe(false);
  });
});
