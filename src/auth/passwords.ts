import argon2 from 'argon2';

/** argon2id with the library's defaults (64 MiB, 3 passes, 4 lanes), stronger than OWASP's minimum. */
let hashOptions: argon2.HashOptions = { type: argon2.argon2id };

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, hashOptions);
}

/**
 * For the test suite only (test/support/setup.ts), never called by the application: the tests sign up
 * hundreds of users, and at the production cost each hash takes a fifth of a second of CPU or more. Still
 * argon2id; verify reads the cost from each hash, so hashes of either cost keep verifying.
 */
export function useMinimalPasswordCostInTests(): void {
  hashOptions = { type: argon2.argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 };
  decoyHash = undefined;
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// A fixed hash to verify against when the email is unknown, so both paths cost the same time.
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword('decoy-password-for-timing');
  return decoyHash;
}
