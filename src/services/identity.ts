import { randomBase62, sha256Hex } from '../auth/tokens.js';
import { decoyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.js';
import type { Actor } from '../auth/actor.js';
import { Prisma } from '../generated/prisma/client.js';
import { nowOf, type ServiceDeps } from './deps.js';
import { conflict, unauthenticated } from '../kernel/errors.js';

export interface SignUpInput {
  email: string;
  password: string;
  name: string;
}

export interface AuthResult {
  /** The session token, shown once; only its hash is stored. */
  token: string;
  user: { id: string; email: string; name: string; createdAt: Date; updatedAt: Date };
}

const SESSION_TOKEN_PREFIX = 'cis_';

/** Where a sign-in or sign-up comes from, for its rate limits. */
export interface ClientOrigin {
  address: string;
}

export async function signUp(
  deps: ServiceDeps,
  input: SignUpInput,
  origin: ClientOrigin,
): Promise<AuthResult> {
  await deps.rateLimits?.consume('signUpPerIp', origin.address);
  const passwordHash = await hashPassword(input.password);
  try {
    const user = await deps.prisma.user.create({
      data: { email: input.email, name: input.name, passwordHash },
      omit: { passwordHash: true },
    });
    return { token: await createSession(deps, user.id), user };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw conflict('An account with this email already exists.');
    }
    throw error;
  }
}

/**
 * Signs in. Guessing is slowed per address and per account, and an account with too many recent failures
 * refuses even the right password until its window ends (checked before the password, which costs
 * ~0.2 s of CPU to verify).
 */
export async function logIn(
  deps: ServiceDeps,
  input: { email: string; password: string },
  origin: ClientOrigin,
): Promise<AuthResult> {
  const limits = deps.rateLimits;
  if (limits) {
    await limits.consume('logInPerIp', origin.address);
    await limits.assertNotBlocked('logInFailuresPerEmail', input.email);
    await limits.consume('logInPerEmail', input.email);
  }
  const user = await deps.prisma.user.findUnique({ where: { email: input.email } });
  // Verify against a decoy when the email is unknown so the answer takes as long either way.
  const valid = await verifyPassword(user?.passwordHash ?? (await decoyPasswordHash()), input.password);
  if (!user || !valid) {
    await limits?.penalize('logInFailuresPerEmail', input.email);
    throw unauthenticated('The email or password is incorrect.');
  }
  const { passwordHash: _passwordHash, ...publicUser } = user;
  return { token: await createSession(deps, user.id), user: publicUser };
}

export async function logOut(deps: ServiceDeps, actor: Actor): Promise<boolean> {
  actor.requireUser();
  if (!actor.sessionId) return false;
  const { count } = await deps.prisma.session.updateMany({
    where: { id: actor.sessionId, revokedAt: null },
    data: { revokedAt: nowOf(deps) },
  });
  if (count === 1) await deps.realtime.credentialsChanged({ kind: 'session', sessionId: actor.sessionId });
  return count === 1;
}

async function createSession(deps: ServiceDeps, userId: string): Promise<string> {
  const token = `${SESSION_TOKEN_PREFIX}${randomBase62(43)}`;
  await deps.prisma.session.create({
    data: {
      userId,
      tokenHash: sha256Hex(token),
      expiresAt: new Date(nowOf(deps).getTime() + deps.settings.sessionTtlMs),
    },
  });
  return token;
}
