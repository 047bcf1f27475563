#!/usr/bin/env python3
"""One training step of Speech-Mamba (or its Transformer baseline) in plain PyTorch eager, timed like
the Java bench (`speech-mamba bench train-step`, dev.speechmamba.bench.TrainStepBench), with the same
CSV columns.

The model mirrors runtime/src/main/java/dev/speechmamba/model/ layer for layer (parameter names and
counts included): conv front end (3 conv2d blocks, 4x subsampling, Linear, sinusoidal positions,
dropout); Speech-Mamba layers Mamba -> x + Dropout(MHA(RMSNorm(x))) -> Mamba (cross-attention in the
decoder), or Transformer layers; encoder LayerNorm + CTC head; decoder embedding*sqrt(d) + positions,
LayerNorm + head. Loss = ctc_weight * sum CTC / B + (1 - ctc_weight) * sum CE(y + <eos>) / B
(blank 0, <sos>/<eos> = V-1). Step = zero grads, forward, backward, clip_grad_norm_(5.0),
Adam(betas=(0.9, 0.98), eps=1e-9), fp32 with TF32 off; every step's loss and gradient norm must be
finite. Each step is timed on the wall clock up to torch.cuda.synchronize(), as the Java bench does.

Selective scan variants (column `scan`):
  sequential             a Python loop over time of the (B, Di, N) state: PyTorch eager as written
  sequential-checkpoint  the same inside torch.utils.checkpoint (recomputed in backward; less memory),
                         run automatically when `sequential` runs out of memory
  mamba_ssm              mamba_ssm's fused selective_scan_fn, only when `import mamba_ssm` works
Weights use the config's init (xavier: xavier_normal_ on every parameter of rank >= 2, as the Java
model); the random numbers differ from Java's, so losses are comparable in size, not equal.

Usage: torch_train_step.py --device cuda --config paper --batch 8 --seconds 10 --target-length 40 \
           --warmup 3 --steps 10 --out torch-train-step.csv
"""
import argparse
import datetime
import gc
import json
import math
import os
import statistics
import sys
import time

CSV_HEADER = ("impl,config,device,card,params,batch,seconds,target_len,encoder_frames,warmup,steps,median_ms,min_ms,"
              "utt_per_s,audio_s_per_s,peak_mb,loss_first,loss_last,scan,date,status")
FRAMES_PER_SECOND = 100
CLIP_NORM = 5.0
PAPER_PARAMS = 67_617_808  # the Java model's count for configs/paper.json
CONFIG_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "runtime", "src", "main",
                          "resources", "dev", "speechmamba", "configs")


# ---------------------------------------------------------------- config

def load_config(name_or_path):
    path = name_or_path
    if not (name_or_path.endswith(".json") or os.path.isfile(name_or_path)):
        path = os.path.join(CONFIG_DIR, name_or_path + ".json")
    if not os.path.isfile(path):
        raise SystemExit(f"torch_train_step: no model config '{name_or_path}' (looked for {os.path.normpath(path)})")
    with open(path) as f:
        cfg = json.load(f)
    for key in ("name", "architecture", "features", "front_end_channels", "d_model", "heads", "encoder_layers",
                "decoder_layers", "vocab_size", "dropout", "ctc_weight", "label_smoothing", "init"):
        if key not in cfg:
            raise SystemExit(f"torch_train_step: config {path} has no '{key}'")
    if cfg["architecture"] == "speech-mamba" and "mamba" not in cfg:
        raise SystemExit(f"torch_train_step: Speech-Mamba config {path} has no 'mamba' sizes")
    if cfg["architecture"] == "transformer" and not cfg.get("ffn_dim"):
        raise SystemExit(f"torch_train_step: Transformer config {path} has no 'ffn_dim'")
    if cfg["architecture"] not in ("speech-mamba", "transformer"):
        raise SystemExit(f"torch_train_step: unknown architecture '{cfg['architecture']}' in {path}")
    return cfg


def strided(n):
    """Output length of a kernel-5, stride-2, padding-2 conv: ceil(n / 2) (ConvFrontEnd.strided)."""
    return (n + 2 * 2 - 5) // 2 + 1


def expected_params(cfg):
    """The Java model's parameter count, term by term as its layers register them."""
    d, v, c = cfg["d_model"], cfg["vocab_size"], cfg["front_end_channels"]
    f4 = strided(strided(cfg["features"]))
    front = (c * 25 + c) + (c * c * 25 + c) + (c * c + c) + (c * f4 * d + d)
    total = front + 2 * d + (d * v + v) + v * d + 2 * d + (d * v + v)
    attention = 4 * (d * d + d)
    if cfg["architecture"] == "speech-mamba":
        m = cfg["mamba"]
        di, n, r, k = m["d_inner"], m["d_state"], m["dt_rank"], m["conv_kernel"]
        mamba = d + 2 * di * d + di * k + di + (r + 2 * n) * di + di * r + di + di * n + di + d * di
        layer = 2 * mamba + d + attention
        total += (cfg["encoder_layers"] + cfg["decoder_layers"]) * layer
    else:
        h = cfg["ffn_dim"]
        ffn = 2 * d + (d * h + h) + (h * d + d)
        total += cfg["encoder_layers"] * (2 * d + attention + ffn)
        total += cfg["decoder_layers"] * (2 * (2 * d + attention) + ffn)
    return total


# ---------------------------------------------------------------- model

def build(torch, cfg, scan_kind, selective_scan_fn):
    nn, F = torch.nn, torch.nn.functional

    def positions(length, d, device):
        """Sinusoidal table (length, d): sin at even, cos at odd columns (SinusoidalPositions)."""
        t = torch.arange(length, dtype=torch.float64)[:, None]
        freq = torch.exp(-math.log(10000.0) * 2 * torch.arange(d // 2, dtype=torch.float64) / d)
        pe = torch.zeros(length, d, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(t * freq)
        pe[:, 1::2] = torch.cos(t * freq)
        return pe.to(device=device, dtype=torch.float32)

    class RMSNorm(nn.Module):
        def __init__(self, d, eps=1e-5):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(d))
            self.eps = eps

        def forward(self, x):
            return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight

    def norm(kind, d):
        return RMSNorm(d) if kind == "rms" else nn.LayerNorm(d, eps=1e-5)

    class ConvFrontEnd(nn.Module):
        def __init__(self, features, c, d, p):
            super().__init__()
            self.conv1 = nn.Conv2d(1, c, 5, 2, 2)
            self.conv2 = nn.Conv2d(c, c, 5, 2, 2)
            self.conv3 = nn.Conv2d(c, c, 1)
            self.out = nn.Linear(c * strided(strided(features)), d)
            self.dropout = nn.Dropout(p)
            self.d = d

        def forward(self, x, frame_lengths):
            """x (B, T, F) zero past each row's length; frame_lengths: host ints. Returns (B, T'', d), lengths."""
            h1 = F.relu(self.conv1(x.unsqueeze(1)))                      # (B, C, T1, F1)
            lengths1 = [strided(n) for n in frame_lengths]
            if min(lengths1) < h1.shape[2]:
                valid = torch.arange(h1.shape[2], device=x.device)[None, :] < torch.tensor(lengths1, device=x.device)[:, None]
                h1 = h1 * valid[:, None, :, None].to(h1.dtype)
            h2 = F.relu(self.conv2(h1))                                  # (B, C, T2, F2)
            h3 = h2 + F.relu(self.conv3(h2))
            b, c, t2, f2 = h3.shape
            flat = h3.permute(0, 2, 1, 3).reshape(b, t2, c * f2)         # (B, T2, C*F2)
            out = self.dropout(self.out(flat) + positions(t2, self.d, x.device))
            return out, [strided(n) for n in lengths1]

    def scan_sequential(u, delta, a, bm, cm, d_skip, z, delta_bias):
        """u, delta, z (B, Di, T); a (Di, N); bm, cm (B, N, T). The plain recurrence, one time step per iteration."""
        delta = F.softplus(delta + delta_bias[None, :, None])
        delta_t = delta.permute(2, 0, 1)                                 # (T, B, Di)
        du_t = (delta * u).permute(2, 0, 1)                              # (T, B, Di)
        b_t = bm.permute(2, 0, 1)                                        # (T, B, N)
        c_t = cm.permute(2, 0, 1)                                        # (T, B, N)
        state = u.new_zeros(u.shape[0], u.shape[1], a.shape[1])          # (B, Di, N)
        ys = []
        for i in range(u.shape[2]):
            state = torch.exp(delta_t[i].unsqueeze(-1) * a) * state + du_t[i].unsqueeze(-1) * b_t[i].unsqueeze(1)
            ys.append(torch.bmm(state, c_t[i].unsqueeze(-1)).squeeze(-1))  # (B, Di)
        y = torch.stack(ys, dim=-1) + d_skip[None, :, None] * u          # (B, Di, T)
        return y * F.silu(z)

    def scan_checkpointed(*args):
        from torch.utils.checkpoint import checkpoint
        return checkpoint(scan_sequential, *args, use_reentrant=False)

    def scan_fused(u, delta, a, bm, cm, d_skip, z, delta_bias):
        return selective_scan_fn(u.contiguous(), delta.contiguous(), a.contiguous(), bm.contiguous(), cm.contiguous(),
                                 d_skip.float(), z=z.contiguous(), delta_bias=delta_bias.float(), delta_softplus=True)

    scan = {"sequential": scan_sequential, "sequential-checkpoint": scan_checkpointed, "mamba_ssm": scan_fused}[scan_kind]

    class MambaMixer(nn.Module):
        def __init__(self, d, m):
            super().__init__()
            di, n, r, k = m["d_inner"], m["d_state"], m["dt_rank"], m["conv_kernel"]
            self.di, self.n, self.r = di, n, r
            self.in_proj = nn.Linear(d, 2 * di, bias=False)
            self.conv1d = nn.Conv1d(di, di, k, groups=di, padding=k - 1, bias=True)
            self.x_proj = nn.Linear(di, r + 2 * n, bias=False)
            self.dt_proj = nn.Linear(r, di, bias=True)
            nn.init.uniform_(self.dt_proj.weight, -r ** -0.5, r ** -0.5)
            dt = torch.exp(torch.rand(di) * (math.log(0.1) - math.log(1e-3)) + math.log(1e-3))
            with torch.no_grad():
                self.dt_proj.bias.copy_(dt + torch.log(-torch.expm1(-dt)))
            self.A_log = nn.Parameter(torch.log(torch.arange(1, n + 1, dtype=torch.float32)).repeat(di, 1))
            self.D = nn.Parameter(torch.ones(di))
            self.out_proj = nn.Linear(di, d, bias=False)

        def forward(self, x):                                             # (B, T, d)
            t = x.shape[1]
            xs, z = self.in_proj(x).chunk(2, dim=-1)                      # (B, T, Di) each
            u = F.silu(self.conv1d(xs.transpose(1, 2))[..., :t])         # (B, Di, T)
            dt_low, bm, cm = self.x_proj(u.transpose(1, 2)).split([self.r, self.n, self.n], dim=-1)
            delta = F.linear(dt_low, self.dt_proj.weight)                 # (B, T, Di); bias inside the scan
            a = -torch.exp(self.A_log)                                    # (Di, N)
            y = scan(u, delta.transpose(1, 2), a, bm.transpose(1, 2), cm.transpose(1, 2), self.D, z.transpose(1, 2),
                     self.dt_proj.bias)                                   # (B, Di, T)
            return self.out_proj(y.transpose(1, 2))

    class MambaBlock(nn.Module):
        def __init__(self, d, m, p):
            super().__init__()
            self.norm = RMSNorm(d)
            self.mixer = MambaMixer(d, m)
            self.dropout = nn.Dropout(p)

        def forward(self, x, ctx):
            return x + self.dropout(self.mixer(self.norm(x)))

    class MultiHeadAttention(nn.Module):
        def __init__(self, d, heads):
            super().__init__()
            self.heads, self.head_dim = heads, d // heads
            self.q_proj, self.k_proj = nn.Linear(d, d), nn.Linear(d, d)
            self.v_proj, self.out_proj = nn.Linear(d, d), nn.Linear(d, d)

        def forward(self, query, memory, key_valid, causal):
            """query (B, Tq, d), memory (B, Tk, d); key_valid (B, Tk) bool or None when no key is padding."""
            b, tq, d = query.shape
            tk = memory.shape[1]
            q = self.q_proj(query).view(b, tq, self.heads, self.head_dim).transpose(1, 2)   # (B, H, Tq, Dh)
            k = self.k_proj(memory).view(b, tk, self.heads, self.head_dim).transpose(1, 2)  # (B, H, Tk, Dh)
            v = self.v_proj(memory).view(b, tk, self.heads, self.head_dim).transpose(1, 2)
            mask = None if key_valid is None else key_valid[:, None, None, :]
            if causal and mask is not None:
                mask = mask & torch.ones(tq, tk, dtype=torch.bool, device=query.device).tril()
            if hasattr(F, "scaled_dot_product_attention"):
                ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal and mask is None)
            else:  # torch < 2.0
                scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
                if causal and mask is None:
                    mask = torch.ones(tq, tk, dtype=torch.bool, device=query.device).tril()
                if mask is not None:
                    scores = scores.masked_fill(~mask, float("-inf"))
                ctx = torch.softmax(scores, dim=-1) @ v
            return self.out_proj(ctx.transpose(1, 2).reshape(b, tq, d))

    class AttentionBlock(nn.Module):
        def __init__(self, kind, norm_kind, d, heads, p):
            super().__init__()
            self.kind = kind
            self.norm = norm(norm_kind, d)
            self.attn = MultiHeadAttention(d, heads)
            self.dropout = nn.Dropout(p)

        def forward(self, x, ctx):
            n = self.norm(x)
            if self.kind == "cross":
                a = self.attn(n, ctx["memory"], ctx["memory_valid"], False)
            else:
                a = self.attn(n, n, ctx["valid"], self.kind == "causal")
            return x + self.dropout(a)

    class FeedForwardBlock(nn.Module):
        def __init__(self, d, hidden, p):
            super().__init__()
            self.norm = nn.LayerNorm(d, eps=1e-5)
            self.w_1, self.w_2 = nn.Linear(d, hidden), nn.Linear(hidden, d)
            self.dropout = nn.Dropout(p)

        def forward(self, x, ctx):
            return x + self.dropout(self.w_2(self.dropout(F.relu(self.w_1(self.norm(x))))))

    class AsrModel(nn.Module):
        def __init__(self):
            super().__init__()
            d, v, h, p = cfg["d_model"], cfg["vocab_size"], cfg["heads"], cfg["dropout"]
            self.d = d
            self.front_end = ConvFrontEnd(cfg["features"], cfg["front_end_channels"], d, p)
            mamba = cfg["architecture"] == "speech-mamba"
            enc, dec = [], []
            for _ in range(cfg["encoder_layers"]):
                if mamba:
                    enc += [MambaBlock(d, cfg["mamba"], p), AttentionBlock("self", "rms", d, h, p),
                            MambaBlock(d, cfg["mamba"], p)]
                else:
                    enc += [AttentionBlock("self", "layer", d, h, p), FeedForwardBlock(d, cfg["ffn_dim"], p)]
            for _ in range(cfg["decoder_layers"]):
                if mamba:
                    dec += [MambaBlock(d, cfg["mamba"], p), AttentionBlock("cross", "rms", d, h, p),
                            MambaBlock(d, cfg["mamba"], p)]
                else:
                    dec += [AttentionBlock("causal", "layer", d, h, p), AttentionBlock("cross", "layer", d, h, p),
                            FeedForwardBlock(d, cfg["ffn_dim"], p)]
            self.encoder_blocks = nn.ModuleList(enc)
            self.encoder_norm = nn.LayerNorm(d, eps=1e-5)
            self.ctc_head = nn.Linear(d, v)
            self.embedding = nn.Embedding(v, d)
            self.decoder_blocks = nn.ModuleList(dec)
            self.decoder_norm = nn.LayerNorm(d, eps=1e-5)
            self.decoder_head = nn.Linear(d, v)
            self.embed_dropout = nn.Dropout(p)
            if cfg["init"] in ("xavier", "xavier-ssm-standard"):
                for name, w in self.named_parameters():
                    if w.dim() >= 2 and not (cfg["init"] == "xavier-ssm-standard" and name.endswith("A_log")):
                        nn.init.xavier_normal_(w)

        def forward(self, features, frame_lengths, targets):
            """Joint loss of features (B, T, F) and targets (B, L) (all rows L tokens, ids 1..V-2)."""
            b, length = targets.shape
            v, sos, lam = cfg["vocab_size"], cfg["vocab_size"] - 1, cfg["ctc_weight"]
            memory, enc_lengths = self.front_end(features, frame_lengths)
            t_out = memory.shape[1]
            valid = None
            if min(enc_lengths) < t_out:
                valid = torch.arange(t_out, device=features.device)[None, :] < torch.tensor(enc_lengths, device=features.device)[:, None]
            ctx = {"valid": valid}
            for block in self.encoder_blocks:
                memory = block(memory, ctx)
            memory = self.encoder_norm(memory)
            log_probs = torch.log_softmax(self.ctc_head(memory), dim=-1).transpose(0, 1)  # (T', B, V)
            ctc = torch.nn.functional.ctc_loss(log_probs, targets, tuple(enc_lengths), (length,) * b, blank=0,
                                               reduction="sum", zero_infinity=True)
            sos_column = torch.full((b, 1), sos, dtype=targets.dtype, device=targets.device)
            decoder_in = torch.cat([sos_column, targets], dim=1)          # (B, L+1)
            decoder_out = torch.cat([targets, sos_column], dim=1)         # (B, L+1)
            h = self.embedding(decoder_in) * math.sqrt(self.d) + positions(length + 1, self.d, features.device)
            h = self.embed_dropout(h)
            ctx = {"valid": None, "memory": memory, "memory_valid": valid}
            for block in self.decoder_blocks:
                h = block(h, ctx)
            logits = self.decoder_head(self.decoder_norm(h))              # (B, L+1, V)
            ce = torch.nn.functional.cross_entropy(logits.reshape(-1, v), decoder_out.reshape(-1), reduction="sum",
                                                   label_smoothing=cfg["label_smoothing"])
            return (lam * ctc + (1 - lam) * ce) / b

    return AsrModel()


# ---------------------------------------------------------------- bench

def measure(torch, cfg, args, device, scan_kind, selective_scan_fn, card):
    """One variant's row (a dict of the CSV columns); raises on non-finite losses, returns status oom on OOM."""
    frames = round(args.seconds * FRAMES_PER_SECOND)
    encoder_frames = strided(strided(frames))
    row = {"impl": "torch-mamba_ssm" if scan_kind == "mamba_ssm" else "torch-eager", "config": cfg["name"],
           "device": device.type, "card": card, "batch": args.batch, "seconds": f"{args.seconds:.4f}",
           "target_len": args.target_length, "encoder_frames": encoder_frames, "warmup": args.warmup,
           "steps": args.steps, "scan": scan_kind if cfg["architecture"] == "speech-mamba" else "none",
           "date": datetime.datetime.now(datetime.timezone.utc).date().isoformat()}
    if device.type == "cuda":
        gc.collect()
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    torch.manual_seed(args.seed)
    model = optimizer = None
    try:
        model = build(torch, cfg, scan_kind, selective_scan_fn).to(device)
        params = sum(p.numel() for p in model.parameters())
        expected = expected_params(cfg)
        row["params"] = params
        print(f"torch {scan_kind}: {cfg['name']} has {params:,} parameters (Java model: {expected:,})", flush=True)
        if params != expected:
            raise SystemExit(f"torch_train_step: parameter count {params:,} != the Java model's {expected:,}: "
                             f"the PyTorch mirror of '{cfg['name']}' is wrong")
        if cfg["name"] == "paper" and params != PAPER_PARAMS:
            raise SystemExit(f"torch_train_step: paper has {params:,} parameters, the Java model {PAPER_PARAMS:,}")
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, betas=(0.9, 0.98), eps=1e-9)
        generator = torch.Generator().manual_seed(args.seed)
        features = torch.randn(args.batch, frames, cfg["features"], generator=generator).to(device)      # (B, T, F)
        targets = torch.randint(1, cfg["vocab_size"] - 1, (args.batch, args.target_length), generator=generator).to(device)
        frame_lengths = [frames] * args.batch
        model.train()
        times, losses = [], []
        total = args.warmup + args.steps
        for step in range(total):
            start = time.perf_counter()
            optimizer.zero_grad()
            loss = model(features, frame_lengths, targets)
            loss.backward()
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
            loss_value, norm_value = loss.item(), float(norm)
            if not (math.isfinite(loss_value) and math.isfinite(norm_value)):
                raise RuntimeError(f"torch_train_step: {cfg['name']} ({scan_kind}) step {step + 1} of {total} has loss "
                                   f"{loss_value} and gradient norm {norm_value}; a training step must give finite values")
            optimizer.step()
            if device.type == "cuda":
                torch.cuda.synchronize()
            elapsed = (time.perf_counter() - start) * 1e3
            losses.append(loss_value)
            if step >= args.warmup:
                times.append(elapsed)
            print(f"  step {step + 1:2d}/{total} {'timed  ' if step >= args.warmup else 'warm-up'} {elapsed:9.1f} ms  "
                  f"loss {loss_value:.4f}  grad norm {norm_value:.3f}", flush=True)
        median = statistics.median(times)
        row.update({"median_ms": f"{median:.4f}", "min_ms": f"{min(times):.4f}",
                    "utt_per_s": f"{args.batch / (median / 1e3):.4f}",
                    "audio_s_per_s": f"{args.batch * args.seconds / (median / 1e3):.4f}",
                    "peak_mb": f"{torch.cuda.max_memory_allocated() / 2 ** 20:.4f}" if device.type == "cuda" else "",
                    "loss_first": f"{losses[0]:.4f}", "loss_last": f"{losses[-1]:.4f}", "status": "ok"})
    except RuntimeError as e:
        if "out of memory" not in str(e).lower():
            raise
        print(f"torch {scan_kind}: out of memory ({str(e).splitlines()[0]})", flush=True)
        row["status"] = "oom"
        if device.type == "cuda":
            row["peak_mb"] = f"{torch.cuda.max_memory_allocated() / 2 ** 20:.4f}"
    finally:
        del model, optimizer
    return row


def write_csv(path, rows):
    if not path:
        return
    columns = CSV_HEADER.split(",")
    with open(path, "w") as f:
        f.write(CSV_HEADER + "\n")
        for r in rows:
            f.write(",".join(str(r.get(c, "")).replace(",", " ") for c in columns) + "\n")


def print_table(rows):
    print(f"{'impl':<16} {'config':<10} {'scan':<22} {'params':>12} {'B':>3} {'median ms':>10} {'min ms':>10} "
          f"{'utt/s':>8} {'audio s/s':>10} {'peak MB':>9} {'loss first':>10} {'loss last':>10} status")
    for r in rows:
        print(f"{r['impl']:<16} {r['config']:<10} {r['scan']:<22} {r.get('params', 0):>12,} {r['batch']:>3} "
              f"{r.get('median_ms', ''):>10} {r.get('min_ms', ''):>10} {r.get('utt_per_s', ''):>8} "
              f"{r.get('audio_s_per_s', ''):>10} {r.get('peak_mb', ''):>9} {r.get('loss_first', ''):>10} "
              f"{r.get('loss_last', ''):>10} {r['status']}", flush=True)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda", help="cuda or cpu (default cuda)")
    p.add_argument("--config", default="paper", help="config name(s) or JSON path(s), comma-separated (default paper)")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--target-length", type=int, default=40)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--scans", default=None,
                   help="comma-separated scan variants: sequential, sequential-checkpoint, mamba_ssm (default: "
                        "sequential, plus sequential-checkpoint if it runs out of memory, plus mamba_ssm if importable)")
    p.add_argument("--out", default=None, help="CSV file to write")
    a = p.parse_args(argv)
    problems = []
    if a.batch < 1:
        problems.append(f"--batch must be >= 1, got {a.batch}")
    if not (a.seconds > 0) or math.isinf(a.seconds) or round(a.seconds * FRAMES_PER_SECOND) < 1:
        problems.append(f"--seconds must be at least one 10 ms frame, got {a.seconds}")
    if a.target_length < 1:
        problems.append(f"--target-length must be >= 1, got {a.target_length}")
    elif not problems and a.target_length > strided(strided(round(a.seconds * FRAMES_PER_SECOND))):
        problems.append(f"--target-length {a.target_length} exceeds the "
                        f"{strided(strided(round(a.seconds * FRAMES_PER_SECOND)))} encoder frames of {a.seconds} s")
    if a.warmup < 0:
        problems.append(f"--warmup must be >= 0, got {a.warmup}")
    if a.steps < 1:
        problems.append(f"--steps must be >= 1, got {a.steps}")
    if not (a.lr >= 0) or math.isinf(a.lr):
        problems.append(f"--lr must be finite and >= 0, got {a.lr}")
    if a.device not in ("cuda", "cpu"):
        problems.append(f"--device must be cuda or cpu, got {a.device}")
    if a.scans is not None:
        for s in a.scans.split(","):
            if s not in ("sequential", "sequential-checkpoint", "mamba_ssm"):
                problems.append(f"--scans: unknown variant '{s}'")
    if problems:
        p.error("; ".join(problems))
    return a


def main(argv):
    args = parse_args(argv)
    configs = [load_config(c) for c in args.config.split(",")]
    try:
        import torch
    except ImportError as e:
        print(f"torch_train_step: PyTorch is not installed here ({e}); nothing measured", flush=True)
        return 2
    if args.device == "cuda" and not torch.cuda.is_available():
        print("torch_train_step: --device cuda but torch.cuda.is_available() is False; nothing measured", flush=True)
        return 2
    device = torch.device(args.device)
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    except Exception as e:  # a torch that dropped the legacy switches: its fp32_precision API says the same
        print(f"torch_train_step: legacy TF32 switches refused ({e}); using fp32_precision = 'ieee'", flush=True)
        torch.backends.cuda.matmul.fp32_precision = "ieee"
        torch.backends.cudnn.fp32_precision = "ieee"
    card = torch.cuda.get_device_name(0) if device.type == "cuda" else "cpu"
    print(f"torch {torch.__version__} on {card}; TF32 off, fp32", flush=True)

    selective_scan_fn = None
    try:
        from mamba_ssm.ops.selective_scan_interface import selective_scan_fn
    except Exception as e:  # ImportError, or a build of mamba_ssm that does not match this torch/CUDA
        print(f"torch_train_step: mamba_ssm not usable ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
              "timing the eager scan only", flush=True)
    rows = []
    for cfg in configs:
        if cfg["architecture"] != "speech-mamba":
            rows.append(measure(torch, cfg, args, device, "sequential", None, card))
            write_csv(args.out, rows)
            continue
        if args.scans is not None:
            scans = args.scans.split(",")
        else:
            scans = ["sequential"] + (["mamba_ssm"] if selective_scan_fn is not None and device.type == "cuda" else [])
        done = set()
        while scans:
            scan = scans.pop(0)
            if scan in done:
                continue
            done.add(scan)
            if scan == "mamba_ssm" and (selective_scan_fn is None or device.type != "cuda"):
                print("torch_train_step: skipping the mamba_ssm variant (mamba_ssm not usable or not on CUDA)", flush=True)
                continue
            try:
                row = measure(torch, cfg, args, device, scan, selective_scan_fn, card)
            except Exception as e:
                if scan != "mamba_ssm":
                    raise
                # The optional fused kernel failing (e.g. built for another CUDA) must not hide the eager numbers.
                print(f"torch_train_step: the mamba_ssm variant failed: {str(e).splitlines()[0]}", flush=True)
                continue
            rows.append(row)
            write_csv(args.out, rows)
            if row["status"] == "oom" and scan == "sequential" and args.scans is None:
                scans.insert(0, "sequential-checkpoint")
    print_table(rows)
    if args.out:
        print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
