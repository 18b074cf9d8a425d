#include "dnnl-conv.h"

#ifdef NEXTX_HAVE_DNNL
#include <omp.h>

#include <dnnl.hpp>
#endif

namespace nextx {

#ifdef NEXTX_HAVE_DNNL

namespace {

using dnnl::memory;
using Dims = memory::dims;

struct Runtime {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
};

Runtime& TheRuntime() {
  static Runtime runtime;
  return runtime;
}

// oneDNN counts dilation from 0 and wants the padding on both sides; the bottom/right one follows from the output size.
struct Window {
  Dims strides, dilation, padBefore, padAfter;
};

Window WindowOf(const Geometry& g) {
  const auto after = [](int64_t out, int64_t in, int64_t k, int64_t stride, int64_t dilation, int64_t before) {
    return (out - 1) * stride + (k - 1) * dilation + 1 - in - before;
  };
  return {{g.strideHeight, g.strideWidth},
          {g.dilationHeight - 1, g.dilationWidth - 1},
          {g.padTop, g.padLeft},
          {after(g.outHeight, g.inHeight, g.filterHeight, g.strideHeight, g.dilationHeight, g.padTop),
           after(g.outWidth, g.inWidth, g.filterWidth, g.strideWidth, g.dilationWidth, g.padLeft)}};
}

memory::desc Activations(int64_t batch, int64_t channels, int64_t height, int64_t width) {
  return {{batch, channels, height, width}, memory::data_type::f32, memory::format_tag::nhwc};
}

memory::desc Filter(const Geometry& g, memory::format_tag tag) {
  return {{g.outChannels, g.inChannels, g.filterHeight, g.filterWidth}, memory::data_type::f32, tag};
}

}  // namespace

std::string DnnlDescription() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
         " (OpenMP)";
}

void DnnlSetThreads(int count) { omp_set_num_threads(count); }

bool DnnlConvForward(const Geometry& g, const float* x, const float* w, const float* bias, float* y) {
  const Window window = WindowOf(g);
  if (window.padAfter[0] < 0 || window.padAfter[1] < 0) return false;
  try {
    Runtime& rt = TheRuntime();
    const memory::desc src = Activations(g.batch, g.inChannels, g.inHeight, g.inWidth);
    const memory::desc dst = Activations(g.batch, g.outChannels, g.outHeight, g.outWidth);
    const memory::desc filter = Filter(g, memory::format_tag::hwio);
    const memory::desc biasDesc = bias ? memory::desc({g.outChannels}, memory::data_type::f32, memory::format_tag::x)
                                       : memory::desc();
    // Weights in the layout the chosen kernel wants (`any`), reordered from HWIO on each call (primitives are cached
    // by oneDNN itself, so a repeated shape costs a lookup, not a JIT compile).
    const dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                               src, Filter(g, memory::format_tag::any), biasDesc, dst, window.strides,
                                               window.dilation, window.padBefore, window.padAfter);
    const dnnl::convolution_forward::primitive_desc pd(desc, rt.engine);
    memory source(src, rt.engine, const_cast<float*>(x));
    memory weights(filter, rt.engine, const_cast<float*>(w));
    memory output(dst, rt.engine, y);
    if (pd.weights_desc() != filter) {
      memory packed(pd.weights_desc(), rt.engine);
      dnnl::reorder(weights, packed).execute(rt.stream, weights, packed);
      weights = packed;
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, source}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, output}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(biasDesc, rt.engine, const_cast<float*>(bias)));
    dnnl::convolution_forward(pd).execute(rt.stream, args);
    rt.stream.wait();
    return true;
  } catch (const dnnl::error&) {
    return false;  // a geometry oneDNN does not implement: the caller's path computes it
  }
}

#else

std::string DnnlDescription() { return ""; }

void DnnlSetThreads(int) {}

bool DnnlConvForward(const Geometry&, const float*, const float*, const float*, float*) { return false; }

#endif

}  // namespace nextx
