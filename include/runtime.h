/* runtime: which program hosts tlsdiag, to give fixes in its terms (PyMongo, curl, ...). */
#ifndef TLSDIAG_RUNTIME_H
#define TLSDIAG_RUNTIME_H

enum td_runtime {
    TD_RT_OTHER,
    TD_RT_PYTHON,
    TD_RT_PYPY,
    TD_RT_CURL,
    TD_RT_OPENSSL_CLI,
    TD_RT_NODE,
    TD_RT_RUBY,
    TD_RT_PHP,
    TD_RT_NGINX,
    TD_RT_COUNT
};

struct td_runtime_info {
    enum td_runtime kind;
    char program[64]; /* basename of /proc/self/exe */
    char exe[256];
    int pymongo; /* PyMongo's modules are mapped into the process */
};

/* Fill out: the executable is read once per process; with scan_modules, the mappings are read
 * too (modules get imported after the first handshake, so every time). Never fails. */
void td_runtime_get(struct td_runtime_info *out, int scan_modules);

#endif
