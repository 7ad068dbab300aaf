import { NationPulseError } from '@nationpulse/domain';

export interface ArtifactMetadata {
  readonly fileName: string;
  readonly contentType: string;
}

export interface StoredArtifact extends ArtifactMetadata {
  readonly key: string;
  /** Where the adapter keeps it (file://…, gridfs://bucket/…): recorded, never dereferenced by clients. */
  readonly uri: string;
  readonly sizeBytes: number;
  /** Hex SHA-256 of the bytes, computed while they streamed in. */
  readonly sha256: string;
}

/**
 * Where generated files live. Keys are chosen by the caller and are deterministic, so a
 * redelivered job writes the same key: `put` keeps exactly one artifact per key (the first one
 * completed wins; a later put of that key answers the stored one and discards its own bytes).
 * An interrupted put leaves no artifact under the key.
 */
export interface ArtifactStore {
  put(key: string, content: AsyncIterable<Uint8Array | string>, metadata: ArtifactMetadata): Promise<StoredArtifact>;
  stat(key: string): Promise<StoredArtifact | null>;
  /** The bytes of a stored artifact; throws ArtifactNotFoundError for an unknown key. */
  read(key: string): Promise<AsyncIterable<Uint8Array>>;
  /** Every artifact whose key starts with the prefix, by key. */
  list(prefix: string): Promise<StoredArtifact[]>;
  close(): Promise<void>;
}

export const ARTIFACT_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

export class ArtifactNotFoundError extends NationPulseError {
  constructor(key: string) {
    super('not_found', 'ARTIFACT_NOT_FOUND', `No artifact ${key}`, { key });
  }
}

export class ArtifactStoreUnavailableError extends NationPulseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'ARTIFACT_STORE_UNAVAILABLE', message, undefined, options);
  }
}

export const assertArtifactKey = (key: string): void => {
  if (!ARTIFACT_KEY.test(key) || key.length > 400) {
    throw new NationPulseError('validation', 'ARTIFACT_KEY_INVALID', `Invalid artifact key ${JSON.stringify(key)}`);
  }
};
