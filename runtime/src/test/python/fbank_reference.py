#!/usr/bin/env python3
"""Independent reference for dev.speechmamba.audio.Fbank (Kaldi fbank as torchaudio.compliance.kaldi.fbank).

Default mode: writes deterministic 16 kHz 16-bit test WAVs and their reference features (float32 .npy,
[frames, 80]) into runtime/src/test/resources/audio/fbank/, computed here with numpy in float64, written from
the Kaldi / torchaudio definition and not from the Java code:

  frames 400 / shift 160 (snip_edges), remove DC offset, pre-emphasis 0.97 (x[0] -= 0.97 x[0]),
  Povey window hann(400, periodic=False)**0.85, zero pad to 512, |rfft|^2, 80 triangular filters on
  1127 ln(1 + f/700) between 20 Hz and 8 kHz (Nyquist bin weight 0), log(max(e, float32 eps)).

Waveforms are on the int16 scale (Kaldi's convention); Fbank.java multiplies its [-1, 1] samples by 32768.

VTLN-warped goldens (NAME_vtlnW.npy, W = 0p9 / 1p1): the filter edges moved by Kaldi's piecewise-linear warp
(vtln_low 100 Hz, vtln_high -500 = 7500 Hz): f / W between 100 max(1, W) and 7500 min(1, W), joined linearly to
20 Hz and 8 kHz, which stay fixed (Kaldi's VtlnWarpFreq, torchaudio's vtln_warp_freq).

--torchaudio: with torchaudio importable, computes torchaudio.compliance.kaldi.fbank(wav * 32768,
num_mel_bins=80, dither=0.0) for every golden WAV and prints the max abs difference to the golden file
(float32 torch vs float64 numpy: expect about 1e-5, far below the 1e-3 test tolerance).
"""
import argparse
import os
import sys
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, '..', 'resources', 'audio', 'fbank'))
RATE = 16000
FRAME, SHIFT, NFFT, BINS = 400, 160, 512, 80
EPS = float(np.finfo(np.float32).eps)


def kaldi_mel(f):
    return 1127.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)


def kaldi_hz(m):
    return 700.0 * (np.exp(np.asarray(m, dtype=np.float64) / 1127.0) - 1.0)


def vtln_warp_hz(f, warp, low_freq=20.0, high_freq=RATE / 2, vtln_low=100.0, vtln_high=RATE / 2 - 500.0):
    f = np.asarray(f, dtype=np.float64)
    lo = vtln_low * max(1.0, warp)
    hi = vtln_high * min(1.0, warp)
    scale = 1.0 / warp
    slope_left = (scale * lo - low_freq) / (lo - low_freq)
    slope_right = (high_freq - scale * hi) / (high_freq - hi)
    warped = np.where(f < lo, low_freq + slope_left * (f - low_freq),
                      np.where(f < hi, scale * f, high_freq + slope_right * (f - high_freq)))
    return np.where((f < low_freq) | (f > high_freq), f, warped)


def mel_matrix(warp=1.0):
    """(BINS, NFFT//2 + 1) triangular weights; edges VTLN-warped when warp != 1."""
    fft_freqs = np.arange(NFFT // 2) * (RATE / NFFT)
    mel_points = np.linspace(kaldi_mel(20.0), kaldi_mel(RATE / 2), BINS + 2)
    if warp != 1.0:
        mel_points = kaldi_mel(vtln_warp_hz(kaldi_hz(mel_points), warp))
    m = kaldi_mel(fft_freqs)[None, :]
    left, center, right = mel_points[:-2, None], mel_points[1:-1, None], mel_points[2:, None]
    weights = np.maximum(0.0, np.minimum((m - left) / (center - left), (right - m) / (right - center)))
    return np.concatenate([weights, np.zeros((BINS, 1))], axis=1)


def fbank(wave_int16_scale, warp=1.0):
    x = np.asarray(wave_int16_scale, dtype=np.float64)
    if len(x) < FRAME:
        return np.zeros((0, BINS), dtype=np.float32)
    n_frames = 1 + (len(x) - FRAME) // SHIFT
    idx = np.arange(FRAME)[None, :] + SHIFT * np.arange(n_frames)[:, None]
    frames = x[idx]
    frames = frames - frames.mean(axis=1, keepdims=True)
    previous = np.concatenate([frames[:, :1], frames[:, :-1]], axis=1)
    frames = frames - 0.97 * previous
    n = np.arange(FRAME)
    povey = (0.5 - 0.5 * np.cos(2 * np.pi * n / (FRAME - 1))) ** 0.85
    frames = frames * povey
    power = np.abs(np.fft.rfft(frames, n=NFFT, axis=1)) ** 2
    energies = power @ mel_matrix(warp).T
    return np.log(np.maximum(energies, EPS)).astype(np.float32)


def signals():
    """name -> int16 samples; fixed seeds, so the files are reproducible."""
    rng = np.random.default_rng(20241126)
    out = {}
    t = np.arange(RATE) / RATE  # 1.0 s
    chirp = np.sin(2 * np.pi * (100 * t + 0.5 * (7000 - 100) * t ** 2))
    out['chirp_noise_1s'] = 9000 * chirp + 300 * rng.standard_normal(len(t))
    t = np.arange(7000) / RATE  # 0.4375 s: a length that is not a whole number of shifts
    out['tones_7000'] = 6000 * np.sin(2 * np.pi * 440 * t) + 3000 * np.sin(2 * np.pi * 3150 * t + 0.3) + 2500
    t = np.arange(int(1.3 * RATE)) / RATE  # vowel-like: pulse train through two resonances, with a gap
    pitch = 110 + 20 * np.sin(2 * np.pi * 1.5 * t)
    phase = np.cumsum(pitch / RATE)
    source = (np.diff(np.floor(phase), prepend=0) > 0).astype(np.float64)
    voiced = np.zeros_like(source)
    for f, bw in ((700, 90), (1200, 110), (2600, 160)):
        r = np.exp(-np.pi * bw / RATE)
        a1, a2 = 2 * r * np.cos(2 * np.pi * f / RATE), -r * r
        y = np.zeros_like(source)
        for i in range(len(source)):
            y[i] = source[i] + a1 * (y[i - 1] if i > 0 else 0) + a2 * (y[i - 2] if i > 1 else 0)
        voiced += y
    voiced *= 8000 / np.max(np.abs(voiced))
    voiced[int(0.55 * RATE):int(0.8 * RATE)] = 20 * rng.standard_normal(int(0.8 * RATE) - int(0.55 * RATE))
    out['vowels_1p3s'] = voiced
    out['one_frame_400'] = 12000 * rng.uniform(-1, 1, 400)
    out['quiet_noise_0p3s'] = 3 * rng.standard_normal(int(0.3 * RATE))
    return {k: np.clip(np.round(v), -32768, 32767).astype(np.int16) for k, v in out.items()}


def write_wav(path, samples):
    with wave.open(path, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(samples.astype('<i2').tobytes())


def read_wav(path):
    with wave.open(path, 'rb') as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == RATE, path
        return np.frombuffer(w.readframes(w.getnframes()), dtype='<i2')


def generate():
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, samples in signals().items():
        write_wav(os.path.join(OUT_DIR, name + '.wav'), samples)
        feats = fbank(read_wav(os.path.join(OUT_DIR, name + '.wav')))
        np.save(os.path.join(OUT_DIR, name + '.npy'), feats)
        print(f'{name}: {len(samples)} samples -> {feats.shape}')
    generate_vtln()


VTLN_GOLDENS = {'vowels_1p3s': (0.9, 1.1), 'chirp_noise_1s': (0.9, 1.1)}


def vtln_name(name, warp):
    return f'{name}_vtln{str(warp).replace(".", "p")}'


def generate_vtln():
    for name, warps in VTLN_GOLDENS.items():
        samples = read_wav(os.path.join(OUT_DIR, name + '.wav'))
        for warp in warps:
            feats = fbank(samples, warp)
            np.save(os.path.join(OUT_DIR, vtln_name(name, warp) + '.npy'), feats)
            print(f'{vtln_name(name, warp)}: {feats.shape}')


def compare_torchaudio():
    try:
        import torch
        import torchaudio
    except ImportError as e:
        sys.exit(f'torchaudio is not importable here: {e}')
    worst = 0.0
    for name in sorted(f[:-4] for f in os.listdir(OUT_DIR) if f.endswith('.wav')):
        samples = read_wav(os.path.join(OUT_DIR, name + '.wav'))
        golden = np.load(os.path.join(OUT_DIR, name + '.npy'))
        # torchaudio.load would give samples / 32768; Kaldi features are defined on the int16 scale.
        # float64 so that the comparison measures the definition, not float32 rounding in the log of
        # near-empty mel bins (torchaudio in float32 differs from float64 by up to ~3e-3 there).
        waveform = torch.from_numpy(samples.astype(np.float64))[None, :]
        ta = torchaudio.compliance.kaldi.fbank(waveform, num_mel_bins=BINS, dither=0.0,
                                               sample_frequency=RATE).numpy()
        ta32 = torchaudio.compliance.kaldi.fbank(waveform.float(), num_mel_bins=BINS, dither=0.0,
                                                 sample_frequency=RATE).numpy()
        diff = float(np.max(np.abs(ta - golden))) if golden.size else 0.0
        diff32 = float(np.max(np.abs(ta32 - golden))) if golden.size else 0.0
        worst = max(worst, diff)
        print(f'{name}: torchaudio {tuple(ta.shape)} golden {tuple(golden.shape)} max abs diff {diff:.3g} '
              f'(float64), {diff32:.3g} (torchaudio in float32)')
    for name, warps in VTLN_GOLDENS.items():
        waveform = torch.from_numpy(read_wav(os.path.join(OUT_DIR, name + '.wav')).astype(np.float64))[None, :]
        for warp in warps:
            golden = np.load(os.path.join(OUT_DIR, vtln_name(name, warp) + '.npy'))
            ta = torchaudio.compliance.kaldi.fbank(waveform, num_mel_bins=BINS, dither=0.0, sample_frequency=RATE,
                                                   vtln_warp=warp).numpy()
            diff = float(np.max(np.abs(ta - golden)))
            worst = max(worst, diff)
            print(f'{vtln_name(name, warp)}: torchaudio max abs diff {diff:.3g} (float64)')
    print(f'max abs diff over all files: {worst:.3g}')
    return 0 if worst < 1e-3 else 1


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--torchaudio', action='store_true', help='compare torchaudio with the golden files')
    parser.add_argument('--vtln-only', action='store_true', help='write only the VTLN-warped goldens')
    args = parser.parse_args()
    sys.exit(compare_torchaudio() if args.torchaudio else generate_vtln() if args.vtln_only else generate())
