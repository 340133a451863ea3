#ifndef CDREYHASH_H
#define CDREYHASH_H

#include <stdint.h>

/// 1 when this CPU has the SHA extensions (x86-64 SHA-NI), else 0; asked once, the answer kept.
int drey_sha256_has_instructions(void);

/// One SHA-256 compression (FIPS 180-4, 6.2.2) of the 64-byte `block` into `state` (eight words, a first), with the
/// CPU's SHA instructions. Only when `drey_sha256_has_instructions()` said 1.
void drey_sha256_compress(uint32_t state[8], const uint8_t block[64]);

/// SHA-256's 64 round constants (FIPS 180-4, 4.2.2), for the Swift compression too.
const uint32_t *drey_sha256_round_constants(void);

#endif
