import fc from 'fast-check';

/**
 * Input that has broken servers, for the bad-input tests of every transport (HTTP through the
 * gateway, gRPC, ingestion formats): injection (SQL, NoSQL operators, templates, prototype keys),
 * traversal, control and bidi characters, lone surrogates, numbers in disguise, very long text.
 */
export const NASTY_STRINGS: readonly string[] = [
  "' OR '1'='1",
  '1; DROP TABLE events;--',
  '{"$gt":""}',
  '{"$where":"sleep(1000)"}',
  '$where',
  '$ne',
  '__proto__',
  'constructor',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f',
  '\u0000',
  'FRA\u0000',
  'a\r\nSet-Cookie: x=1',
  '\u202Eevil\u202C',
  'مرحبا بالعالم',
  '\uD800',
  '\uDFFFa',
  '😀'.repeat(20),
  '<script>alert(1)</script>',
  '${7*7}',
  '{{7*7}}',
  'A'.repeat(5_000),
  '',
  ' ',
  'null',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '９',
  'ＦＲＡ',
  'fra',
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...NASTY_STRINGS), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));

/** Numbers at the edges: huge, negative, fractional, unsafe, -0. */
export const nastyNumber: fc.Arbitrary<number> = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.constantFrom(0, -0, -1, 1e308, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER + 2, 0.5));

/** A JSON value of the wrong kind for whatever field it lands in. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  nastyNumber,
  fc.constantFrom(null, true, false),
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(nastyString, nastyString, { maxKeys: 3 }),
  fc.constantFrom({ $gt: '' }, { $where: '1 == 1' }, { $ne: null }, JSON.parse('{"__proto__":{"admin":true}}') as unknown),
);
