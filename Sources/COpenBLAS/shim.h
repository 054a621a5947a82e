#include <cblas.h>
#include <dlfcn.h>
#include <stdlib.h>

// OpenBLAS's DYNAMIC_ARCH entry points (Debian's build exports them): they
// pick the kernels for OPENBLAS_CORETYPE, or for the CPU model it detects.
// Looked up at run time, so a build without them links and keeps its own
// choice of kernels.
typedef void (*smelt_openblas_entry)(void);

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
        void *program = dlopen(NULL, RTLD_NOW);  // the program and the libraries it links
        smelt_openblas_entry quit = program ? (smelt_openblas_entry)dlsym(program, "gotoblas_dynamic_quit") : NULL;
        smelt_openblas_entry init = program ? (smelt_openblas_entry)dlsym(program, "gotoblas_dynamic_init") : NULL;
        if (core != NULL && quit != NULL && init != NULL) {
            setenv("OPENBLAS_CORETYPE", core, 0);
            quit();
            init();
        }
    }
    openblas_set_num_threads(1);
    return openblas_get_corename();
}
