// Hot loops compiled for two vector widths from one body (see CKernels.h).
// Contraction stays off: a fused multiply-add would round differently from
// the separate multiply and add that both variants must do.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "CKernels.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define BODY_DECODE_BF16                                                     \
    const uint8_t *bytes = source;                                           \
    for (size_t i = 0; i < count; i++) {                                     \
        uint16_t half;                                                       \
        memcpy(&half, bytes + 2 * i, 2);                                     \
        uint32_t bits = (uint32_t)half << 16;                                \
        memcpy(destination + i, &bits, 4);                                   \
    }

#define BODY_ENCODE_BF16                                                     \
    uint8_t *bytes = destination;                                            \
    for (size_t i = 0; i < count; i++) {                                     \
        uint32_t bits;                                                       \
        memcpy(&bits, source + i, 4);                                        \
        uint32_t upper = bits >> 16;                                         \
        uint32_t quiet_nan = upper | ((upper & 0x7F) == 0 ? 0x40 : 0);       \
        uint32_t rounded = (bits + 0x7FFF + (upper & 1)) >> 16;              \
        uint16_t half = (uint16_t)((bits & 0x7FFFFFFF) > 0x7F800000 ? quiet_nan : rounded); \
        memcpy(bytes + 2 * i, &half, 2);                                     \
    }

#define BODY_ACCUMULATE_WEIGHTED                                             \
    for (size_t i = 0; i < count; i++) {                                     \
        accumulator[i] = (float)((double)accumulator[i] + weight * (double)values[i]); \
    }

#define BODY_KEPT_TASK                                                       \
    const float dropped = 0.0f * scale;                                      \
    for (size_t i = 0; i < count; i++) {                                     \
        float task = a[i] - b[i];                                            \
        uint32_t key;                                                        \
        memcpy(&key, &task, 4);                                              \
        key &= 0x7FFFFFFF;                                                   \
        int selected = including_equal ? key >= cut : key > cut;             \
        out[i] = (selected ? scale : dropped) * task;                        \
    }

#define DEFINE_VARIANTS(suffix, attributes)                                                          \
    attributes static void decode_bf16_##suffix(const void *restrict source,                         \
                                                float *restrict destination, size_t count) {         \
        BODY_DECODE_BF16                                                                             \
    }                                                                                                \
    attributes static void encode_bf16_##suffix(const float *restrict source,                        \
                                                void *restrict destination, size_t count) {          \
        BODY_ENCODE_BF16                                                                             \
    }                                                                                                \
    attributes static void accumulate_weighted_##suffix(float *restrict accumulator,                 \
                                                        const float *restrict values, double weight, \
                                                        size_t count) {                              \
        BODY_ACCUMULATE_WEIGHTED                                                                     \
    }                                                                                                \
    attributes static void kept_task_##suffix(const float *restrict a, const float *restrict b,      \
                                              uint32_t cut, int including_equal, float scale,        \
                                              float *restrict out, size_t count) {                   \
        BODY_KEPT_TASK                                                                               \
    }

DEFINE_VARIANTS(baseline, )
#if defined(__x86_64__)
DEFINE_VARIANTS(avx2, __attribute__((target("avx2"))))
#endif

// -1 until the first call chooses.
static atomic_int chosen_level = -1;

int smelt_kernels_best_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    return 0;
#endif
}

int smelt_kernels_level(void) {
    int level = atomic_load_explicit(&chosen_level, memory_order_relaxed);
    if (level < 0) {
        const char *setting = getenv("SMELT_KERNELS");
        level = setting != NULL && strcmp(setting, "baseline") == 0 ? 0 : smelt_kernels_best_level();
        atomic_store_explicit(&chosen_level, level, memory_order_relaxed);
    }
    return level;
}

int smelt_kernels_set_level(int level) {
    int best = smelt_kernels_best_level();
    int clamped = level < 0 ? 0 : (level > best ? best : level);
    atomic_store_explicit(&chosen_level, clamped, memory_order_relaxed);
    return clamped;
}

#if defined(__x86_64__)
#define DISPATCH(name, ...)                                  \
    if (smelt_kernels_level() == 1) {                        \
        name##_avx2(__VA_ARGS__);                            \
    } else {                                                 \
        name##_baseline(__VA_ARGS__);                        \
    }
#else
#define DISPATCH(name, ...) name##_baseline(__VA_ARGS__);
#endif

void smelt_decode_bf16(const void *source, float *destination, size_t count) {
    DISPATCH(decode_bf16, source, destination, count)
}

void smelt_encode_bf16(const float *source, void *destination, size_t count) {
    DISPATCH(encode_bf16, source, destination, count)
}

void smelt_accumulate_weighted(float *accumulator, const float *values, double weight, size_t count) {
    DISPATCH(accumulate_weighted, accumulator, values, weight, count)
}

void smelt_kept_task(const float *a, const float *b, uint32_t cut, int including_equal, float scale, float *out,
                     size_t count) {
    DISPATCH(kept_task, a, b, cut, including_equal, scale, out, count)
}
