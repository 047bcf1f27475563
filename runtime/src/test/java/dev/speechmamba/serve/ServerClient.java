package dev.speechmamba.serve;

import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavWriter;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** HTTP helpers for the server tests: WAV bytes of a tone, and form posts. */
final class ServerClient {

    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    final URI base;

    ServerClient(URI base) { this.base = base; }

    ServerClient(int port) { this(URI.create("http://127.0.0.1:" + port)); }

    /** A 16-bit PCM WAV of a 440 Hz tone. */
    static byte[] toneWav(int sampleRate, double seconds) throws IOException {
        float[] samples = new float[(int) Math.round(sampleRate * seconds)];
        for (int i = 0; i < samples.length; i++) samples[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / sampleRate));
        Path file = Files.createTempFile("speech-mamba-tone", ".wav");
        try {
            WavWriter.writePcm16(file, new Audio(samples, sampleRate));
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    HttpResponse<String> post(MultipartBody form) throws IOException, InterruptedException {
        return post(form.contentType(), form.build());
    }

    HttpResponse<String> post(String contentType, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(TranscriptionServer.TRANSCRIPTIONS))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) request.header("Content-Type", contentType);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static MultipartBody wavForm(byte[] wav) {
        return new MultipartBody().file("file", "tone.wav", "audio/wav", wav).field("model", "whisper-1");
    }
}
