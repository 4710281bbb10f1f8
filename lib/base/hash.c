/* BLAKE2b through libsodium's generichash. */
#include <sodium.h>

#include "base/base.h"

_Static_assert(sizeof(lf_hash) >= sizeof(crypto_generichash_state), "lf_hash too small");

void lf_hash_init(lf_hash *h, size_t outlen)
{
    crypto_generichash_init((crypto_generichash_state *)(void *)h->state, NULL, 0, outlen);
}

void lf_hash_update(lf_hash *h, const void *data, size_t n)
{
    crypto_generichash_update((crypto_generichash_state *)(void *)h->state, data, n);
}

void lf_hash_final(lf_hash *h, uint8_t *out, size_t outlen)
{
    crypto_generichash_final((crypto_generichash_state *)(void *)h->state, out, outlen);
    sodium_memzero(h, sizeof *h);
}
