package dev.speechmamba.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A test engine whose behaviour per batch is a function: it says how many samples each utterance had (so a test
 * can tell that its own audio arrived) and records every batch size.
 */
class FakeEngine implements TranscriptionEngine {

    /** What happens before the batch is answered: sleep, block on a latch, throw. */
    interface BeforeBatch { void run(List<float[]> batch) throws Exception; }

    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final BeforeBatch before;
    private final Function<float[], Result> answer;

    FakeEngine(BeforeBatch before) { this(before, FakeEngine::describe); }

    FakeEngine(BeforeBatch before, Function<float[], Result> answer) {
        this.before = before;
        this.answer = answer;
    }

    static FakeEngine instant() { return new FakeEngine(batch -> { }); }

    /** "samples N", one word over the first half and a second segment over the rest. */
    static Result describe(float[] pcm) {
        double seconds = pcm.length / 16000.0;
        String first = "samples";
        String second = Integer.toString(pcm.length);
        return new Result(first + " " + second,
                List.of(new Word(first, 0, seconds / 2, 0.9), new Word(second, seconds / 2, seconds, 0.5)),
                List.of(new Segment(first, 0, seconds / 2), new Segment(second, seconds / 2, seconds)));
    }

    @Override
    public List<Result> transcribe(List<float[]> pcm16k) throws Exception {
        batchSizes.add(pcm16k.size());
        before.run(pcm16k);
        List<Result> results = new ArrayList<>();
        for (float[] pcm : pcm16k) results.add(answer.apply(pcm));
        return results;
    }

    @Override public String modelName() { return "fake"; }

    @Override public String device() { return "cpu"; }
}
