/**
 * The read API: queries over the read models, served over HTTP (Fastify) and gRPC, with
 * read-your-writes through minPosition. The embedded platform composes these pieces itself.
 */
export { buildReadApp, type ReadAppDependencies } from './http/app.ts';
export { startReadGrpcServer, type ReadGrpcServer, type ReadGrpcServerOptions } from './grpc/server.ts';
export { createQueryGrpcService } from './grpc/query-service.ts';
export { createReadSide } from './composition.ts';
export { readApiConfigSchema, type ReadApiConfig } from './config.ts';
export { createQueryExecutor, RESPONSE_CACHE_PREFIX, responseCacheKey, type QueryExecutor, type QueryExecutorOptions, type QueryAnswer } from './query-handling/query-executor.ts';
export { rankingBoard, RANKINGS_SYNC_MARKER, SYNC_MARKER_POSITION, SYNC_MARKER_VERSION } from './query-handling/cache-keys.ts';
export { createRankingBoardsReader, type RankingBoardsReader } from './queries/rankings/ranking-boards.ts';
export { pollingWaitForPosition, type WaitForPosition } from './query-handling/wait-for-position.ts';
export { projections, type ProjectionName } from './query-handling/projections.ts';
export { queries } from './queries/catalogue.ts';
export { startReadApiService, type ReadApiService } from './service.ts';
