#pragma once

#include <napi.h>

namespace nextx {

Napi::Value Conv2d(const Napi::CallbackInfo& info);

}  // namespace nextx
