// Vitest setup file of the integration project (vitest.config.ts), run in each test file's process.
import { useMinimalPasswordCostInTests } from '../../src/auth/passwords.js';

// Hundreds of sign-ups: at the production argon2 cost they alone would take about a minute of CPU.
// Processes the tests start (src/main.ts, fixtures) keep the production cost.
useMinimalPasswordCostInTests();
