package dev.speechmamba.examples;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A client of {@code speech-mamba serve}: posts one audio file to the OpenAI-compatible
 * {@code /v1/audio/transcriptions} endpoint as multipart/form-data and prints the JSON answer, using only
 * the JDK's HTTP client (any OpenAI client library works the same way).
 *
 * <pre>
 * ./speech-mamba serve --port 8000 --model MODEL_DIR &amp;
 * java -cp 'examples/target/*' dev.speechmamba.examples.TranscriptionClient http://localhost:8000 speech.wav
 * </pre>
 */
public final class TranscriptionClient {
    private TranscriptionClient() { }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: TranscriptionClient SERVER_URL AUDIO_FILE");
            System.exit(2);
        }
        Path audio = Path.of(args[1]);
        String boundary = "----speech-mamba-" + UUID.randomUUID();
        byte[] body = multipart(boundary, audio.getFileName().toString(), Files.readAllBytes(audio));
        HttpRequest request = HttpRequest.newBuilder(URI.create(args[0] + "/v1/audio/transcriptions"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println(response.body());
        if (response.statusCode() != 200) System.exit(1);
    }

    private static byte[] multipart(String boundary, String fileName, byte[] audio) {
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"response_format\"\r\n\r\nverbose_json\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"timestamp_granularities[]\"\r\n\r\nword\r\n"
                + "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + fileName.replace("\"", "") + "\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[h.length + audio.length + tail.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(audio, 0, out, h.length, audio.length);
        System.arraycopy(tail, 0, out, h.length + audio.length, tail.length);
        return out;
    }
}
