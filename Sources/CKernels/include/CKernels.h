#ifndef SMELT_KERNELS_H
#define SMELT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/// The few hot loops whose speed depends on the vector width (DESIGN.md,
/// "Layers": the C shims at the bottom). Each is compiled three times, for
/// the x86-64 baseline, AVX2 and AVX-512F, from one body; the widest variant
/// the CPU runs is chosen once, at the first call. All do the same IEEE
/// operations in the same order (no contraction into fused multiply-adds),
/// so the bytes they produce are the same.

/// Which variant the loops run: 0 the baseline, 1 AVX2, 2 AVX-512F (x86-64
/// only). Chosen at the first call: the best the CPU runs, or the baseline
/// when the environment has SMELT_KERNELS=baseline (for benchmarks).
int smelt_kernels_level(void);

/// The best level this CPU runs (2 on an x86-64 with AVX-512F, 1 with AVX2, else 0).
int smelt_kernels_best_level(void);

/// Forces a level (clamped to what the CPU runs); for tests and benchmarks
/// that compare the variants. Returns the level now in use.
int smelt_kernels_set_level(int level);

/// BFloat16 (little-endian, any alignment) to Float32: exact.
void smelt_decode_bf16(const void *source, float *destination, size_t count);

/// Float32 to BFloat16 (little-endian, any alignment), to nearest even; a
/// NaN stays a NaN (its quiet bit set when its top mantissa bits are zero).
void smelt_encode_bf16(const float *source, void *destination, size_t count);

/// accumulator[i] = (float)((double)accumulator[i] + weight * (double)values[i]):
/// one rounding of the exact a + w·x, as a fused multiply-add gives.
void smelt_accumulate_weighted(float *accumulator, const float *values, double weight, size_t count);

/// out[i] = (selected ? scale : 0·scale) · (a[i] − b[i]), selected when the
/// bit pattern of |a[i] − b[i]| is above `cut` (or equal to it, with
/// `including_equal`): a task vector pruned by magnitude and weighted.
void smelt_kept_task(const float *a, const float *b, uint32_t cut, int including_equal, float scale, float *out,
                     size_t count);

/// Σ e^(values[i] − shift), each exponential as VectorExponential.exp
/// computes it, summed in Float64 in eight lane accumulators (lane i takes
/// the values i, i + 8, …, up to the last whole eight) combined in lane
/// order, then the tail's values one by one.
double smelt_sum_exponentials(const float *values, size_t count, float shift);

/// Σ e^((values[i] − shift) · scale), summed as smelt_sum_exponentials.
double smelt_sum_scaled_exponentials(const float *values, size_t count, float shift, float scale);

/// values[i] ← e^(values[i] − shift); returns their Float32 sum, lanes as
/// for smelt_sum_exponentials.
float smelt_exponentiate(float *values, size_t count, float shift);

/// gate[i] ← gate[i] / (1 + e^−gate[i]) · up[i] (SiLU-gated units).
void smelt_silu_gate(float *gate, const float *up, size_t count);

/// *total = Σ |a[i] − b[i]| and *kept_total = Σ of the terms where
/// keep[i] ≠ 0, each in Float64 in index order (a pruned term adds +0, no
/// branch).
void smelt_magnitude_sums(const float *a, const float *b, const float *keep, size_t count, double *total,
                          double *kept_total);

/// Bit i of bits (bits[i / 8], least significant first) set where
/// values[i] ≠ 0; (count + 7) / 8 bytes.
void smelt_pack_nonzero(const float *values, uint8_t *bits, size_t count);

/// values[i] = 1 where bit i of bits is set, else 0 (the inverse of
/// smelt_pack_nonzero for 0/1 values).
void smelt_unpack_bits(const uint8_t *bits, float *values, size_t count);

/// Over the keys entries[i] >> 32: bounds[0] = their OR, bounds[1] their
/// AND, bounds[2] the lowest, bounds[3] the highest (for a radix sort: the
/// bits that vary, the range). An empty list gives 0, all ones, all ones, 0.
void smelt_key_bounds(const uint64_t *entries, size_t count, uint32_t *bounds);

#endif
