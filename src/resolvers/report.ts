import type * as reports from '../services/reports.js';
import { reportDimensions } from '../services/reports.js';
import { encodeGlobalId } from '../kernel/global-id.js';
import { builder } from './builder.js';

/**
 * The report's types. Organization.report is a field of Organization (organization.ts) and returns them;
 * the figures are computed by services/reports.ts (what each means is written there).
 */
export const ReportDimensionEnum = builder.enumType('ReportDimension', {
  values: reportDimensions,
  description: 'What a report row is about: an agent, a team or a label.',
});

export const ReportRangeInput = builder.inputType('ReportRangeInput', {
  description:
    "Local calendar days (YYYY-MM-DD) in the organization's time zone, both included; at most 366 days.",
  fields: (t) => ({ from: t.string(), to: t.string() }),
});

const seconds = (what: string) => ({ nullable: true, description: `Seconds: ${what}.` }) as const;

const ReportRowRef = builder.objectRef<reports.ReportRow>('ReportRow').implement({
  description:
    'The conversations resolved in the range, for one agent (their assignee), team or label. First ' +
    'response: from the handoff to humans (or the start) to the first public agent reply; resolution: from ' +
    'the same start to the resolution.',
  fields: (t) => ({
    dimension: t.expose('dimension', { type: ReportDimensionEnum }),
    agentId: t.id({
      nullable: true,
      resolve: (row) => (row.dimension === 'AGENT' ? encodeGlobalId('Agent', row.key) : null),
    }),
    teamId: t.id({
      nullable: true,
      resolve: (row) => (row.dimension === 'TEAM' ? encodeGlobalId('Team', row.key) : null),
    }),
    label: t.string({ nullable: true, resolve: (row) => (row.dimension === 'LABEL' ? row.key : null) }),
    name: t.exposeString('name', { description: "The agent's or team's name, or the label." }),
    conversationsHandled: t.exposeInt('conversationsHandled'),
    firstResponseP50: t.exposeFloat('firstResponseP50', seconds('median first response time')),
    firstResponseP90: t.exposeFloat('firstResponseP90', seconds('90th percentile of first response time')),
    resolutionP50: t.exposeFloat('resolutionP50', seconds('median resolution time')),
    resolutionP90: t.exposeFloat('resolutionP90', seconds('90th percentile of resolution time')),
    csatResponses: t.exposeInt('csatResponses', {
      description: 'Answers to the surveys sent after resolutions in the range.',
    }),
    csatAverage: t.exposeFloat('csatAverage', {
      nullable: true,
      description: '1 to 5; null without answers.',
    }),
    csatSatisfiedPercent: t.exposeFloat('csatSatisfiedPercent', {
      nullable: true,
      description: 'Percent of answers rating 4 or 5.',
    }),
    slaMeasured: t.exposeInt('slaMeasured', {
      description: 'Conversations handed to humans under an active SLA policy (or with an SLA alert).',
    }),
    slaMet: t.exposeInt('slaMet', { description: 'Of those, the ones without a breach.' }),
    slaMetPercent: t.exposeFloat('slaMetPercent', {
      nullable: true,
      description: 'slaMet / slaMeasured in percent; null when nothing was measured.',
    }),
  }),
});

export const ReportRef = builder.objectRef<reports.OrganizationReport>('Report').implement({
  description: "Per agent, team and label over local days in the organization's time zone.",
  fields: (t) => ({
    timezone: t.exposeString('timezone'),
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    start: t.expose('start', { type: 'DateTime', description: 'The first instant counted.' }),
    end: t.expose('end', { type: 'DateTime', description: 'The first instant after the range.' }),
    rows: t.field({
      type: [ReportRowRef],
      description: 'Agents, then teams, then labels, each by name.',
      resolve: (report) => report.rows,
    }),
  }),
});
