package dev.speechmamba.cli;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.Backends;
import dev.speechmamba.serve.ServerConfig;
import dev.speechmamba.serve.TranscriberEngine;
import dev.speechmamba.serve.TranscriptionServer;
import dev.speechmamba.decode.BeamSearch;
import dev.speechmamba.transcribe.ModelSource;
import dev.speechmamba.transcribe.TranscribeOptions;
import dev.speechmamba.transcribe.Transcriber;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Serves a model over HTTP with OpenAI's transcription API until SIGTERM / Ctrl-C, then shuts down gracefully. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve a trained model over HTTP.",
                "POST /v1/audio/transcriptions is OpenAI-compatible: multipart fields file (WAV or FLAC), model,",
                "response_format (json, text, srt, vtt, verbose_json), timestamp_granularities[] (word, segment);",
                "language, prompt and temperature are accepted and ignored.",
                "GET /health answers JSON; GET /metrics answers Prometheus text.",
                "Concurrent requests share one model call (--max-batch, --max-wait-ms); a full queue answers 503",
                "with Retry-After. SIGTERM stops accepting, finishes in-flight requests, then exits."})
final class ServeCommand implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8000", description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model folder (model.safetensors with config and tokenizer) or .safetensors file "
                    + "(default: $" + ModelSource.MODEL_ENV + ", else ./model if it exists, else the model bundled in the jar).")
    Path model;

    @Option(names = "--device", defaultValue = "auto", description = "cpu, cuda or auto (default: ${DEFAULT-VALUE}: cuda when a GPU is usable).")
    String device;

    @Option(names = "--decoder", defaultValue = "beam", description = "greedy (CTC) or beam (joint CTC/attention) (default: ${DEFAULT-VALUE}).")
    String decoder;

    @Option(names = "--beam", defaultValue = "" + BeamSearch.Options.DEFAULT_BEAM_SIZE, description = "Beam size (default: ${DEFAULT-VALUE}).")
    int beam;

    @Mixin
    BeamSearchOptions beamSearch;

    @Option(names = "--max-batch", defaultValue = "8", description = "Most requests per model call (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "20", description = "Longest wait for a batch to fill, ms (default: ${DEFAULT-VALUE}).")
    long maxWaitMs;

    @Option(names = "--queue", defaultValue = "64", description = "Requests that may wait; more get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-upload-mb", defaultValue = "25", description = "Largest upload in MiB; larger get 413 (default: ${DEFAULT-VALUE}).")
    double maxUploadMb;

    @Option(names = "--timeout-s", defaultValue = "60", description = "Longest a request waits for its transcript; then 504 (default: ${DEFAULT-VALUE}).")
    double timeoutSeconds;

    @Option(names = "--shutdown-grace-s", defaultValue = "30", description = "Longest a shutdown waits for in-flight requests (default: ${DEFAULT-VALUE}).")
    double shutdownGraceSeconds;

    @Mixin
    AttentionWindowOptions attention;

    @Mixin
    SegmentationOptions segmentation;

    @Mixin
    LanguageModelOptions languageModel;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ServerConfig config = config();
        String backendName = device.toLowerCase(Locale.ROOT);
        if (!List.of("cpu", "cuda", "auto").contains(backendName)) {
            throw new ParameterException(spec.commandLine(), "--device must be cpu, cuda or auto, got '" + device + "'");
        }
        TranscribeOptions options;
        try {
            options = TranscribeOptions.defaults().withDecoder(TranscribeOptions.Decoder.parse(decoder));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--decoder: " + e.getMessage());
        }
        if (beam < 1) throw new ParameterException(spec.commandLine(), "--beam must be at least 1, got " + beam);
        options = options.withBeam(beamSearch.applyTo(options.beam().withBeamSize(beam)));
        attention.validate(spec.commandLine());
        options = languageModel.applyTo(segmentation.applyTo(options.withMaxBatch(maxBatch)));
        PrintWriter out = spec.commandLine().getOut();

        ModelSource source = ModelSource.resolve(model);
        if (model == null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("speech-mamba: " + source.describe());
            err.flush();
        }
        Backend backend = Backends.create(backendName);
        TranscriberEngine engine;
        try {
            Transcriber transcriber = Transcriber.load(source, backend, options);
            attention.applyTo(transcriber.model());
            if (transcriber.languageModel().isPresent()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("speech-mamba: " + LanguageModelOptions.describe(transcriber.languageModel(),
                        languageModel.origin(model), transcriber.options().beam().lmWeight()));
                err.flush();
            }
            if (transcriber.lexicon().isPresent()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("speech-mamba: " + LanguageModelOptions.describeLexicon(transcriber.lexicon(),
                        languageModel.lexiconOrigin(model), options.beam().unknownWordPenalty()));
                err.flush();
            }
            if (transcriber.neuralLm().isPresent()) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("speech-mamba: " + LanguageModelOptions.describeNeural(transcriber.neuralLm(),
                        languageModel.neuralOrigin(model), options.beam().neuralLmWeight()));
                err.flush();
            }
            engine = new TranscriberEngine(transcriber, backend, source.name());
        } catch (Exception | Error e) {
            backend.close();
            throw e;
        }
        // One second of silence: loads kernels and warms the JIT so the first client does not pay for it.
        engine.transcribe(List.of(new float[16_000]));

        TranscriptionServer server = TranscriptionServer.start(engine, config);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            System.err.println("speech-mamba: stopping: refusing new requests, finishing " + server.inFlightRequests() + " in flight");
            try {
                server.close();
                engine.close();
            } catch (Exception e) {
                System.err.println("speech-mamba: error during shutdown: " + Main.describe(e));
            } finally {
                // Printed here, not after stopped.await(): the JVM halts as soon as the shutdown hooks finish,
                // so the main thread may never run again after a SIGTERM.
                out.println("speech-mamba: stopped");
                out.flush();
                stopped.countDown();
            }
        }, "speech-mamba-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf(Locale.ROOT, "speech-mamba: serving %s (device %s, max batch %d, max wait %d ms, queue %d) at http://%s:%d%s%n",
                source.name(), engine.device(), config.maxBatch(), config.maxWait().toMillis(), config.queueCapacity(),
                host, server.port(), "/v1/audio/transcriptions");
        out.flush();
        stopped.await();
        return 0;
    }

    private ServerConfig config() {
        if (maxUploadMb <= 0 || maxUploadMb > 1024) throw new ParameterException(spec.commandLine(), "--max-upload-mb must be in (0, 1024], got " + maxUploadMb);
        if (timeoutSeconds <= 0) throw new ParameterException(spec.commandLine(), "--timeout-s must be > 0, got " + timeoutSeconds);
        if (shutdownGraceSeconds < 0) throw new ParameterException(spec.commandLine(), "--shutdown-grace-s must be >= 0, got " + shutdownGraceSeconds);
        try {
            return new ServerConfig(host, port, maxBatch, Duration.ofMillis(maxWaitMs), queue,
                    (long) (maxUploadMb * 1024 * 1024), Duration.ofMillis((long) (timeoutSeconds * 1000)),
                    Duration.ofMillis((long) (shutdownGraceSeconds * 1000)));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("ServerConfig: ", ""));
        }
    }
}
