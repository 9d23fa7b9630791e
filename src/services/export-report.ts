// The report export's CSV: the rows of the reports service (src/services/reports.ts: per agent, team and
// label over local days in the organization's time zone), one line each. The job runs without a request:
// it acts as the requester with their membership as it is now, so one who lost the right to export (or left)
// gets nothing.
import { Actor } from '../auth/actor.js';
import { forbidden } from '../kernel/errors.js';
import { csvRow } from './csv.js';
import type { ServiceDeps } from './deps.js';
import { reportExportParameters } from './exports.js';
import { organizationReport } from './reports.js';

export const REPORT_COLUMNS = [
  'dimension',
  'key',
  'name',
  'from',
  'to',
  'timezone',
  'conversations_handled',
  'first_response_p50_seconds',
  'first_response_p90_seconds',
  'resolution_p50_seconds',
  'resolution_p90_seconds',
  'csat_responses',
  'csat_average',
  'csat_satisfied_percent',
  'sla_measured',
  'sla_met',
  'sla_met_percent',
] as const;

/** Figures to two decimals: a spreadsheet, not a measurement. */
const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);

/** The header, then one CSV line per report row. */
export async function* reportCsvRows(
  deps: Pick<ServiceDeps, 'prisma'>,
  run: { organizationId: string; requestedById: string; parameters: unknown },
): AsyncGenerator<string> {
  const { from, to, dimensions } = reportExportParameters.parse(run.parameters);
  const membership = await deps.prisma.membership.findUnique({
    where: { userId_organizationId: { userId: run.requestedById, organizationId: run.organizationId } },
    select: { role: true, user: { select: { id: true, email: true, name: true } } },
  });
  if (!membership) throw forbidden('The requester is no longer a member.');
  const actor = Actor.forUser(membership.user, null, new Map([[run.organizationId, membership.role]]));
  actor.assertCan(run.organizationId, 'data:export');
  const report = await organizationReport(deps, actor, {
    organizationId: run.organizationId,
    from,
    to,
    dimensions,
  });
  yield csvRow([...REPORT_COLUMNS]);
  for (const row of report.rows) {
    yield csvRow([
      row.dimension,
      row.key,
      row.name,
      report.from,
      report.to,
      report.timezone,
      row.conversationsHandled,
      round(row.firstResponseP50),
      round(row.firstResponseP90),
      round(row.resolutionP50),
      round(row.resolutionP90),
      row.csatResponses,
      round(row.csatAverage),
      round(row.csatSatisfiedPercent),
      row.slaMeasured,
      row.slaMet,
      round(row.slaMetPercent),
    ]);
  }
}
