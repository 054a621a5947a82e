#ifndef SMELT_LIBFUZZER_H
#define SMELT_LIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's entry point for programs that have their own `main`
/// (compiler-rt's FuzzerInterface.h, "LLVMFuzzerRunDriver"). It parses the
/// libFuzzer flags in argv and calls `callback` once per input. Defined in
/// the runtime that `-sanitize=fuzzer` links, so a build without that flag
/// fails to link instead of producing a fuzzer that runs nothing.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
