"""Times the official VAR code (github.com/FoundationVision/VAR) generating one class-conditional image on the CPU.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 var_official.py --code <VAR checkout> \
        --config depth4|d16 [--dir <folder with vae_ch160v4096z32.pth and var_d16.pth>] [--repeats 3] --out result.json

Run with Debian's python3-torch (1.13) and libopenblas0-pthread, as bench/var-generate.ts and bench/var-released.ts
do side by side with nextx (`--pytorch <checkout>`). Settings are theirs: cfg 1.5, top-k 900, top-p 0.96, class 3,
batch 1, VQVAE decode included; one warm-up, then the median of `--repeats`. `depth4` is random-initialised by the
official code (depth 4, width 256, heads 4, patch_nums 1..8, vocab 4096, Cvae 32, ch 32); `d16` loads the two files
when --dir is given (else random init of the same structure). The thread count is the process's
(OMP_NUM_THREADS / OPENBLAS_NUM_THREADS, also passed to torch.set_num_threads). `huggingface_hub`, which var.py imports
for its hub mixin only, is replaced by an empty stand-in. The result goes to --out (the official constructors print to
stdout).
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time
import types


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument('--code', required=True, help='checkout of github.com/FoundationVision/VAR')
    p.add_argument('--config', choices=['depth4', 'd16'], required=True)
    p.add_argument('--dir', help='folder with vae_ch160v4096z32.pth and var_d16.pth (d16)')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--out', required=True)
    return p.parse_args()


def openblas_corename():
    """The kernel set of the OpenBLAS that torch loaded (the same shared object, so the same choice)."""
    try:
        lib = ctypes.CDLL('libopenblas.so.0')
        lib.openblas_get_corename.restype = ctypes.c_char_p
        lib.openblas_get_config.restype = ctypes.c_char_p
        return {'corename': lib.openblas_get_corename().decode(), 'config': lib.openblas_get_config().decode()}
    except OSError as error:
        return {'error': str(error)}


def build(args, torch, nn):
    sys.path.insert(0, args.code)
    hub = types.ModuleType('huggingface_hub')
    hub.PyTorchModelHubMixin = type('PyTorchModelHubMixin', (), {})
    sys.modules['huggingface_hub'] = hub
    from models import build_vae_var
    from models.var import VAR
    from models.vqvae import VQVAE

    if args.config == 'd16':
        vae, var = build_vae_var(device='cpu', depth=16, flash_if_available=False, fused_if_available=False)
        if args.dir:
            # nn.Module's own load: the official VQVAE.load_state_dict passes `assign`, which torch 1.13 lacks.
            nn.Module.load_state_dict(vae, torch.load(os.path.join(args.dir, 'vae_ch160v4096z32.pth'), map_location='cpu'), strict=True)
            var.load_state_dict(torch.load(os.path.join(args.dir, 'var_d16.pth'), map_location='cpu'), strict=True)
        return vae, var
    patch_nums = (1, 2, 3, 4, 5, 6, 8)
    vae = VQVAE(vocab_size=4096, z_channels=32, ch=32, test_mode=True, share_quant_resi=4, v_patch_nums=patch_nums)
    var = VAR(vae_local=vae, num_classes=1000, depth=4, embed_dim=256, num_heads=4, drop_rate=0., attn_drop_rate=0.,
              drop_path_rate=0.1 * 4 / 24, norm_eps=1e-6, shared_aln=False, cond_drop_rate=0.1, attn_l2_norm=True,
              patch_nums=patch_nums, flash_if_available=False, fused_if_available=False)
    var.init_weights(init_adaln=0.5, init_adaln_gamma=1e-5, init_head=0.02, init_std=-1)
    return vae, var


def main():
    args = parse_args()
    import torch
    import torch.nn as nn

    threads = int(os.environ.get('OMP_NUM_THREADS', '0')) or torch.get_num_threads()
    torch.set_num_threads(threads)
    vae, var = build(args, torch, nn)
    vae.eval()
    var.eval()
    label = torch.tensor([3])

    def generate(seed):
        with torch.inference_mode():
            image = var.autoregressive_infer_cfg(B=1, label_B=label, g_seed=seed, cfg=1.5, top_k=900, top_p=0.96, more_smooth=False)
        return image

    generate(0)
    times, cpu = [], []
    for i in range(args.repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        generate(i + 1)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    result = {
        'config': args.config,
        'threads': threads,
        'torch': torch.__version__,
        'openblas': openblas_corename(),
        'msPerImage': round(statistics.median(times), 1),
        'timesMs': [round(t, 1) for t in times],
        # CPU time of all the process's threads: on a loaded machine wall time grows, this much less (one thread).
        'cpuMsPerImage': round(statistics.median(cpu), 1),
        'parameters': {'vqvae': sum(p.numel() for p in vae.parameters()), 'var': sum(p.numel() for p in var.parameters())},
    }
    with open(args.out, 'w') as f:
        json.dump(result, f)


if __name__ == '__main__':
    main()
