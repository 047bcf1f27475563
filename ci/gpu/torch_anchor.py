#!/usr/bin/env python3
"""PyTorch speed anchor for the kernel benchmarks: scaled_dot_product_attention at the shapes
GpuKernelBench uses (B=1, H=4, Dh=128, T from 1k to 64k), fp32 and bf16, and an fp32 SGEMM,
timed with CUDA events (median of repeats after warm-up). Writes CSV rows like GpuKernelBench."""
import sys
import torch
import torch.nn.functional as F


def timed(fn, repeats):
    fn(); fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record(); fn(); end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    times.sort()
    return times[len(times) // 2]


def main(out_path):
    rows = ["kernel,shape,ms_median,floor_ms,achieved_fraction_of_floor"]
    dev = torch.device("cuda")
    rows.append(f"# torch {torch.__version__} on {torch.cuda.get_device_name(0)}")
    for dtype, name in ((torch.float32, "fp32"), (torch.bfloat16, "bf16")):
        for t in (1024, 4096, 16384, 65536):
            q, k, v = (torch.randn(1, 4, t, 128, device=dev, dtype=dtype) for _ in range(3))
            ms = timed(lambda: F.scaled_dot_product_attention(q, k, v), 2 if t >= 65536 else 5)
            rows.append(f"torch_sdpa_{name},B=1 T={t} H=4 Dh=128,{ms:.4f},,")
            del q, k, v
    torch.backends.cuda.matmul.allow_tf32 = False
    for s in (1024, 4096):
        a, b = torch.randn(s, s, device=dev), torch.randn(s, s, device=dev)
        ms = timed(lambda: a @ b, 10)
        rows.append(f"torch_sgemm,{s}x{s}x{s},{ms:.4f},,{2 * s ** 3 / ms / 1e9:.1f} TFLOP/s")
    with open(out_path, "w") as f:
        f.write("\n".join(rows) + "\n")
    print("\n".join(rows))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "torch-anchor.csv")
