/* classify: decide the guide section and cause for a report, and add the evidence that proves it. */
#ifndef TLSDIAG_CLASSIFY_H
#define TLSDIAG_CLASSIFY_H
#include <openssl/ssl.h>
#include "report.h"

/* ssl may be NULL (then only the recorded facts are used). */
void td_classify(struct td_report *r, SSL *ssl);

#endif
