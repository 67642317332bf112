/* emit: render a report in the configured format and hand it to the output. */
#include <stdlib.h>
#include "emit.h"
#include "output.h"
#include "render.h"
#include "settings.h"

#define TD_RENDER_CAP 16384

void td_emit(const struct td_report *r)
{
    char *buf = malloc(TD_RENDER_CAP);
    if (buf == NULL) return;
    size_t n = td_render(r, td_settings.format, buf, TD_RENDER_CAP);
    if (n > 0) td_output_write(buf, n);
    free(buf);
}
