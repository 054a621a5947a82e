#include <cblas.h>
#include <stdlib.h>

// OpenBLAS's DYNAMIC_ARCH entry points (exported by Debian's build): they
// pick the kernels for OPENBLAS_CORETYPE, or for the CPU model it detects.
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);

// Chooses OpenBLAS's kernels from the CPU's instruction sets rather than
// its model name (a virtual machine that hides the model gets the SSE3
// "Prescott" kernels, 2.5x slower), unless OPENBLAS_CORETYPE says otherwise,
// and pins it to one thread per call. Returns the kernels' name.
static inline const char *smelt_openblas_configure(void) {
    if (getenv("OPENBLAS_CORETYPE") == NULL) {
        const char *core = NULL;
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq")) {
            core = "SkylakeX";
        } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
            core = "Haswell";
        }
        if (core != NULL) {
            setenv("OPENBLAS_CORETYPE", core, 0);
            gotoblas_dynamic_quit();
            gotoblas_dynamic_init();
        }
    }
    openblas_set_num_threads(1);
    return openblas_get_corename();
}
