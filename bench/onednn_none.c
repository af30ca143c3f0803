/* SPDX-License-Identifier: MIT
 * Built instead of onednn_bench.c when oneDNN is absent or disabled (-Donednn=disabled). */
#include "bench.h"

int gru_bench_have_onednn(void) { return 0; }
const char *gru_bench_onednn_isa(void) { return ""; }
void gru_bench_add_onednn(gru_bench_list *l, const gru_bench_options *o) {
    (void)l;
    (void)o;
}
