// @nextx/native-blas: OpenBLAS single-precision products on memory that JavaScript owns (the wasm heap), in place,
// convolutions (oneDNN's forward pass where it is linked), and the normalisations that run between them (GroupNorm +
// SiLU of convolutional decoders, LayerNorm of transformers).
#include <cblas.h>
#include <napi.h>

#include "arguments.h"
#include "conv2d.h"
#include "dnnl-conv.h"
#include "gemm.h"
#include "group-norm.h"
#include "l2-normalize.h"
#include "layer-norm.h"
#include "logit-filters.h"

namespace nextx {

namespace {

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "native-blas: setThreads(count)");
  double count = info[0].As<Napi::Number>().DoubleValue();
  if (!(count >= 1 && count <= 256) || static_cast<double>(static_cast<int>(count)) != count) {
    throw Napi::RangeError::New(env, "native-blas: the thread count must be an integer from 1 to 256");
  }
  openblas_set_num_threads(static_cast<int>(count));
  DnnlSetThreads(static_cast<int>(count));
  return env.Undefined();
}

Napi::Value Threads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), openblas_get_num_threads());
}

// What was linked and what it chose at run time: build options, the kernel set for this CPU, the threading model.
Napi::Value Library(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("config", Napi::String::New(env, openblas_get_config()));
  out.Set("corename", Napi::String::New(env, openblas_get_corename()));
  int parallel = openblas_get_parallel();
  out.Set("parallel", Napi::String::New(env, parallel == 0 ? "sequential" : parallel == 1 ? "pthreads" : "openmp"));
  const std::string dnnl = DnnlDescription();
  out.Set("convolution", Napi::String::New(env, dnnl.empty() ? "im2col + OpenBLAS sgemm" : dnnl + " forward, im2col + OpenBLAS sgemm gradients"));
  return out;
}

}  // namespace

}  // namespace nextx

static Napi::Object InitNativeBlas(Napi::Env env, Napi::Object exports) {
  using namespace nextx;
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("conv2d", Napi::Function::New(env, Conv2d, "conv2d"));
  exports.Set("groupNorm", Napi::Function::New(env, GroupNorm, "groupNorm"));
  exports.Set("layerNorm", Napi::Function::New(env, LayerNorm, "layerNorm"));
  exports.Set("l2Normalize", Napi::Function::New(env, L2Normalize, "l2Normalize"));
  exports.Set("filterLogits", Napi::Function::New(env, FilterLogits, "filterLogits"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  exports.Set("library", Napi::Function::New(env, Library, "library"));
  return exports;
}

NODE_API_MODULE(nextx_native_blas, InitNativeBlas)
