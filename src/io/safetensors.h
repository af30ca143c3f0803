/* SPDX-License-Identifier: MIT
 * Internal view of a safetensors handle for the loaders built on it. */
#ifndef GRU_SRC_IO_SAFETENSORS_H
#define GRU_SRC_IO_SAFETENSORS_H

#include "common.h"

/* The name the handle reports in messages (the path, or the name given to open_memory). */
const char *gru_safetensors_file(const gru_safetensors *st);

#endif /* GRU_SRC_IO_SAFETENSORS_H */
