// Argument checks for the addon's entry points: every offset, length and dimension that comes from JavaScript is
// validated against the heap it addresses before any memory is touched, and a bad one becomes a JS exception
// naming the argument (never a crash).
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>

namespace nextx {

// The largest dimension or leading dimension cblas_sgemm takes (OpenBLAS's default 32-bit blasint).
constexpr int64_t kMaxDimension = 2147483647;

// The bytes the caller handed over: the wasm Memory's buffer (ArrayBuffer or, for the threaded build,
// SharedArrayBuffer), or a typed array over it.
struct Heap {
  uint8_t* data;
  uint64_t bytes;
};

// A float32 range inside the heap, by element.
struct FloatRange {
  float* data;
  uint64_t elements;
};

Heap HeapArgument(const Napi::Env& env, const Napi::Value& value);

// The options object of a kernel entry called as (heap, {…}); any other call throws a TypeError with `usage`.
Napi::Object KernelOptions(const Napi::CallbackInfo& info, const char* usage);

// An integer property in [min, max]; a missing, fractional or out-of-range one throws a RangeError naming it.
int64_t IntegerField(const Napi::Object& object, const char* name, int64_t min, int64_t max);

bool BooleanField(const Napi::Object& object, const char* name);

// Whether an optional property is given (present and not undefined).
bool HasField(const Napi::Object& object, const char* name);

// The product of non-negative factors, or a RangeError naming `what` when it overflows 2^62.
uint64_t CheckedProduct(const Napi::Env& env, std::initializer_list<uint64_t> factors, const char* what);

uint64_t CheckedSum(const Napi::Env& env, uint64_t a, uint64_t b, const char* what);

// `elements` floats at byte offset field `name` of `object`: the offset must be a multiple of 4 and the whole range
// must lie inside the heap.
FloatRange FloatRangeField(const Napi::Object& object, const Heap& heap, const char* name, uint64_t elements);

// Throws when the output range shares bytes with an input range (sgemm's result would be undefined).
void CheckNoOverlap(const Napi::Env& env, const FloatRange& output, const FloatRange& input, const char* outputName,
                    const char* inputName);

// The 'eps' property: a finite number ≥ 0, else a RangeError.
double EpsField(const Napi::Object& object);

// An optional float range of `elements` (a per-feature vector), checked not to overlap `output` (named y); nullptr
// when absent.
const float* OptionalVector(const Napi::Object& object, const Heap& heap, const FloatRange& output, const char* name,
                            uint64_t elements);

// The arguments every row-wise kernel takes (layerNorm, l2Normalize): rows, dim, eps, and x and y of rows·dim floats,
// y not overlapping x.
struct RowKernelArguments {
  int64_t rows;
  int64_t dim;
  double eps;
  FloatRange x;
  FloatRange y;
};

RowKernelArguments RowArguments(const Napi::Object& object, const Heap& heap);

}  // namespace nextx
