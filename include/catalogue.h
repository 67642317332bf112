/* catalogue: every guide section and cause id tlsdiag can name, with its texts.
 * The data lives in provider/catalogue.c, and only there. Adding a failure class
 * is one entry there plus one test scenario under test/scenarios/. */
#ifndef TLSDIAG_CATALOGUE_H
#define TLSDIAG_CATALOGUE_H

enum td_section {
    TD_SEC_CERTIFICATE_VERIFY_FAILED,
    TD_SEC_TLSV1_ALERT_PROTOCOL_VERSION,
    TD_SEC_INVALID_STATUS_RESPONSE,
    TD_SEC_SSLV3_ALERT_HANDSHAKE_FAILURE,
    TD_SEC_UNSAFE_LEGACY_RENEGOTIATION_DISABLED,
    TD_SEC_OTHER,
    TD_SEC_COUNT
};

struct td_section_info {
    const char *id;        /* JSON `section` */
    const char *title;     /* the guide's heading */
    const char *guide_url;
};

/* Texts may hold {key} placeholders, filled from the report's evidence at render time.
 * A placeholder whose key is absent is rendered as "?" */
struct td_cause {
    const char *id;             /* JSON `cause`, stable */
    enum td_section section;
    const char *meaning;        /* one line for the catalogue and man page */
    const char *summary;        /* what happened, who refused whom */
    const char *fix;            /* what to do about it here */
    const char *hint_python;    /* extra for Python hosts (PyMongo options), or NULL */
    const char *hint_curl;      /* extra for curl, or NULL */
};

extern const struct td_section_info td_sections[TD_SEC_COUNT];
extern const struct td_cause td_causes[];
extern const int td_cause_count;

/* NULL if unknown. */
const struct td_cause *td_cause_find(const char *id);

#endif
