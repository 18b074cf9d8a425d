#pragma once

#include <napi.h>

namespace nextx {

Napi::Value FilterLogits(const Napi::CallbackInfo& info);

}  // namespace nextx
