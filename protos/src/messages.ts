import type * as grpc from '@grpc/grpc-js';

/**
 * Hand-written TypeScript shapes of the messages as PROTO_LOADER_OPTIONS decodes them (what a
 * server handler receives, what a client gets back). To send, any subset of the fields will do:
 * see `Input<T>`. Keep in step with the .proto files.
 */

/** An enum as decoded: its value name, or the bare number for a value this build does not know. */
export type ProtoEnum<Name extends string> = Name | number;

/** What a sender may pass: every field optional, nested too. */
export type Input<T> = T extends readonly (infer U)[] ? readonly Input<U>[] : T extends object ? { [K in keyof T]?: Input<T[K]> | null } : T;

// nationpulse.write.v1 ---------------------------------------------------------------------------

export type RoleName = 'ROLE_UNSPECIFIED' | 'ROLE_ADMIN' | 'ROLE_ANALYST' | 'ROLE_VIEWER';
export type PermissionName =
  | 'PERMISSION_UNSPECIFIED'
  | 'PERMISSION_DATA_READ'
  | 'PERMISSION_REPORTS_REQUEST'
  | 'PERMISSION_DATA_CORRECT'
  | 'PERMISSION_INGESTION_TRIGGER'
  | 'PERMISSION_USERS_MANAGE'
  | 'PERMISSION_AUDIT_READ'
  | 'PERMISSION_OPS_MANAGE';
export type ReportFormatName = 'REPORT_FORMAT_UNSPECIFIED' | 'REPORT_FORMAT_CSV' | 'REPORT_FORMAT_XLSX';
export type RankingOrderName = 'RANKING_ORDER_UNSPECIFIED' | 'RANKING_ORDER_DESC' | 'RANKING_ORDER_ASC';

export interface RegisterUserRequest {
  username: string;
  /** Left out when not sent (a proto3 `optional`). */
  displayName?: string;
  password: string;
  roles: ProtoEnum<RoleName>[];
}
export interface GrantRoleRequest {
  userId: string;
  role: ProtoEnum<RoleName>;
}
export type RevokeRoleRequest = GrantRoleRequest;
export interface GrantPermissionRequest {
  userId: string;
  permission: ProtoEnum<PermissionName>;
}
export type RevokePermissionRequest = GrantPermissionRequest;
export interface DisableUserRequest {
  userId: string;
  reason: string;
}
export interface CorrectObservationRequest {
  country: string;
  indicator: string;
  year: number;
  /** Left out when not sent (a proto3 `optional`). */
  value?: number;
  reason: string;
}
export interface CountryProfileSpec {
  country: string;
  fromYear: number;
  toYear: number;
}
export interface IndicatorAllCountriesSpec {
  indicator: string;
  fromYear: number;
  toYear: number;
}
export interface RankingSpec {
  indicator: string;
  year: number;
  order: ProtoEnum<RankingOrderName>;
}
export interface ReportSpec {
  countryProfile?: CountryProfileSpec | null;
  indicatorAllCountries?: IndicatorAllCountriesSpec | null;
  ranking?: RankingSpec | null;
  /** The oneof: which member is set. */
  kind?: 'countryProfile' | 'indicatorAllCountries' | 'ranking';
}
export interface RequestReportRequest {
  /** null when not sent. */
  spec: ReportSpec | null;
  format: ProtoEnum<ReportFormatName>;
}
export interface ObservationRef {
  country: string;
  indicator: string;
  year: number;
}
export interface CommandReceiptMessage {
  streamId: string;
  revision: number;
  position: number;
  replayed: boolean;
  userId?: string;
  reportId?: string;
  observation?: ObservationRef | null;
  /** The oneof: which subject is set. */
  subject?: 'userId' | 'reportId' | 'observation';
}

/** The server side of nationpulse.write.v1.CommandService. */
export interface CommandServiceHandlers extends grpc.UntypedServiceImplementation {
  RegisterUser: grpc.handleUnaryCall<RegisterUserRequest, CommandReceiptMessage>;
  GrantRole: grpc.handleUnaryCall<GrantRoleRequest, CommandReceiptMessage>;
  RevokeRole: grpc.handleUnaryCall<RevokeRoleRequest, CommandReceiptMessage>;
  GrantPermission: grpc.handleUnaryCall<GrantPermissionRequest, CommandReceiptMessage>;
  RevokePermission: grpc.handleUnaryCall<RevokePermissionRequest, CommandReceiptMessage>;
  DisableUser: grpc.handleUnaryCall<DisableUserRequest, CommandReceiptMessage>;
  CorrectObservation: grpc.handleUnaryCall<CorrectObservationRequest, CommandReceiptMessage>;
  RequestReport: grpc.handleUnaryCall<RequestReportRequest, CommandReceiptMessage>;
}

/**
 * A unary method of a generated client, in its three usual call forms. The full form comes last
 * so that `method.call(client, ...)` / `method.bind(client)` (which see the last overload) take it.
 */
export interface UnaryMethod<Req, Res> {
  (request: Input<Req>, callback: grpc.requestCallback<Res>): grpc.ClientUnaryCall;
  (request: Input<Req>, metadata: grpc.Metadata, callback: grpc.requestCallback<Res>): grpc.ClientUnaryCall;
  (request: Input<Req>, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: grpc.requestCallback<Res>): grpc.ClientUnaryCall;
}

/** The client side of nationpulse.write.v1.CommandService. */
export interface CommandServiceClient extends grpc.Client {
  RegisterUser: UnaryMethod<RegisterUserRequest, CommandReceiptMessage>;
  GrantRole: UnaryMethod<GrantRoleRequest, CommandReceiptMessage>;
  RevokeRole: UnaryMethod<RevokeRoleRequest, CommandReceiptMessage>;
  GrantPermission: UnaryMethod<GrantPermissionRequest, CommandReceiptMessage>;
  RevokePermission: UnaryMethod<RevokePermissionRequest, CommandReceiptMessage>;
  DisableUser: UnaryMethod<DisableUserRequest, CommandReceiptMessage>;
  CorrectObservation: UnaryMethod<CorrectObservationRequest, CommandReceiptMessage>;
  RequestReport: UnaryMethod<RequestReportRequest, CommandReceiptMessage>;
}

// grpc.health.v1 ---------------------------------------------------------------------------------

export type HealthServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';
export interface HealthCheckRequest {
  service: string;
}
export interface HealthCheckResponse {
  status: ProtoEnum<HealthServingStatus>;
}

export interface HealthHandlers extends grpc.UntypedServiceImplementation {
  Check: grpc.handleUnaryCall<HealthCheckRequest, HealthCheckResponse>;
  Watch: grpc.handleServerStreamingCall<HealthCheckRequest, HealthCheckResponse>;
}

export interface HealthClient extends grpc.Client {
  Check: UnaryMethod<HealthCheckRequest, HealthCheckResponse>;
  Watch: {
    (request: Input<HealthCheckRequest>, options?: Partial<grpc.CallOptions>): grpc.ClientReadableStream<HealthCheckResponse>;
    (request: Input<HealthCheckRequest>, metadata?: grpc.Metadata, options?: Partial<grpc.CallOptions>): grpc.ClientReadableStream<HealthCheckResponse>;
  };
}

// nationpulse.read.v1 ----------------------------------------------------------------------------
// A null of the read API is an absent proto3 `optional` field here. As decoded, a present one
// also comes with its synthetic oneof's virtual property (e.g. `_growth: 'growth'`), left out of these types.

export type ReadRankingOrderName = 'RANKING_ORDER_UNSPECIFIED' | 'RANKING_ORDER_DESC' | 'RANKING_ORDER_ASC';

/** Every read request: 0 = no read-your-writes wait. */
interface ReadRequest {
  minPosition: number;
}
/** Every read response: the position the answer reflects. */
interface ReadResponse {
  position: number;
}

export interface ListCountriesRequest extends ReadRequest {
  includeAggregates: boolean;
  region: string;
  limit?: number;
  offset?: number;
}
export interface CountrySummaryMessage {
  iso3: string;
  iso2?: string;
  name: string;
  region?: string;
  subregion?: string;
  isAggregate: boolean;
  hasData: boolean;
}
export interface ListCountriesResponse extends ReadResponse {
  total: number;
  limit: number;
  offset: number;
  countries: CountrySummaryMessage[];
}
export interface GetCountryProfileRequest extends ReadRequest {
  country: string;
}
export interface LatestValueMessage {
  code: string;
  name: string;
  unit: string;
  category: string;
  decimals: number;
  year: number;
  value: number;
}
export interface CountryProfileResponse extends ReadResponse {
  iso3: string;
  iso2?: string;
  numeric?: string;
  name: string;
  officialName?: string;
  region?: string;
  subregion?: string;
  isAggregate: boolean;
  indicators: LatestValueMessage[];
}
export type ListIndicatorsRequest = ReadRequest;
export interface IndicatorSummaryMessage {
  code: string;
  name: string;
  unit: string;
  category: string;
  decimals: number;
  description: string;
  latestYear?: number;
}
export interface ListIndicatorsResponse extends ReadResponse {
  indicators: IndicatorSummaryMessage[];
}
export interface GetSeriesRequest extends ReadRequest {
  country: string;
  indicator: string;
  fromYear?: number;
  toYear?: number;
}
export interface SeriesPointMessage {
  year: number;
  value: number;
  growth?: number;
}
export interface SeriesResponse extends ReadResponse {
  country: string;
  countryName: string;
  indicator: string;
  indicatorName: string;
  unit: string;
  points: SeriesPointMessage[];
}
export interface GetRankingRequest extends ReadRequest {
  indicator: string;
  year?: number;
  limit?: number;
  order: ProtoEnum<ReadRankingOrderName>;
}
export interface RankingEntryMessage {
  rank: number;
  country: string;
  name: string;
  value: number;
}
export interface RankingResponse extends ReadResponse {
  indicator: string;
  indicatorName: string;
  unit: string;
  year?: number;
  order: ProtoEnum<ReadRankingOrderName>;
  total: number;
  entries: RankingEntryMessage[];
}
export interface GetDashboardRequest extends ReadRequest {
  dashboard: string;
  year?: number;
}
export interface DashboardIndicatorMessage {
  indicator: string;
  indicatorName: string;
  unit: string;
  decimals: number;
  year?: number;
  world?: number;
  total: number;
  top: RankingEntryMessage[];
  bottom: RankingEntryMessage[];
}
export interface DashboardResponse extends ReadResponse {
  dashboard: string;
  year?: number;
  indicators: DashboardIndicatorMessage[];
}
export interface CompareSeriesRequest extends ReadRequest {
  indicator: string;
  countries: string[];
  fromYear?: number;
  toYear?: number;
}
export interface CountrySeriesMessage {
  country: string;
  countryName: string;
  points: { year: number; value: number }[];
}
export interface CompareSeriesResponse extends ReadResponse {
  indicator: string;
  indicatorName: string;
  unit: string;
  series: CountrySeriesMessage[];
}

/** The server side of nationpulse.read.v1.QueryService. */
export interface QueryServiceHandlers extends grpc.UntypedServiceImplementation {
  ListCountries: grpc.handleUnaryCall<ListCountriesRequest, ListCountriesResponse>;
  GetCountryProfile: grpc.handleUnaryCall<GetCountryProfileRequest, CountryProfileResponse>;
  ListIndicators: grpc.handleUnaryCall<ListIndicatorsRequest, ListIndicatorsResponse>;
  GetSeries: grpc.handleUnaryCall<GetSeriesRequest, SeriesResponse>;
  GetRanking: grpc.handleUnaryCall<GetRankingRequest, RankingResponse>;
  GetDashboard: grpc.handleUnaryCall<GetDashboardRequest, DashboardResponse>;
  CompareSeries: grpc.handleUnaryCall<CompareSeriesRequest, CompareSeriesResponse>;
}

/** The client side of nationpulse.read.v1.QueryService. */
export interface QueryServiceClient extends grpc.Client {
  ListCountries: UnaryMethod<ListCountriesRequest, ListCountriesResponse>;
  GetCountryProfile: UnaryMethod<GetCountryProfileRequest, CountryProfileResponse>;
  ListIndicators: UnaryMethod<ListIndicatorsRequest, ListIndicatorsResponse>;
  GetSeries: UnaryMethod<GetSeriesRequest, SeriesResponse>;
  GetRanking: UnaryMethod<GetRankingRequest, RankingResponse>;
  GetDashboard: UnaryMethod<GetDashboardRequest, DashboardResponse>;
  CompareSeries: UnaryMethod<CompareSeriesRequest, CompareSeriesResponse>;
}
