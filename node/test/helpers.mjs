// Shared test helpers: the addon, the shared vectors and the status table from the vectors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const meshauth = createRequire(import.meta.url)('../index.js');

/** `$MESHAUTH_SHARED` (set by make), else `../shared` beside the repository. */
export const SHARED = process.env.MESHAUTH_SHARED ?? join(here, '..', '..', '..', 'shared');

/** Reads a vector file; integers beyond 2^53 become BigInt-safe strings first. */
export function vectors(rel) {
  const text = readFileSync(join(SHARED, 'vectors', rel), 'utf8');
  return JSON.parse(text.replace(/("now":\s*)(\d{16,})/g, '$1"$2"'));
}

/** jwt_verify_lib's status table (codes 0-72): name → { code, message }. */
export const STATUS = new Map(vectors('jwt_verify_lib/status.json').map((s) => [s.name, s]));

/**
 * Asserts `fn` throws a meshauth error named `name`; for names in the vector table also checks
 * `.status` and the exact message from the vectors.
 */
export function assertStatus(fn, name) {
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Error, 'an Error');
    assert.equal(err.code, name);
    assert.equal(typeof err.status, 'number');
    const row = STATUS.get(name);
    if (row) {
      assert.equal(err.status, row.code);
      assert.equal(err.message, row.message);
    }
    return true;
  });
}

/** The status name a verification gives: 'Ok' or the thrown `.code`. */
export function outcome(fn) {
  try {
    fn();
    return 'Ok';
  } catch (err) {
    if (typeof err.status !== 'number') throw err;
    return err.code;
  }
}
