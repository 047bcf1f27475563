#!/usr/bin/env python3
"""Makes the FLAC test fixtures in runtime/src/test/resources/audio/flac/ (run once; the outputs are committed).

Each fixture is a small deterministic WAV (numpy, fixed seed) and the same audio encoded by the reference
encoder (`flac`, Debian package flac; 1.4.2 made the committed files) with settings that exercise different
parts of the format: mid/side and left/side stereo, 8/16/24/32-bit samples, constant and verbatim
subframes, wasted bits, odd block sizes, high LPC orders. FlacReaderTest decodes each .flac and requires
exactly the samples of its .wav twin (FLAC is lossless) and a matching STREAMINFO MD5.
"""
import os
import subprocess
import sys
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, '..', 'resources', 'audio', 'flac'))


def write_wav(path, ints, rate, width):
    """ints: (frames, channels) signed integers of `width` bytes (8-bit is stored unsigned)."""
    frames, channels = ints.shape
    if width == 1:
        raw = (ints + 128).astype(np.uint8).tobytes()
    elif width == 3:
        v = ints.astype('<i4').reshape(-1)
        raw = np.stack([v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF], axis=1).astype(np.uint8).tobytes()
    else:
        raw = ints.astype({2: '<i2', 4: '<i4'}[width]).tobytes()
    with wave.open(path, 'wb') as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)


def voice(rng, n, rate, scale):
    t = np.arange(n) / rate
    x = sum(np.sin(2 * np.pi * f * t + rng.uniform(0, 6)) / (k + 1) for k, f in enumerate((180, 360, 540, 1250, 2400)))
    x *= 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    return scale * x / np.max(np.abs(x)) + rng.normal(0, scale * 0.01, n)


def fixtures():
    rng = np.random.default_rng(9639)
    out = []
    n = 3200
    out.append(('mono16_16k', 16000, 2, np.round(voice(rng, n, 16000, 20000))[:, None], ['-5']))
    n = 4410
    left = voice(rng, n, 44100, 15000)
    right = 0.8 * left + rng.normal(0, 300, n)
    out.append(('stereo16_44k_best', 44100, 2, np.round(np.stack([left, right], 1)), ['-8']))
    out.append(('stereo16_44k_fast', 44100, 2, np.round(np.stack([left, 0.97 * left + rng.normal(0, 30, n)], 1)), ['-2', '-b', '1000', '--lax']))
    n = 2400
    a = voice(rng, n, 48000, 6e6)
    out.append(('stereo24_48k', 48000, 3, np.round(np.stack([a, 0.5 * a + rng.normal(0, 2e4, n)], 1)), ['-8', '-l', '32', '--lax']))
    out.append(('u8_8k', 8000, 1, np.round(voice(rng, 2000, 8000, 100))[:, None], ['-5']))
    n = 3200
    s = np.zeros(n)
    s[n // 2:] = rng.integers(-32768, 32768, n - n // 2)
    out.append(('silence_then_noise', 16000, 2, s[:, None], ['-5', '-b', '1024']))
    n = 1600
    three = np.stack([voice(rng, n, 16000, 9000), rng.normal(0, 3000, n), np.full(n, -1234.0)], 1)
    out.append(('three_channels', 16000, 2, np.round(three), ['-5', '--channel-map=none']))
    out.append(('wasted_bits', 16000, 2, (np.round(voice(rng, 1600, 16000, 1500)) * 16)[:, None], ['-5']))
    out.append(('s32_16k', 16000, 4, np.round(voice(rng, 1600, 16000, 1.5e9) + rng.normal(0, 2e7, 1600))[:, None], ['-5']))
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, rate, width, ints, options in fixtures():
        wav = os.path.join(OUT, name + '.wav')
        flac = os.path.join(OUT, name + '.flac')
        lo, hi = -(1 << (8 * width - 1)), (1 << (8 * width - 1)) - 1
        write_wav(wav, np.clip(ints, lo, hi).astype(np.int64), rate, width)
        r = subprocess.run(['flac', '-f', '-s', '--no-padding', *options, '-o', flac, wav], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f'{name}: flac failed: {r.stderr}')
        print(f'{name}: {ints.shape} at {rate} Hz, {8 * width}-bit, flac {" ".join(options)} -> {os.path.getsize(flac)} bytes')


if __name__ == '__main__':
    main()
