package dev.speechmamba.transcribe;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.model.AsrModel;
import dev.speechmamba.text.BpeTokenizer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The same model folder transcribed on CUDA and on the CPU gives the same greedy text and
 * segments, and well-formed beam transcripts. */
@Tag("gpu")
class TranscriberGpuTest {

    @Test
    void cudaTranscriptsMatchTheCpuOnes(@TempDir Path dir) throws Exception {
        assumeTrue(Backends.cudaUsable(), "no usable CUDA device here");
        BpeTokenizer tokenizer = TinyModels.tokenizer();
        try (Backend cpu = Backends.create("cpu"); AsrModel model = TinyModels.tinyModel(cpu, tokenizer, 21)) {
            ModelFolder.save(dir, model, tokenizer, null);
        }
        List<float[]> pcms = List.of(TinyModels.waveform(1.5, 1), TinyModels.waveform(4.0, 2), TinyModels.waveform(0.7, 3));
        for (TranscribeOptions.Decoder kind : TranscribeOptions.Decoder.values()) {
            TranscribeOptions options = TranscribeOptions.defaults().withDecoder(kind);
            List<Transcript> onCpu, onGpu;
            try (Backend cpu = Backends.create("cpu"); Transcriber t = Transcriber.load(dir, cpu, options)) {
                onCpu = t.transcribe(pcms);
            }
            try (Backend cuda = Backends.create("cuda"); Transcriber t = Transcriber.load(dir, cuda, options)) {
                onGpu = t.transcribe(pcms);
            }
            for (int i = 0; i < pcms.size(); i++) {
                TranscriberTest.assertWellFormed(onGpu.get(i), pcms.get(i).length / 16_000.0);
                // Segments follow the greedy CTC path, so they agree for both decoders; beam texts of an untrained
                // model can part ways on near-ties between float32 backends, so only greedy text must match.
                assertEquals(onCpu.get(i).segments().size(), onGpu.get(i).segments().size(), kind + " recording " + i);
                if (kind == TranscribeOptions.Decoder.GREEDY) {
                    assertEquals(onCpu.get(i).text(), onGpu.get(i).text(), kind + " recording " + i);
                }
            }
        }
    }
}
