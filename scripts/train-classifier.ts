/**
 * Trains the local classifier's learned model from the corpus and writes src/ai/learned/model.json.
 *
 *   npm run train              retrain and write the model file
 *   npm run train -- --check   retrain and fail if the committed model file differs (stale model)
 *
 * Reads data/classifier/train.jsonl (weights) and dev.jsonl (thresholds) only, never test.jsonl. Deterministic:
 * the same corpus and code write the same file, byte for byte.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { parseLabelledJsonl } from '../src/ai/evaluation.js';
import { trainModel } from '../src/ai/learned/train.js';

const root = new URL('../', import.meta.url);
const corpusFile = (name: string): URL => new URL(`data/classifier/${name}.jsonl`, root);
const modelPath = fileURLToPath(new URL('src/ai/learned/model.json', root));

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes('--check');
  const trainText = readFileSync(corpusFile('train'), 'utf8');
  const devText = readFileSync(corpusFile('dev'), 'utf8');
  const started = performance.now();
  const model = trainModel({
    trainText,
    devText,
    train: parseLabelledJsonl(trainText),
    dev: parseLabelledJsonl(devText),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const options = (await prettier.resolveConfig(modelPath)) ?? {};
  const text = await prettier.format(JSON.stringify(model), { ...options, parser: 'json' });
  const summary = `dev macro-F1 ${model.dev.macroF1.toFixed(3)}, emotion accuracy ${model.dev.emotionAccuracy.toFixed(3)} (trained in ${seconds} s)`;
  if (check) {
    let committed = '';
    try {
      committed = readFileSync(modelPath, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (committed !== text) {
      process.stderr.write(`${modelPath} is stale: run npm run train and commit it\n`);
      return 1;
    }
    process.stdout.write(`${modelPath} is up to date; ${summary}\n`);
    return 0;
  }
  writeFileSync(modelPath, text);
  process.stdout.write(`wrote ${modelPath} (${Buffer.byteLength(text)} bytes); ${summary}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
