import * as grpc from '@grpc/grpc-js';
import { nationPulseErrorFrom } from './errors.ts';
import { loadReadProto } from './load.ts';
import type { Input, QueryServiceClient, UnaryMethod } from './messages.ts';

type Method = { [K in keyof QueryServiceClient]: QueryServiceClient[K] extends UnaryMethod<infer _Req, infer _Res> ? K : never }[keyof QueryServiceClient];
type RequestOf<M extends Method> = QueryServiceClient[M] extends UnaryMethod<infer Req, infer _Res> ? Req : never;
type ResponseOf<M extends Method> = QueryServiceClient[M] extends UnaryMethod<infer _Req, infer Res> ? Res : never;

export interface QueryCaller {
  /** One unary call with a deadline; a failure arrives as the NationPulseError the server meant (or UNAVAILABLE / DEADLINE_EXCEEDED). */
  call<M extends Method>(method: M, request: Input<RequestOf<M>>): Promise<ResponseOf<M>>;
  close(): void;
}

/** A promise-based client of nationpulse.read.v1.QueryService (plaintext, for the internal network). */
export const createQueryCaller = (address: string, { deadlineMs = 10_000 }: { deadlineMs?: number } = {}): QueryCaller => {
  const { QueryServiceClient } = loadReadProto();
  const client = new QueryServiceClient(address, grpc.credentials.createInsecure());
  return {
    call(method, request) {
      return new Promise((resolve, reject) => {
        const fn = client[method] as unknown as UnaryMethod<unknown, unknown>;
        fn.call(client, request as never, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) => {
          if (error) reject(nationPulseErrorFrom(error));
          else resolve(response as never);
        });
      });
    },
    close: () => client.close(),
  };
};
