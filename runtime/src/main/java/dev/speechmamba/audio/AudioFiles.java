package dev.speechmamba.audio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Reads any supported audio file, choosing the decoder by the file's first bytes (not its name): WAV
 * ({@link WavReader}) or FLAC ({@link FlacReader}). Anything else is an {@link AudioFormatException} that names
 * the file and what it starts with.
 */
public final class AudioFiles {

    private AudioFiles() { }

    /** Decodes {@code file} to mono at its own sample rate. */
    public static Audio readMono(Path file) throws IOException {
        byte[] head = new byte[4];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such audio file");
        }
        if (n == 0) throw new AudioFormatException(file, "empty file (0 bytes)");
        String magic = new String(head, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (magic.equals("RIFF") || magic.equals("RIFX") || magic.equals("RF64")) return WavReader.readMono(file);
        if (magic.equals("fLaC") || magic.startsWith("ID3")) return FlacReader.readMono(file);
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < n; i++) hex.append(String.format(Locale.ROOT, "%02X", head[i] & 0xFF));
        throw new AudioFormatException(file, "unsupported audio format (supported: WAV, FLAC); the file starts with bytes 0x" + hex);
    }

    /** Decodes {@code file} to mono and resamples it to 16 kHz. */
    public static Audio read16kMono(Path file) throws IOException {
        return readMono(file).to16k();
    }
}
