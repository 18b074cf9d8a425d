#pragma once

#include <napi.h>

namespace nextx {

Napi::Value GroupNorm(const Napi::CallbackInfo& info);

}  // namespace nextx
