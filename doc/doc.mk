# doc.mk: the man pages. tlsdiag(1) is written by hand; tlsdiag(7) is written by hand except
# its cause catalogue, which doc/mkcatalogue prints from provider/catalogue.c at build time,
# so the page cannot list an id the provider does not have (or miss one it has).
#   make check-man   both pages render with groff and no warnings; every cause id is listed

DOC_BUILD := $(BUILD)/doc
MAN_PAGES := $(DOC_BUILD)/tlsdiag.1 $(DOC_BUILD)/tlsdiag.7

all: $(MAN_PAGES)

$(DOC_BUILD):
	mkdir -p $@

$(DOC_BUILD)/mkcatalogue: doc/mkcatalogue.c provider/catalogue.c include/catalogue.h | $(DOC_BUILD)
	$(CC) $(ALL_CFLAGS) -o $@ doc/mkcatalogue.c provider/catalogue.c $(SANITIZE_LDFLAGS)

$(DOC_BUILD)/catalogue.roff: $(DOC_BUILD)/mkcatalogue
	$(DOC_BUILD)/mkcatalogue > $@.tmp && mv $@.tmp $@

$(DOC_BUILD)/tlsdiag.1: doc/tlsdiag.1.in | $(DOC_BUILD)
	sed -e 's/@VERSION@/$(VERSION)/g' doc/tlsdiag.1.in > $@.tmp && mv $@.tmp $@

# The line `.\" @CATALOGUE@` in the source is replaced by the generated catalogue.
$(DOC_BUILD)/tlsdiag.7: doc/tlsdiag.7.in $(DOC_BUILD)/catalogue.roff
	sed -e '/^\.\\" @CATALOGUE@$$/{r $(DOC_BUILD)/catalogue.roff' -e 'd;}' \
	    -e 's/@VERSION@/$(VERSION)/g' doc/tlsdiag.7.in > $@.tmp && mv $@.tmp $@

CHECK_TARGETS += check-man

check-man: $(MAN_PAGES) $(DOC_BUILD)/mkcatalogue
	@for page in $(MAN_PAGES); do \
	    out=$$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 $$page 2>&1) || { echo "$$page: groff failed" >&2; exit 1; }; \
	    [ -z "$$out" ] || { echo "$$page: groff warnings:" >&2; echo "$$out" >&2; exit 1; }; \
	done
	@grep -q '@CATALOGUE@\|@VERSION@' $(MAN_PAGES) && { echo "unexpanded placeholder in a man page" >&2; exit 1; } || true
	@ids=$$(sed -n 's/^\.B \([a-z_]*\)$$/\1/p' $(DOC_BUILD)/catalogue.roff | sort); \
	 [ -n "$$ids" ] || { echo "check-man: no cause ids in the generated catalogue" >&2; exit 1; }; \
	 for id in $$ids; do grep -q "^\.B $$id\$$" $(DOC_BUILD)/tlsdiag.7 || { echo "check-man: $$id missing from tlsdiag.7" >&2; exit 1; }; done; \
	 src=$$(sed -n 's/^    { "\([a-z_]*\)", [A-Z]*,.*$$/\1/p' provider/catalogue.c | sort); \
	 [ "$$src" = "$$ids" ] || { echo "check-man: tlsdiag.7 lists [$$ids], provider/catalogue.c has [$$src]" | tr '\n' ' ' >&2; echo >&2; exit 1; }; \
	 n=$$(echo "$$ids" | wc -l); echo "check-man: ok ($$n cause ids in tlsdiag(7), as in provider/catalogue.c)"

.PHONY: check-man
