import { loadWriteProto } from '@nationpulse/protos';
import { describe, expect, it } from 'vitest';
import { enumDomains, protoEnumName, receiptMessage, registerUserInput, requestReportInput, roleInput } from './messages.ts';

describe('the gRPC message mapping', () => {
  it('covers every domain value with a proto enum value and no more (adding a role or permission needs the proto)', () => {
    const { enums } = loadWriteProto();
    for (const [name, { prefix, values }] of Object.entries(enumDomains)) {
      expect(enums[name as keyof typeof enums].filter((v) => v !== `${prefix}_UNSPECIFIED`).sort(), name).toEqual(values.map((v) => protoEnumName(prefix, v)).sort());
    }
  });

  it('leaves UNSPECIFIED out and passes unknown values on for the schema to refuse', () => {
    expect(roleInput({ userId: 'u', role: 'ROLE_UNSPECIFIED' })).toEqual({ userId: 'u', role: undefined });
    expect(roleInput({ userId: 'u', role: 'ROLE_ANALYST' })).toEqual({ userId: 'u', role: 'analyst' });
    expect(roleInput({ userId: 'u', role: 42 })).toEqual({ userId: 'u', role: 42 });
    expect(registerUserInput({ username: 'a', password: 'p', roles: [] }).roles).toBeUndefined();
    expect(requestReportInput({ spec: {}, format: 'REPORT_FORMAT_UNSPECIFIED' })).toEqual({ spec: { kind: undefined }, format: undefined });
  });

  it('names the receipt subject', () => {
    const base = { streamId: 's', revision: 1, position: 2, replayed: false };
    expect(receiptMessage({ ...base, userId: 'u' })).toEqual({ ...base, userId: 'u' });
    expect(receiptMessage({ ...base, reportId: 'r' })).toEqual({ ...base, reportId: 'r' });
    expect(receiptMessage({ ...base, country: 'FRA', indicator: 'A.B', year: 2000 })).toEqual({ ...base, observation: { country: 'FRA', indicator: 'A.B', year: 2000 } });
    expect(receiptMessage(base)).toEqual(base);
  });
});
