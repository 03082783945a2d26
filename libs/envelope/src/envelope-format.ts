import { MAX_BODY_BYTES } from '@hostwatch/contract/light';

/** First byte of every sealed message: the layout and key derivation below, version 1. */
export const ENVELOPE_VERSION = 1;

/** Bytes of the random AES-GCM nonce that follows the version byte. */
export const NONCE_BYTES = 12;

/** Bytes of the AES-GCM authentication tag that ends a sealed message. */
export const TAG_BYTES = 16;

/** Bytes a sealed message adds to its body: `version (1) | nonce (12) | ciphertext (n) | tag (16)`. */
export const ENVELOPE_OVERHEAD = 1 + NONCE_BYTES + TAG_BYTES;

/** Largest sealed message an opener accepts: a `MAX_BODY_BYTES` body plus the overhead. */
export const MAX_SEALED_BYTES = MAX_BODY_BYTES + ENVELOPE_OVERHEAD;
