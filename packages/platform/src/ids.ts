import { createHash, randomUUID } from 'node:crypto';

export const newId = (): string => randomUUID();

const NAMESPACE = Buffer.from('6f0d8a62c1b44bd9a9a3a1f7a5de3f10', 'hex');

/** A name-based (RFC 4122 version 5) UUID: the same name always gives the same id. */
export const deterministicId = (name: string): string => {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const sha256Hex = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
