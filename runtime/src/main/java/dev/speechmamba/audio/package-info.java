/**
 * The audio front end: decoding, resampling, features, normalization and augmentation.
 *
 * <p>Flow: {@link dev.speechmamba.audio.AudioFiles} (WAV via {@link dev.speechmamba.audio.WavReader}, FLAC via
 * {@link dev.speechmamba.audio.FlacReader}) gives mono {@link dev.speechmamba.audio.Audio} with samples in [-1, 1];
 * {@link dev.speechmamba.audio.Audio#to16k()} resamples with {@link dev.speechmamba.audio.Resampler};
 * {@link dev.speechmamba.audio.Fbank} makes 80-bin Kaldi log-mel {@link dev.speechmamba.audio.Features}
 * (it scales samples by 32768 internally, Kaldi's int16 convention); {@link dev.speechmamba.audio.GlobalCmvn}
 * normalizes them with training-set statistics; for training, {@link dev.speechmamba.audio.SpeedPerturbation}
 * (on audio, before fbank) and {@link dev.speechmamba.audio.SpecAugment} (on normalized features) augment with
 * a caller-seeded random generator. {@link dev.speechmamba.audio.Npy} writes features for NumPy.
 *
 * <p>Bad files raise {@link dev.speechmamba.audio.AudioFormatException}, whose message starts with the path.
 */
package dev.speechmamba.audio;
