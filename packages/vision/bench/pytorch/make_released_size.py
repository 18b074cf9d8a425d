"""Writes files of the released VAR-d16 structure from the official code's own random initialisation.

    /usr/bin/python3 make_released_size.py <checkout of github.com/FoundationVision/VAR> <out dir>

The authors' release files (vae_ch160v4096z32.pth, var_d16.pth) cannot be downloaded here; build_vae_var(depth=16)
with its init_weights gives state dicts of the same names, shapes and dtypes (436 MB + 1.24 GB), saved with
torch.save as the release files are. build_vae_var switches PyTorch's default initialisation off (it expects the
VQVAE to be loaded from the release file), which leaves the VQVAE's convolutions as uninitialised memory (NaN and
Inf among them, and then no image); they get PyTorch's default initialisation back here. For bench/var-released.ts only; never commit the output. `huggingface_hub`
is replaced by an empty stand-in (var.py imports it for its hub mixin only).
"""
import os
import sys
import types

sys.path.insert(0, sys.argv[1])
hub = types.ModuleType('huggingface_hub')
hub.PyTorchModelHubMixin = type('PyTorchModelHubMixin', (), {})
sys.modules['huggingface_hub'] = hub

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from models import build_vae_var  # noqa: E402

out = sys.argv[2]
os.makedirs(out, exist_ok=True)
torch.manual_seed(0)
DEFAULT_INIT = {clz: clz.reset_parameters for clz in (nn.Linear, nn.LayerNorm, nn.Conv2d)}
vae, var = build_vae_var(device='cpu', depth=16, flash_if_available=False, fused_if_available=False)
with torch.no_grad():
    for module in vae.modules():
        for clz, reset in DEFAULT_INIT.items():
            if isinstance(module, clz):  # Phi (quant_resi) is a Conv2d subclass
                reset(module)
bad = [k for k, v in {**vae.state_dict(), **var.state_dict()}.items() if v.is_floating_point() and not torch.isfinite(v).all()]
assert bad == ['attn_bias_for_masking'], f'non-finite values in {bad}'  # the mask's -inf is meant
torch.save(vae.state_dict(), os.path.join(out, 'vae_ch160v4096z32.pth'))
torch.save(var.state_dict(), os.path.join(out, 'var_d16.pth'))
