{
  "targets": [
    {
      "target_name": "nextx_native_blas",
      "sources": ["native/addon.cc", "native/arguments.cc", "native/conv2d.cc", "native/dnnl-conv.cc", "native/gemm.cc", "native/group-norm.cc", "native/l2-normalize.cc", "native/layer-norm.cc", "native/logit-filters.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<!(node native/blas-flags.mjs include)"
      ],
      "libraries": ["<!@(node native/blas-flags.mjs libs)"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "<!@(node native/blas-flags.mjs defines)"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "MACOSX_DEPLOYMENT_TARGET": "11.0"
      }
    }
  ]
}
