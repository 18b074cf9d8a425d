#pragma once

#include <napi.h>

namespace nextx {

Napi::Value L2Normalize(const Napi::CallbackInfo& info);

}  // namespace nextx
