#pragma once

#include <napi.h>

namespace nextx {

Napi::Value LayerNorm(const Napi::CallbackInfo& info);

}  // namespace nextx
