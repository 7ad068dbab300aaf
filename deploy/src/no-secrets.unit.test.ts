import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No secret in the repository: every tracked file is scanned for private keys, cloud and
 * service tokens, signed JWTs, and secrets or passwords written as literals. Throwaway
 * credentials of tests and fixtures are allowed only where the allow-list below says, with why;
 * a stale allow-list entry fails too, so the list stays exact.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);

interface Rule {
  readonly name: string;
  readonly pattern: RegExp;
  /** Placeholders and references are not secrets: `${JWT_SECRET}`, `$(openssl rand …)`, `REPLACE-WITH-…`, `…`. */
  readonly placeholder?: (value: string) => boolean;
}

/** Not a secret: too short, a reference or placeholder (`${…}`, `$(…)`, `<…>`, `REPLACE-…`), a word standing for one, or code (`z.string()…`). */
const isPlaceholder = (value: string) =>
  value.length < 8 || /^(\$|<|REPLACE|CHANGE|…|\.\.\.|xxx)/i.test(value) || /^(password|secret|passphrase)$/i.test(value) || /[()[\]]/.test(value);

/** Never allowed anywhere. */
const ALWAYS: readonly Rule[] = [
  { name: 'private key', pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'AWS secret access key', pattern: /aws_secret_access_key\s*[:=]\s*['"]?[A-Za-z0-9/+=]{40}/i },
  { name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: 'Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { name: 'Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: 'Stripe live key', pattern: /\b[sr]k_live_[0-9A-Za-z]{16,}/ },
  { name: 'signed JWT', pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}/ },
];

/** Allowed only in the files the allow-list names. */
const LITERALS: readonly Rule[] = [
  {
    name: 'secret setting with a value',
    pattern: /\b[A-Z0-9_]*(?:SECRET|PASSWORD|PASSWD|API_KEY|ACCESS_KEY|PRIVATE_KEY|AUTH_TOKEN)[A-Z0-9_]*\b['"]?\s*[:=]\s*['"]?([^\s'",}]+)/,
    placeholder: isPlaceholder,
  },
  { name: 'password or secret literal', pattern: /\b(?:password|secret|passphrase)['"]?\s*[:=]\s*['"`]([^'"`]{6,})['"`]/i, placeholder: isPlaceholder },
  { name: 'URL with credentials', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@'"]+:([^/\s:@'"]+)@/i, placeholder: isPlaceholder },
];

/** Where throwaway credentials live, and why they may. */
const ALLOWED: readonly { readonly files: RegExp; readonly why: string }[] = [
  { files: /\.(unit|int|e2e)\.test\.ts$/, why: 'tests start throwaway platforms with made-up users and secrets' },
  { files: /(^|\/)testing\//, why: 'test fixtures and harnesses: made-up users and secrets for throwaway platforms' },
  { files: /^packages\/web\/src\/e2e\//, why: 'the browser e2e harness and its gateway stand-in: made-up users' },
  { files: /^bench\/src\//, why: 'benchmarks sign in a made-up user on a throwaway platform' },
  { files: /^(README\.md|deploy\/README\.md|docker-compose\.yml)$/, why: 'documented examples of how to pass a password on the command line' },
];

const SKIPPED = /(^|\/)package-lock\.json$/; // integrity hashes only, checked by npm

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly rule: string;
  readonly text: string;
}

const scan = (file: string, rules: readonly Rule[]): Finding[] => {
  const full = join(ROOT, file);
  if (statSync(full).size > 2 * 1024 * 1024) return [];
  const bytes = readFileSync(full);
  if (bytes.subarray(0, 8_000).includes(0)) return []; // binary
  const findings: Finding[] = [];
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((text, i) => {
      for (const rule of rules) {
        const match = rule.pattern.exec(text);
        if (match && !(rule.placeholder && rule.placeholder(match[1] ?? ''))) findings.push({ file, line: i + 1, rule: rule.name, text: text.trim().slice(0, 160) });
      }
    });
  return findings;
};

describe('no secrets in the repository', () => {
  it('no private key, token or signed JWT in any tracked file', () => {
    expect(tracked.length).toBeGreaterThan(100);
    const findings = tracked.filter((f) => !SKIPPED.test(f)).flatMap((f) => scan(f, ALWAYS));
    expect(findings).toEqual([]);
  });

  it('secrets and passwords written as literals only where the allow-list says', () => {
    const findings = tracked.filter((f) => !SKIPPED.test(f)).flatMap((f) => scan(f, LITERALS));
    expect(findings.filter((f) => !ALLOWED.some((a) => a.files.test(f.file)))).toEqual([]);
    const stale = ALLOWED.filter((a) => !findings.some((f) => a.files.test(f.file)));
    expect(stale.map((a) => a.files.source), 'allow-list entries that allow nothing any more').toEqual([]);
  });

  it('no key, certificate or environment file is tracked, and the data folder (with the generated jwt.key) is ignored', () => {
    expect(tracked.filter((f) => /(^|\/)(\.env(\..*)?|id_(rsa|ecdsa|ed25519)|.*\.(pem|key|p12|pfx|jks|keystore))$/.test(f))).toEqual([]);
    const ignored = execFileSync('git', ['check-ignore', '--no-index', 'data/secrets/jwt.key'], { cwd: ROOT, encoding: 'utf8' }).trim();
    expect(ignored).toBe('data/secrets/jwt.key');
  });

  it('the scanner finds what it looks for', () => {
    const samples = [
      ['private key', `-----BEGIN ${'RSA '}PRIVATE KEY-----`],
      ['AWS access key id', `AKIA${'IOSFODNN7EXAMPLE'}`],
      ['signed JWT', `eyJhbGciOiJIUzI1NiJ9.${'eyJzdWIiOiIxMjM0NTY3ODkwIn0'}.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U`],
      ['secret setting with a value', `JWT_SECRET=${'s3cr3t-value-that-is-long'}`],
      ['password or secret literal', `password: '${'hunter2hunter2'}'`],
      ['URL with credentials', `redis://user:${'pa55word'}@host:6379`],
    ] as const;
    for (const [rule, text] of samples) {
      const all = [...ALWAYS, ...LITERALS].filter((r) => r.name === rule);
      expect(all.some((r) => { const m = r.pattern.exec(text); return m !== null && !(r.placeholder && r.placeholder(m[1] ?? '')); }), rule).toBe(true);
    }
    for (const text of ['JWT_SECRET: ${JWT_SECRET:?set it}', 'JWT_SECRET: REPLACE-WITH-32-OR-MORE-RANDOM-CHARACTERS', 'JWT_SECRET=$(openssl rand -hex 32)']) {
      const m = LITERALS[0]!.pattern.exec(text);
      expect(m === null || isPlaceholder(m[1] ?? ''), text).toBe(true);
    }
  });
});
