package dev.speechmamba.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.speechmamba.audio.Audio;
import dev.speechmamba.audio.WavWriter;
import dev.speechmamba.backend.fastcpu.FastCpuBackend;
import dev.speechmamba.cli.Main;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import dev.speechmamba.transcribe.Transcript;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The server over a real (tiny, untrained) model folder: what comes over HTTP is what the Transcriber says. */
class TranscriberEngineTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void httpTranscriptMatchesTheTranscriberInProcess(@TempDir Path dir) throws Exception {
        TinyModelFolder.write(dir.resolve("model"), 11);
        float[] pcm = TinyModelFolder.speechLike(2.0);
        Path wav = dir.resolve("speech.wav");
        WavWriter.writePcm16(wav, new Audio(pcm, 16_000));
        float[] asDecoded = dev.speechmamba.audio.AudioFiles.read16kMono(wav).samples(); // 16-bit quantised, as the server sees it

        TranscribeOptions greedy = TranscribeOptions.defaults().withDecoder(TranscribeOptions.Decoder.GREEDY);
        Transcript expected;
        try (FastCpuBackend backend = new FastCpuBackend(); Transcriber direct = Transcriber.load(dir.resolve("model"), backend, greedy)) {
            expected = direct.transcribe(asDecoded);
        }
        FastCpuBackend backend = new FastCpuBackend();
        try (TranscriberEngine engine = new TranscriberEngine(Transcriber.load(dir.resolve("model"), backend, greedy), backend, "model");
             TranscriptionServer server = TranscriptionServer.start(engine, ServerConfig.defaults().withHost("127.0.0.1").withPort(0))) {
            assertEquals("cpu", engine.device());
            assertTrue(engine.deviceMemory().isEmpty());
            assertTrue(engine.languageModel().isEmpty(), "greedy decoding loads no LM");
            ServerClient client = new ServerClient(server.port());
            HttpResponse<String> response = client.post(ServerClient.wavForm(Files.readAllBytes(wav))
                    .field("response_format", "verbose_json").field("timestamp_granularities[]", "word")
                    .field("timestamp_granularities[]", "segment"));
            assertEquals(200, response.statusCode(), response.body());
            JsonNode body = JSON.readTree(response.body());
            assertEquals(expected.text(), body.get("text").asText());
            assertEquals(2.0, body.get("duration").asDouble(), 1e-9);
            assertEquals(expected.words().size(), body.get("words").size());
            for (int i = 0; i < expected.words().size(); i++) {
                assertEquals(expected.words().get(i).text(), body.get("words").get(i).get("word").asText());
                assertEquals(expected.words().get(i).start(), body.get("words").get(i).get("start").asDouble(), 1e-9);
                assertEquals(expected.words().get(i).confidence(), body.get("words").get(i).get("confidence").asDouble(), 5e-4);
            }
            assertFalse(expected.words().isEmpty(), "the tiny model should say something for 2 s of voiced audio");
            assertEquals(expected.segments().size(), body.get("segments").size());
            for (int i = 0; i < expected.segments().size(); i++) {
                assertEquals(expected.segments().get(i).text(), body.get("segments").get(i).get("text").asText());
                assertEquals(expected.segments().get(i).end(), body.get("segments").get(i).get("end").asDouble(), 1e-9);
            }
        }
    }

    @Test
    void serveCommandReportsBadOptionsAndMissingModelsInOneLine(@TempDir Path dir) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, Main.run(new String[]{"serve", "--help"}, new PrintWriter(out), new PrintWriter(err)));
        assertTrue(out.toString().contains("/v1/audio/transcriptions"));

        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_USAGE, Main.run(new String[]{"serve", "--device", "tpu", "--model", dir.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("--device must be cpu, cuda or auto"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_USAGE, Main.run(new String[]{"serve", "--max-batch", "0", "--model", dir.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("max batch must be >= 1"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_USAGE, Main.run(new String[]{"serve", "--global-tokens", "2", "--model", dir.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("--global-tokens needs --attention-window"), err.toString());

        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_FAILURE, Main.run(new String[]{"serve", "--max-segment", "0", "--model", dir.toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().contains("--max-segment must be a positive number"), err.toString());
        String help = out.toString();
        assertTrue(help.contains("--attention-window") && help.contains("--max-segment") && help.contains("--min-pause"), help);

        err.getBuffer().setLength(0);
        assertEquals(Main.EXIT_FAILURE, Main.run(new String[]{"serve", "--device", "cpu", "--model", dir.resolve("nope").toString()},
                new PrintWriter(new StringWriter()), new PrintWriter(err)));
        List<String> lines = err.toString().lines().toList();
        assertEquals(1, lines.size(), err.toString());
        assertTrue(lines.getFirst().startsWith("speech-mamba: error: ") && lines.getFirst().contains("nope"), lines.getFirst());
    }
}
