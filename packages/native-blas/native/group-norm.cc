#include "group-norm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "arguments.h"
#include "vector-math.h"
#include "vectorize.h"

namespace nextx {

namespace {

// sums[c] += Σ_p x[p·C + c]  (float64 accumulation)
NEXTX_VECTOR_CLONES
void ChannelSums(const float* x, int64_t positions, int64_t channels, double* sums) {
  for (int64_t p = 0; p < positions; p++) {
    const float* row = x + p * channels;
    for (int64_t c = 0; c < channels; c++) sums[c] += row[c];
  }
}

// sums[c] += Σ_p (x[p·C + c] − mean[c])²
NEXTX_VECTOR_CLONES
void CenteredSquareSums(const float* x, int64_t positions, int64_t channels, const double* mean, double* sums) {
  for (int64_t p = 0; p < positions; p++) {
    const float* row = x + p * channels;
    for (int64_t c = 0; c < channels; c++) {
      const double d = row[c] - mean[c];
      sums[c] += d * d;
    }
  }
}

// y = (x − mean)·scale + shift per channel, then y·sigmoid(y) when silu.
NEXTX_VECTOR_CLONES
void Normalize(const float* x, float* y, int64_t positions, int64_t channels, const float* mean, const float* scale,
               const float* shift, bool silu) {
  for (int64_t p = 0; p < positions; p++) {
    const float* in = x + p * channels;
    float* out = y + p * channels;
    if (silu) {
      for (int64_t c = 0; c < channels; c++) {
        const float v = (in[c] - mean[c]) * scale[c] + shift[c];
        out[c] = v / (1.0f + VectorExp(-v));
      }
    } else {
      for (int64_t c = 0; c < channels; c++) out[c] = (in[c] - mean[c]) * scale[c] + shift[c];
    }
  }
}

// The group of each channel's statistic: per-channel sums → the group's mean of them, repeated over its channels.
void GroupAverage(std::vector<double>& perChannel, int64_t groups, double count) {
  const int64_t perGroup = static_cast<int64_t>(perChannel.size()) / groups;
  for (int64_t g = 0; g < groups; g++) {
    double sum = 0;
    for (int64_t i = 0; i < perGroup; i++) sum += perChannel[g * perGroup + i];
    std::fill(perChannel.begin() + g * perGroup, perChannel.begin() + (g + 1) * perGroup, sum / count);
  }
}

void GroupNormSample(const float* x, float* y, int64_t positions, int64_t channels, int64_t groups, double eps,
                     const float* weight, const float* bias, bool silu) {
  const double count = static_cast<double>(positions) * static_cast<double>(channels / groups);
  std::vector<double> mean(channels, 0.0), variance(channels, 0.0);
  ChannelSums(x, positions, channels, mean.data());
  GroupAverage(mean, groups, count);
  CenteredSquareSums(x, positions, channels, mean.data(), variance.data());
  GroupAverage(variance, groups, count);
  std::vector<float> meanF(channels), scale(channels), shift(channels);
  for (int64_t c = 0; c < channels; c++) {
    meanF[c] = static_cast<float>(mean[c]);
    scale[c] = static_cast<float>(1.0 / std::sqrt(variance[c] + eps)) * (weight ? weight[c] : 1.0f);
    shift[c] = bias ? bias[c] : 0.0f;
  }
  Normalize(x, y, positions, channels, meanF.data(), scale.data(), shift.data(), silu);
}

}  // namespace

// groupNorm(heap, {batch, positions, channels, groups, eps, silu, x, y, weight?, bias?}): torch.nn.GroupNorm of
// channels-last x [batch, positions, channels] into y (channels in `groups` contiguous groups, each (sample, group)
// normalised over its positions and channels with the biased variance, two-pass in float64), then the per-channel
// weight and bias, then SiLU when `silu`. Offsets are bytes into the heap; y must not overlap x, weight or bias.
Napi::Value GroupNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object args = KernelOptions(info, "native-blas: groupNorm(heap, {batch, positions, channels, groups, eps, silu, x, y, weight?, bias?})");
  Heap heap = HeapArgument(env, info[0]);
  const int64_t batch = IntegerField(args, "batch", 1, kMaxDimension);
  const int64_t positions = IntegerField(args, "positions", 1, kMaxDimension);
  const int64_t channels = IntegerField(args, "channels", 1, kMaxDimension);
  const int64_t groups = IntegerField(args, "groups", 1, channels);
  if (channels % groups != 0) throw Napi::RangeError::New(env, "native-blas: groupNorm: channels must be a multiple of groups");
  const double eps = EpsField(args);
  const bool silu = BooleanField(args, "silu");
  const uint64_t sample = CheckedProduct(env, {uint64_t(positions), uint64_t(channels)}, "positions·channels");
  const uint64_t total = CheckedProduct(env, {uint64_t(batch), sample}, "batch·positions·channels");
  FloatRange x = FloatRangeField(args, heap, "x", total);
  FloatRange y = FloatRangeField(args, heap, "y", total);
  CheckNoOverlap(env, y, x, "y", "x");
  const float* weight = OptionalVector(args, heap, y, "weight", uint64_t(channels));
  const float* bias = OptionalVector(args, heap, y, "bias", uint64_t(channels));
  for (int64_t b = 0; b < batch; b++) {
    GroupNormSample(x.data + b * sample, y.data + b * sample, positions, channels, groups, eps, weight, bias, silu);
  }
  return env.Undefined();
}

}  // namespace nextx
