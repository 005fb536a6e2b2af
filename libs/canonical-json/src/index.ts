export { canonicalHash, canonicalJson, CanonicalJsonError, sha256Hex } from './lib/canonical-json';
