// Hot loops compiled for three vector widths from one body (see CKernels.h).
// Contraction stays off: a fused multiply-add would round differently from
// the separate multiply and add that both variants must do.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "CKernels.h"

#include <math.h>
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

// Clang vector types: a lane-wise select stays a mask (an `and`), where a
// scalar select may become a branch that random keep decisions defeat.
typedef float f32x8 __attribute__((vector_size(32)));
typedef int32_t i32x8 __attribute__((vector_size(32)));
typedef uint32_t u32x8 __attribute__((vector_size(32)));
typedef double f64x8 __attribute__((vector_size(64)));
typedef int64_t i64x8 __attribute__((vector_size(64)));

// The sums stay two chains of additions in index order (the same bits as
// the plain loop); only the magnitudes and masks are made eight at a time.
#define BODY_MAGNITUDE_SUMS                                                  \
    double total_sum = 0, kept_sum = 0;                                      \
    size_t i = 0;                                                            \
    for (; i + 8 <= count; i += 8) {                                         \
        f32x8 x, y, k;                                                       \
        memcpy(&x, a + i, 32);                                               \
        memcpy(&y, b + i, 32);                                               \
        memcpy(&k, keep + i, 32);                                            \
        f32x8 difference = x - y;                                            \
        u32x8 bits;                                                          \
        memcpy(&bits, &difference, 32);                                      \
        bits &= 0x7FFFFFFFu;                                                 \
        f32x8 magnitude;                                                     \
        memcpy(&magnitude, &bits, 32);                                       \
        f64x8 wide = __builtin_convertvector(magnitude, f64x8);              \
        i64x8 mask = __builtin_convertvector(k != 0, i64x8);                 \
        i64x8 wide_bits;                                                     \
        memcpy(&wide_bits, &wide, 64);                                       \
        wide_bits &= mask;                                                   \
        f64x8 kept;                                                          \
        memcpy(&kept, &wide_bits, 64);                                       \
        for (int lane = 0; lane < 8; lane++) {                               \
            total_sum += wide[lane];                                         \
            kept_sum += kept[lane];                                          \
        }                                                                    \
    }                                                                        \
    for (; i < count; i++) {                                                 \
        double magnitude = (double)fabsf(a[i] - b[i]);                       \
        total_sum += magnitude;                                              \
        kept_sum += keep[i] != 0 ? magnitude : 0.0;                          \
    }                                                                        \
    *total = total_sum;                                                      \
    *kept_total = kept_sum;

#define BODY_PACK_NONZERO                                                    \
    size_t byte = 0;                                                         \
    for (; 8 * byte + 8 <= count; byte++) {                                  \
        f32x8 k;                                                             \
        memcpy(&k, values + 8 * byte, 32);                                   \
        i32x8 selected = (k != 0) & (i32x8){1, 2, 4, 8, 16, 32, 64, 128};    \
        int packed = 0;                                                      \
        for (int lane = 0; lane < 8; lane++) packed |= selected[lane];       \
        bits[byte] = (uint8_t)packed;                                        \
    }                                                                        \
    if (8 * byte < count) {                                                  \
        uint8_t packed = 0;                                                  \
        for (size_t bit = 0; 8 * byte + bit < count; bit++) {                \
            if (values[8 * byte + bit] != 0) packed |= (uint8_t)(1u << bit); \
        }                                                                    \
        bits[byte] = packed;                                                 \
    }

#define BODY_UNPACK_BITS                                                     \
    size_t byte = 0;                                                         \
    for (; 8 * byte + 8 <= count; byte++) {                                  \
        i32x8 lanes = (i32x8){1, 2, 4, 8, 16, 32, 64, 128} & (int32_t)bits[byte]; \
        f32x8 decisions = __builtin_convertvector((lanes != 0) & 1, f32x8);  \
        memcpy(values + 8 * byte, &decisions, 32);                           \
    }                                                                        \
    for (size_t i = 8 * byte; i < count; i++) {                              \
        values[i] = (float)((bits[i >> 3] >> (i & 7)) & 1);                  \
    }

#define BODY_KEY_BOUNDS                                                      \
    uint32_t any = 0, all = 0xFFFFFFFFu, lowest = 0xFFFFFFFFu, highest = 0;  \
    for (size_t i = 0; i < count; i++) {                                     \
        uint32_t key = (uint32_t)(entries[i] >> 32);                         \
        any |= key;                                                          \
        all &= key;                                                          \
        lowest = key < lowest ? key : lowest;                                \
        highest = key > highest ? key : highest;                             \
    }                                                                        \
    bounds[0] = any;                                                         \
    bounds[1] = all;                                                         \
    bounds[2] = lowest;                                                      \
    bounds[3] = highest;

// e^x, lane by lane: Cephes `expf` (x = n·ln 2 + r, degree-5 polynomial for
// e^r), x clamped to [-87.3, 88.3], 0 below -87.3; 2^n built in the exponent
// bits. The same operations, in the same order, as VectorExponential.exp.
#define EXP_LANE(x, result)                                                  \
    do {                                                                     \
        float low_ = (x) < -87.3f ? -87.3f : (x);                            \
        float clamped_ = low_ > 88.3f ? 88.3f : low_;                        \
        float n_ = (clamped_ * 1.44269504f + 12582912.0f) - 12582912.0f;     \
        float r_ = clamped_ - n_ * 0.693359375f;                             \
        r_ = r_ + n_ * 2.1219444e-4f;                                        \
        float p_ = 1.98756915e-4f;                                           \
        p_ = p_ * r_ + 1.3981999507e-3f;                                     \
        p_ = p_ * r_ + 8.3334519073e-3f;                                     \
        p_ = p_ * r_ + 4.1665795894e-2f;                                     \
        p_ = p_ * r_ + 1.6666665459e-1f;                                     \
        p_ = p_ * r_ + 5.0000001201e-1f;                                     \
        p_ = p_ * r_ * r_ + r_ + 1.0f;                                       \
        float biased_float_ = n_ + 8388735.0f;                               \
        uint32_t biased_;                                                    \
        memcpy(&biased_, &biased_float_, 4);                                 \
        uint32_t scale_bits_ = (biased_ & 0xFF) << 23;                       \
        float scale_;                                                        \
        memcpy(&scale_, &scale_bits_, 4);                                    \
        (result) = (x) < -87.3f ? 0.0f : p_ * scale_;                        \
    } while (0)

// Eight lanes, each summed in its own accumulator, combined in lane order;
// the tail's exponentials added one by one after them. Sixteen values a step
// (one AVX-512 vector of exponentials), added to the eight lanes in two
// halves: the same sums, in the same order, as eight a step.
#define BODY_SUM_SCALED_EXPONENTIALS                                         \
    double sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};                               \
    size_t i = 0;                                                            \
    for (; i + 16 <= count; i += 16) {                                       \
        float e[16];                                                         \
        for (int lane = 0; lane < 16; lane++) {                              \
            EXP_LANE((values[i + lane] - shift) * scale, e[lane]);           \
        }                                                                    \
        for (int lane = 0; lane < 8; lane++) sums[lane] += (double)e[lane];  \
        for (int lane = 0; lane < 8; lane++) sums[lane] += (double)e[8 + lane]; \
    }                                                                        \
    for (; i + 8 <= count; i += 8) {                                         \
        for (int lane = 0; lane < 8; lane++) {                               \
            float e;                                                         \
            EXP_LANE((values[i + lane] - shift) * scale, e);                 \
            sums[lane] += (double)e;                                         \
        }                                                                    \
    }                                                                        \
    double total = 0;                                                        \
    for (int lane = 0; lane < 8; lane++) total += sums[lane];                \
    for (; i < count; i++) {                                                 \
        float e;                                                             \
        EXP_LANE((values[i] - shift) * scale, e);                            \
        total += (double)e;                                                  \
    }                                                                        \
    return total;

#define BODY_EXPONENTIATE                                                    \
    float sums[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                \
    size_t i = 0;                                                            \
    for (; i + 16 <= count; i += 16) {                                       \
        float e[16];                                                         \
        for (int lane = 0; lane < 16; lane++) {                              \
            EXP_LANE(values[i + lane] - shift, e[lane]);                     \
            values[i + lane] = e[lane];                                      \
        }                                                                    \
        for (int lane = 0; lane < 8; lane++) sums[lane] += e[lane];          \
        for (int lane = 0; lane < 8; lane++) sums[lane] += e[8 + lane];      \
    }                                                                        \
    for (; i + 8 <= count; i += 8) {                                         \
        for (int lane = 0; lane < 8; lane++) {                               \
            float e;                                                         \
            EXP_LANE(values[i + lane] - shift, e);                           \
            values[i + lane] = e;                                            \
            sums[lane] += e;                                                 \
        }                                                                    \
    }                                                                        \
    float total = 0;                                                         \
    for (int lane = 0; lane < 8; lane++) total += sums[lane];                \
    for (; i < count; i++) {                                                 \
        float e;                                                             \
        EXP_LANE(values[i] - shift, e);                                      \
        values[i] = e;                                                       \
        total += e;                                                          \
    }                                                                        \
    return total;

#define BODY_SILU_GATE                                                       \
    for (size_t i = 0; i < count; i++) {                                     \
        float x = gate[i];                                                   \
        float e;                                                             \
        EXP_LANE(-x, e);                                                     \
        gate[i] = x / (1.0f + e) * up[i];                                    \
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
    }                                                                                                \
    attributes static double sum_scaled_exponentials_##suffix(const float *restrict values, size_t count, \
                                                              float shift, float scale) {            \
        BODY_SUM_SCALED_EXPONENTIALS                                                                 \
    }                                                                                                \
    attributes static float exponentiate_##suffix(float *restrict values, size_t count, float shift) { \
        BODY_EXPONENTIATE                                                                            \
    }                                                                                                \
    attributes static void magnitude_sums_##suffix(const float *restrict a, const float *restrict b,  \
                                                   const float *restrict keep, size_t count,          \
                                                   double *total, double *kept_total) {               \
        BODY_MAGNITUDE_SUMS                                                                          \
    }                                                                                                \
    attributes static void pack_nonzero_##suffix(const float *restrict values, uint8_t *restrict bits, \
                                                 size_t count) {                                     \
        BODY_PACK_NONZERO                                                                            \
    }                                                                                                \
    attributes static void unpack_bits_##suffix(const uint8_t *restrict bits, float *restrict values, \
                                                size_t count) {                                      \
        BODY_UNPACK_BITS                                                                             \
    }                                                                                                \
    attributes static void key_bounds_##suffix(const uint64_t *restrict entries, size_t count,         \
                                               uint32_t *restrict bounds) {                           \
        BODY_KEY_BOUNDS                                                                              \
    }                                                                                                \
    attributes static void silu_gate_##suffix(float *restrict gate, const float *restrict up,        \
                                              size_t count) {                                        \
        BODY_SILU_GATE                                                                               \
    }

DEFINE_VARIANTS(baseline, )
#if defined(__x86_64__)
DEFINE_VARIANTS(avx2, __attribute__((target("avx2"))))
DEFINE_VARIANTS(avx512, __attribute__((target("avx512f"))))
#endif

// -1 until the first call chooses.
static atomic_int chosen_level = -1;

int smelt_kernels_best_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
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
#define DISPATCH_RETURN(name, ...)                           \
    switch (smelt_kernels_level()) {                         \
    case 2:                                                  \
        return name##_avx512(__VA_ARGS__);                   \
    case 1:                                                  \
        return name##_avx2(__VA_ARGS__);                     \
    default:                                                 \
        return name##_baseline(__VA_ARGS__);                 \
    }
#else
#define DISPATCH_RETURN(name, ...) return name##_baseline(__VA_ARGS__);
#endif

#if defined(__x86_64__)
#define DISPATCH(name, ...)                                  \
    switch (smelt_kernels_level()) {                         \
    case 2:                                                  \
        name##_avx512(__VA_ARGS__);                          \
        break;                                               \
    case 1:                                                  \
        name##_avx2(__VA_ARGS__);                            \
        break;                                               \
    default:                                                 \
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

double smelt_sum_exponentials(const float *values, size_t count, float shift) {
    // (v - shift) * 1 is v - shift exactly: the same bits as an unscaled loop.
    DISPATCH_RETURN(sum_scaled_exponentials, values, count, shift, 1.0f)
}

float smelt_exponentiate(float *values, size_t count, float shift) {
    DISPATCH_RETURN(exponentiate, values, count, shift)
}

void smelt_silu_gate(float *gate, const float *up, size_t count) {
    DISPATCH(silu_gate, gate, up, count)
}

double smelt_sum_scaled_exponentials(const float *values, size_t count, float shift, float scale) {
    DISPATCH_RETURN(sum_scaled_exponentials, values, count, shift, scale)
}

void smelt_magnitude_sums(const float *a, const float *b, const float *keep, size_t count, double *total,
                          double *kept_total) {
    DISPATCH(magnitude_sums, a, b, keep, count, total, kept_total)
}

void smelt_pack_nonzero(const float *values, uint8_t *bits, size_t count) {
    DISPATCH(pack_nonzero, values, bits, count)
}

void smelt_unpack_bits(const uint8_t *bits, float *values, size_t count) {
    DISPATCH(unpack_bits, bits, values, count)
}

void smelt_key_bounds(const uint64_t *entries, size_t count, uint32_t *bounds) {
    DISPATCH(key_bounds, entries, count, bounds)
}
