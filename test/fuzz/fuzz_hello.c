/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* fuzz_hello: td_hello_parse and td_hello_sni on arbitrary bytes. libFuzzer hands each input
 * over in a heap block of exactly its size, so ASan stops any read past the end; the invariants
 * catch a parse that "succeeds" into nonsense, or a refusal that leaves half-filled fields
 * behind. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "invariants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct td_hello h;
    char sni[TD_HELLO_SNI_MAX + 1];
    int ok = td_hello_parse(data, size, &h);

    if (ok ? !hello_sane(&h) : !hello_all_zero(&h)) abort();
    /* the server's repeat key reads the same bytes with a lighter walk */
    if (td_hello_sni(data, size, sni, sizeof(sni)) && strlen(sni) >= sizeof(sni)) abort();
    return 0;
}
