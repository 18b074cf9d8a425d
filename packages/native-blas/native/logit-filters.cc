#include "logit-filters.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "arguments.h"

namespace nextx {

namespace {

constexpr float kRemoved = -std::numeric_limits<float>::infinity();

// The order-preserving unsigned key of a float's bits and back.
inline uint32_t KeyOf(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits & 0x80000000u ? ~bits : bits | 0x80000000u;
}

inline float ValueOf(uint32_t key) {
  const uint32_t bits = key & 0x80000000u ? key & 0x7fffffffu : ~key;
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

// row's values in ascending order into `sorted` (LSD radix sort of the keys, 4 byte passes, a shared byte skipped).
void SortAscending(const float* row, int64_t n, std::vector<uint32_t>& keys, std::vector<uint32_t>& swap, std::vector<float>& sorted) {
  keys.resize(static_cast<size_t>(n));
  swap.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) keys[i] = KeyOf(row[i]);
  uint32_t* from = keys.data();
  uint32_t* to = swap.data();
  for (int shift = 0; shift < 32; shift += 8) {
    int64_t counts[256] = {0};
    for (int64_t i = 0; i < n; i++) counts[(from[i] >> shift) & 0xff]++;
    if (counts[(from[0] >> shift) & 0xff] == n) continue;
    int64_t start = 0;
    for (int b = 0; b < 256; b++) {
      const int64_t c = counts[b];
      counts[b] = start;
      start += c;
    }
    for (int64_t i = 0; i < n; i++) to[counts[(from[i] >> shift) & 0xff]++] = from[i];
    std::swap(from, to);
  }
  sorted.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) sorted[i] = ValueOf(from[i]);
}

// One row, top-k then top-p from a single ascending sort of the row, as core's topKInPlace and topPInPlace compute
// them: the k-th largest is sorted[vocab − k] (entries below it go, ties stay); top-p then runs over the finite
// entries left — their float64 softmax terms e^(x − max) summed in ascending order, the smallest removed while their
// cumulative share stays ≤ 1 − p (never the largest), the lowest indices first within a run of equal values.
struct RowScratch {
  std::vector<uint32_t> keys, swap;
  std::vector<float> sorted;
  std::vector<double> exps;
};

void FilterRow(float* row, int64_t vocab, int64_t k, double p, RowScratch& s) {
  const bool useK = k > 0 && k < vocab;
  const bool useP = p > 0 && p < 1;
  SortAscending(row, vocab, s.keys, s.swap, s.sorted);
  const float* sorted = s.sorted.data();
  const float kth = useK ? sorted[vocab - k] : kRemoved;
  // The entries top-p sees: finite and, with top-k, not below the k-th (ties with it included).
  int64_t begin = std::lower_bound(sorted, sorted + vocab, kth) - sorted;
  while (begin < vocab && sorted[begin] == kRemoved) begin++;
  float threshold = kRemoved;
  int64_t equalToRemove = 0;
  const int64_t n = vocab - begin;
  if (useP && n >= 2) {
    const float* kept = sorted + begin;
    const double max = kept[n - 1];
    s.exps.resize(static_cast<size_t>(n));
    double sum = 0;
    for (int64_t j = 0; j < n; j++) sum += s.exps[j] = std::exp(static_cast<double>(kept[j]) - max);
    double cumulative = 0;
    int64_t removed = 0;
    for (; removed < n - 1; removed++) {
      cumulative += s.exps[removed] / sum;
      if (cumulative > 1 - p) break;
    }
    if (removed > 0) {
      threshold = kept[removed - 1];
      int64_t below = 0;
      while (kept[below] < threshold) below++;
      equalToRemove = removed - below;
    }
  }
  for (int64_t i = 0; i < vocab; i++) {
    const float v = row[i];
    if (v < kth || v < threshold) {
      row[i] = kRemoved;
    } else if (v == threshold && equalToRemove > 0) {
      row[i] = kRemoved;
      equalToRemove--;
    }
  }
}

}  // namespace

// filterLogits(heap, {rows, vocab, values, topK, topP}): top-k (0 or ≥ vocab: off), then top-p (≤ 0 or ≥ 1: off) of
// the float32 logits [rows, vocab] at byte offset `values`, in place — the categorical sampler's two costliest
// filters, on its host copy of the logits. Agrees with core's topKInPlace and topPInPlace entry for entry, except
// where a cumulative share falls within float64 rounding of 1 − p (e^x here is the C library's, there V8's).
Napi::Value FilterLogits(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object args = KernelOptions(info, "native-blas: filterLogits(heap, {rows, vocab, values, topK, topP})");
  Heap heap = HeapArgument(env, info[0]);
  const int64_t rows = IntegerField(args, "rows", 1, kMaxDimension);
  const int64_t vocab = IntegerField(args, "vocab", 1, kMaxDimension);
  const int64_t topK = IntegerField(args, "topK", 0, int64_t{1} << 53);
  Napi::Value pValue = args.Get("topP");
  const double topP = pValue.IsNumber() ? pValue.As<Napi::Number>().DoubleValue() : std::nan("");
  if (!std::isfinite(topP)) throw Napi::TypeError::New(env, "native-blas: 'topP' must be a finite number");
  FloatRange values = FloatRangeField(args, heap, "values", CheckedProduct(env, {uint64_t(rows), uint64_t(vocab)}, "rows·vocab"));
  RowScratch scratch;
  const bool any = (topK > 0 && topK < vocab) || (topP > 0 && topP < 1);
  for (int64_t r = 0; any && r < rows; r++) FilterRow(values.data + r * vocab, vocab, topK, topP, scratch);
  return env.Undefined();
}

}  // namespace nextx
