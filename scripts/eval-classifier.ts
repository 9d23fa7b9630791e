/**
 * Measures the local classifier on a labelled JSON Lines file (the format of classifier-dev.jsonl).
 *
 *   tsx scripts/eval-classifier.ts FILE [--errors] [--json]
 *
 * Prints per-type precision, recall, F1 and support, the escalation macro-F1, emotion accuracy and the
 * emotion confusion matrix; --errors lists the misclassified lines; --json prints the figures as JSON.
 */
import { readFileSync } from 'node:fs';
import { formatReport, evaluate, parseLabelledJsonl, reportJson } from '../src/ai/evaluation.js';
import { classifyLocally } from '../src/ai/local-classifier.js';

const USAGE = 'usage: tsx scripts/eval-classifier.ts FILE [--errors] [--json]';

function main(argv: readonly string[]): number {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const files = argv.filter((a) => !a.startsWith('--'));
  const unknown = [...flags].filter((f) => !['--errors', '--json', '--help'].includes(f));
  if (flags.has('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (files.length !== 1 || unknown.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const file = files[0] as string;
  let examples;
  try {
    examples = parseLabelledJsonl(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`${file}: ${(error as Error).message}\n`);
    return 1;
  }
  const report = evaluate(examples, classifyLocally);
  const errors = flags.has('--errors');
  const output = flags.has('--json')
    ? JSON.stringify(reportJson(report, { errors }), null, 2)
    : formatReport(report, { errors });
  process.stdout.write(`${output}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
