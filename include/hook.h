/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* hook: where tlsdiag enters the handshake. ex_data callbacks registered once per process
 * install a ctx-level info and msg callback into every SSL_CTX; per-connection state is
 * created only when something goes wrong (or in trace mode) and freed with the SSL. */
#ifndef TLSDIAG_HOOK_H
#define TLSDIAG_HOOK_H

/* Register the ex_data indexes. Idempotent; returns 1 when hooks are in place. */
int td_hook_install(void);
/* Unregister (provider teardown). Callbacks already set on live SSL_CTXs become no-ops. */
void td_hook_uninstall(void);

#endif
