/* SPDX-FileCopyrightText: 2026 The tlsdiag authors
 * SPDX-License-Identifier: Apache-2.0 */
/* elfdeps: read just enough of an ELF64 file (section headers, .dynamic, .dynsym) to learn
 * whether it links the system libssl or carries its own OpenSSL. Every offset read from the
 * file is checked against the file size before use. */
#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "elfdeps.h"

/* Sections bigger than this are not plausible .dynsym/.dynstr tables. */
#define ELF_SECTION_MAX (64u << 20)

static void *read_at(int fd, off_t size, uint64_t off, uint64_t len)
{
    if (len == 0 || len > ELF_SECTION_MAX || off > (uint64_t)size || len > (uint64_t)size - off)
        return NULL;
    void *buf = malloc(len + 1);
    if (buf == NULL) return NULL;
    if (pread(fd, buf, len, (off_t)off) != (ssize_t)len) {
        free(buf);
        return NULL;
    }
    ((char *)buf)[len] = '\0';
    return buf;
}

static const char *str_at(const char *strtab, uint64_t strsize, uint64_t idx)
{
    return idx < strsize ? strtab + idx : "";
}

void elf_openssl_inspect(const char *path, struct elf_openssl *out)
{
    memset(out, 0, sizeof(*out));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    Elf64_Ehdr eh;
    Elf64_Shdr *sh = NULL;
    if (fd < 0) return;
    if (fstat(fd, &st) != 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0)
        goto done;
    sh = read_at(fd, st.st_size, eh.e_shoff, (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr));
    if (sh == NULL) goto done;
    out->readable = 1;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        if (eh.e_shstrndx < eh.e_shnum && sh[i].sh_type == SHT_PROGBITS) {
            char name[32] = "";
            const Elf64_Shdr *names = &sh[eh.e_shstrndx];
            if (sh[i].sh_name < names->sh_size &&
                pread(fd, name, sizeof(name) - 1, (off_t)(names->sh_offset + sh[i].sh_name)) > 0 &&
                !strcmp(name, ".go.buildinfo"))
                out->go = 1;
        }
        if (sh[i].sh_type != SHT_DYNAMIC && sh[i].sh_type != SHT_DYNSYM) continue;
        if (sh[i].sh_link >= eh.e_shnum) continue;
        const Elf64_Shdr *strsh = &sh[sh[i].sh_link];
        char *strtab = read_at(fd, st.st_size, strsh->sh_offset, strsh->sh_size);
        void *data = read_at(fd, st.st_size, sh[i].sh_offset, sh[i].sh_size);
        if (strtab != NULL && data != NULL && sh[i].sh_type == SHT_DYNAMIC) {
            const Elf64_Dyn *d = data;
            for (size_t k = 0; k < sh[i].sh_size / sizeof(*d) && d[k].d_tag != DT_NULL; k++) {
                if (d[k].d_tag != DT_NEEDED) continue;
                const char *lib = str_at(strtab, strsh->sh_size, d[k].d_un.d_val);
                if (!strncmp(lib, "libssl.so", 9)) out->needs_libssl = 1;
                /* libcurl-gnutls: git's https helper, and other programs built on it */
                else if (!strncmp(lib, "libgnutls", 9) || !strncmp(lib, "libcurl-gnutls", 14))
                    out->other_tls = "GnuTLS";
                else if (!strncmp(lib, "libnss3.so", 10) || !strncmp(lib, "libcurl-nss", 11))
                    out->other_tls = "NSS";
            }
        } else if (strtab != NULL && data != NULL) {
            const Elf64_Sym *s = data;
            for (size_t k = 0; k < sh[i].sh_size / sizeof(*s); k++)
                if (s[k].st_shndx != SHN_UNDEF && ELF64_ST_BIND(s[k].st_info) != STB_LOCAL &&
                    !strcmp(str_at(strtab, strsh->sh_size, s[k].st_name), "SSL_CTX_new"))
                    out->exports_ssl = 1;
        }
        free(strtab);
        free(data);
    }
done:
    free(sh);
    close(fd);
}
