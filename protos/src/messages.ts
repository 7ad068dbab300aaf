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
