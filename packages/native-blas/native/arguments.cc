#include "arguments.h"

#include <cmath>
#include <string>

namespace nextx {

namespace {

constexpr uint64_t kProductLimit = uint64_t{1} << 62;

std::string Quote(const char* name) { return std::string("'") + name + "'"; }

}  // namespace

Heap HeapArgument(const Napi::Env& env, const Napi::Value& value) {
  if (value.IsTypedArray()) {
    // napi_get_typedarray_info, not TypedArray::ArrayBuffer().Data(): the latter refuses a SharedArrayBuffer, which
    // is what the threaded wasm build's memory is.
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    napi_value buffer;
    size_t byteOffset = 0;
    napi_status status = napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &byteOffset);
    if (status != napi_ok) throw Napi::TypeError::New(env, "native-blas: could not read the heap's typed array");
    return Heap{static_cast<uint8_t*>(data), static_cast<uint64_t>(value.As<Napi::TypedArray>().ByteLength())};
  }
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    return Heap{static_cast<uint8_t*>(buffer.Data()), static_cast<uint64_t>(buffer.ByteLength())};
  }
  throw Napi::TypeError::New(env, "native-blas: the heap must be an ArrayBuffer or a typed array (the wasm memory)");
}

Napi::Object KernelOptions(const Napi::CallbackInfo& info, const char* usage) {
  if (info.Length() != 2 || !info[1].IsObject()) throw Napi::TypeError::New(info.Env(), usage);
  return info[1].As<Napi::Object>();
}

int64_t IntegerField(const Napi::Object& object, const char* name, int64_t min, int64_t max) {
  Napi::Env env = object.Env();
  Napi::Value value = object.Get(name);
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(env, "native-blas: " + Quote(name) + " must be a number");
  }
  double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::floor(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    throw Napi::RangeError::New(env, "native-blas: " + Quote(name) + " must be an integer from " + std::to_string(min) +
                                         " to " + std::to_string(max) + "; got " + value.ToString().Utf8Value());
  }
  return static_cast<int64_t>(number);
}

bool BooleanField(const Napi::Object& object, const char* name) {
  Napi::Value value = object.Get(name);
  if (!value.IsBoolean()) {
    throw Napi::TypeError::New(object.Env(), "native-blas: " + Quote(name) + " must be a boolean");
  }
  return value.As<Napi::Boolean>().Value();
}

bool HasField(const Napi::Object& object, const char* name) {
  return object.Has(name) && !object.Get(name).IsUndefined();
}

uint64_t CheckedProduct(const Napi::Env& env, std::initializer_list<uint64_t> factors, const char* what) {
  uint64_t result = 1;
  for (uint64_t factor : factors) {
    if (factor != 0 && result > kProductLimit / factor) {
      throw Napi::RangeError::New(env, std::string("native-blas: ") + what + " is too large");
    }
    result *= factor;
  }
  return result;
}

uint64_t CheckedSum(const Napi::Env& env, uint64_t a, uint64_t b, const char* what) {
  if (a > kProductLimit || b > kProductLimit - a) {
    throw Napi::RangeError::New(env, std::string("native-blas: ") + what + " is too large");
  }
  return a + b;
}

FloatRange FloatRangeField(const Napi::Object& object, const Heap& heap, const char* name, uint64_t elements) {
  Napi::Env env = object.Env();
  int64_t offset = IntegerField(object, name, 0, int64_t{1} << 53);
  if (offset % 4 != 0) {
    throw Napi::RangeError::New(env, "native-blas: " + Quote(name) + " byte offset " + std::to_string(offset) +
                                         " is not a multiple of 4 (float32)");
  }
  uint64_t bytes = CheckedProduct(env, {elements, 4}, name);
  uint64_t end = CheckedSum(env, static_cast<uint64_t>(offset), bytes, name);
  if (end > heap.bytes) {
    throw Napi::RangeError::New(env, "native-blas: " + Quote(name) + " [" + std::to_string(offset) + ", " +
                                         std::to_string(end) + ") lies outside the heap of " +
                                         std::to_string(heap.bytes) + " bytes");
  }
  return FloatRange{reinterpret_cast<float*>(heap.data + offset), elements};
}

void CheckNoOverlap(const Napi::Env& env, const FloatRange& output, const FloatRange& input, const char* outputName,
                    const char* inputName) {
  const float* outputEnd = output.data + output.elements;
  const float* inputEnd = input.data + input.elements;
  if (output.elements > 0 && input.elements > 0 && output.data < inputEnd && input.data < outputEnd) {
    throw Napi::RangeError::New(env, "native-blas: output " + Quote(outputName) + " overlaps input " +
                                         Quote(inputName));
  }
}

double EpsField(const Napi::Object& object) {
  Napi::Env env = object.Env();
  Napi::Value value = object.Get("eps");
  double eps = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : -1;
  if (!(eps >= 0 && std::isfinite(eps))) throw Napi::RangeError::New(env, "native-blas: 'eps' must be a finite non-negative number");
  return eps;
}

const float* OptionalVector(const Napi::Object& object, const Heap& heap, const FloatRange& output, const char* name,
                            uint64_t elements) {
  if (!HasField(object, name)) return nullptr;
  FloatRange range = FloatRangeField(object, heap, name, elements);
  CheckNoOverlap(object.Env(), output, range, "y", name);
  return range.data;
}

RowKernelArguments RowArguments(const Napi::Object& object, const Heap& heap) {
  Napi::Env env = object.Env();
  const int64_t rows = IntegerField(object, "rows", 1, kMaxDimension);
  const int64_t dim = IntegerField(object, "dim", 1, kMaxDimension);
  const double eps = EpsField(object);
  const uint64_t total = CheckedProduct(env, {uint64_t(rows), uint64_t(dim)}, "rows·dim");
  FloatRange x = FloatRangeField(object, heap, "x", total);
  FloatRange y = FloatRangeField(object, heap, "y", total);
  CheckNoOverlap(env, y, x, "y", "x");
  return {rows, dim, eps, x, y};
}

}  // namespace nextx
