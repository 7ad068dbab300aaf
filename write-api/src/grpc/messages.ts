import { permissions, reportFormats, roles } from '@nationpulse/domain';
import type {
  CommandReceiptMessage,
  CorrectObservationRequest,
  DisableUserRequest,
  GrantPermissionRequest,
  GrantRoleRequest,
  ProtoEnum,
  RegisterUserRequest,
  ReportSpec,
  RequestReportRequest,
} from '@nationpulse/protos';
import type { CommandResult } from '../command-handling/dispatcher.ts';

/**
 * Request messages to the commands' input shapes, and receipts back. Mapping only: the
 * dispatcher validates the result against the command's own schema, exactly as for HTTP, so
 * nothing here checks values — an absent field becomes undefined and the schema says so.
 */

const rankingOrders = ['desc', 'asc'] as const;

/** Domain value -> proto enum value name: 'users:manage' -> 'PERMISSION_USERS_MANAGE'. */
export const protoEnumName = (prefix: string, value: string): string => `${prefix}_${value.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

const enumMapping = <V extends string>(prefix: string, values: readonly V[]) => {
  const byName = new Map(values.map((v) => [protoEnumName(prefix, v), v] as const));
  const unspecified = `${prefix}_UNSPECIFIED`;
  /** UNSPECIFIED is "not given"; a value without a domain counterpart is passed on raw, for the schema to refuse by name. */
  return (value: ProtoEnum<string>): V | string | number | undefined =>
    value === unspecified || value === 0 ? undefined : typeof value === 'string' ? (byName.get(value) ?? value) : value;
};

/** The domain values each proto enum maps onto (a unit test checks both sides stay in step). */
export const enumDomains = {
  Role: { prefix: 'ROLE', values: roles },
  Permission: { prefix: 'PERMISSION', values: permissions },
  ReportFormat: { prefix: 'REPORT_FORMAT', values: reportFormats },
  RankingOrder: { prefix: 'RANKING_ORDER', values: rankingOrders },
} as const;

const role = enumMapping(enumDomains.Role.prefix, enumDomains.Role.values);
const permission = enumMapping(enumDomains.Permission.prefix, enumDomains.Permission.values);
const reportFormat = enumMapping(enumDomains.ReportFormat.prefix, enumDomains.ReportFormat.values);
const rankingOrder = enumMapping(enumDomains.RankingOrder.prefix, enumDomains.RankingOrder.values);

export const registerUserInput = (r: RegisterUserRequest) => ({
  username: r.username,
  displayName: r.displayName,
  password: r.password,
  // proto3 cannot tell an empty list from an absent one: empty means the default roles.
  roles: r.roles.length > 0 ? r.roles.map(role) : undefined,
});

export const roleInput = (r: GrantRoleRequest) => ({ userId: r.userId, role: role(r.role) });

export const permissionInput = (r: GrantPermissionRequest) => ({ userId: r.userId, permission: permission(r.permission) });

export const disableUserInput = (r: DisableUserRequest) => ({ userId: r.userId, reason: r.reason });

export const correctObservationInput = (r: CorrectObservationRequest) => ({
  country: r.country,
  indicator: r.indicator,
  year: r.year,
  value: r.value,
  reason: r.reason,
});

const reportSpecInput = (spec: ReportSpec | null) => {
  if (!spec) return undefined;
  switch (spec.kind) {
    case 'countryProfile': {
      const s = spec.countryProfile;
      return { kind: 'country-profile', country: s?.country, fromYear: s?.fromYear, toYear: s?.toYear };
    }
    case 'indicatorAllCountries': {
      const s = spec.indicatorAllCountries;
      return { kind: 'indicator-all-countries', indicator: s?.indicator, fromYear: s?.fromYear, toYear: s?.toYear };
    }
    case 'ranking': {
      const s = spec.ranking;
      return { kind: 'ranking', indicator: s?.indicator, year: s?.year, order: s ? rankingOrder(s.order) : undefined };
    }
    default:
      return { kind: undefined };
  }
};

export const requestReportInput = (r: RequestReportRequest) => ({ spec: reportSpecInput(r.spec), format: reportFormat(r.format) });

/** The receipt, with the subject the command names: a user, a report or an observation. */
export const receiptMessage = (result: CommandResult): CommandReceiptMessage => {
  const receipt = { streamId: result.streamId, revision: result.revision, position: result.position, replayed: result.replayed };
  const { userId, reportId, country, indicator, year } = result;
  if (typeof userId === 'string') return { ...receipt, userId };
  if (typeof reportId === 'string') return { ...receipt, reportId };
  if (typeof country === 'string' && typeof indicator === 'string' && typeof year === 'number') {
    return { ...receipt, observation: { country, indicator, year } };
  }
  return receipt;
};
