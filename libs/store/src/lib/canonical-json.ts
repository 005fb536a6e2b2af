import { canonicalJson as serialize, CanonicalJsonError, sha256Hex } from '@gcm/canonical-json';
import { StoreError, StoreErrorCode } from './store.error';

export { sha256Hex };

/** Canonical JSON (`@gcm/canonical-json`), with bad documents reported as a StoreError. */
export function canonicalJson(value: unknown): string {
  try {
    return serialize(value);
  } catch (error) {
    if (error instanceof CanonicalJsonError) {
      throw new StoreError(StoreErrorCode.InvalidDocument, `Cannot serialize the document as canonical JSON at ${error.path}: ${error.reason}. Pass plain JSON data.`);
    }
    throw error;
  }
}

/** The content hash the archive uses: sha256 over the canonical JSON of the document. */
export function contentHash(document: unknown): string {
  return sha256Hex(canonicalJson(document));
}
