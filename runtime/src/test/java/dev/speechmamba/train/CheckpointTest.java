package dev.speechmamba.train;

import dev.speechmamba.backend.Backend;
import dev.speechmamba.backend.reference.ReferenceBackend;
import dev.speechmamba.tensor.DType;
import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {

    @TempDir
    Path dir;

    private final Backend backend = new ReferenceBackend();

    @Test
    void savesBackendTensorsAndRestoresThemIntoAModel() throws IOException {
        Map<String, Tensor> model = new LinkedHashMap<>();
        model.put("embed", backend.fromHost(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        model.put("norm.weight", backend.fromHost(new float[] {0.5f, -0.5f}, 2));
        model.put("counts", backend.fromHostInts(new int[] {4, 5}, 2));
        Path file = dir.resolve("step-10.safetensors");
        Checkpoint.fromBackend(backend, model, Map.of(Checkpoint.STEP, "10", Checkpoint.CONFIG, "{\"layers\":2}"))
                .save(file);

        Checkpoint loaded = Checkpoint.load(file);
        assertEquals(10L, loaded.step().orElseThrow());
        assertEquals("{\"layers\":2}", loaded.config().orElseThrow());
        assertEquals(Checkpoint.FORMAT_VERSION, loaded.metadata().get(Checkpoint.FORMAT));

        Map<String, Tensor> fresh = new LinkedHashMap<>();
        fresh.put("embed", backend.zeros(DType.F32, 3, 2));
        fresh.put("norm.weight", backend.zeros(DType.F32, 2));
        fresh.put("counts", backend.zeros(DType.I32, 2));
        loaded.copyInto(backend, fresh);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, backend.toHost(fresh.get("embed")));
        assertArrayEquals(new float[] {0.5f, -0.5f}, backend.toHost(fresh.get("norm.weight")));
        assertArrayEquals(new int[] {4, 5}, backend.toHostInts(fresh.get("counts")));
    }

    @Test
    void fromBackendTakesHostTensorsAsTheyAreWithoutAskingTheBackend() {
        // A backend that owns no host tensors (like CUDA) must never be asked to copy one.
        Backend deviceOnly = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    throw new AssertionError("backend called: " + method.getName());
                });
        float[] backing = {7, 1, 2, 3};
        Tensor view = new Tensor(dev.speechmamba.tensor.Shape.of(3), DType.F32,
                dev.speechmamba.tensor.HostStorage.ofFloats(backing), 1);
        Checkpoint c = Checkpoint.fromBackend(deviceOnly, Map.of("w", view, "ids", Tensor.ofInts(new int[] {4}, 1)),
                Map.of());
        assertArrayEquals(new float[] {1, 2, 3}, c.tensor("w").hostFloats());
        assertArrayEquals(new int[] {4}, c.tensor("ids").hostInts());
        backing[1] = 99;
        assertEquals(1f, c.tensor("w").hostFloats()[0], "the checkpoint holds a copy");
    }

    @Test
    void copyIntoReportsEveryMismatchBeforeCopyingAnything() {
        Checkpoint ckpt = new Checkpoint(Map.of("a", Tensor.ofFloats(new float[] {1, 2}, 2),
                "b", Tensor.ofFloats(new float[] {3}, 1)), Map.of());
        Tensor a = backend.zeros(DType.F32, 2);
        Map<String, Tensor> targets = new LinkedHashMap<>();
        targets.put("a", a);
        targets.put("b", backend.zeros(DType.F32, 2));
        targets.put("c", backend.zeros(DType.F32, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ckpt.copyInto(backend, targets));
        assertTrue(e.getMessage().contains("'b' is F32 (1) in the checkpoint but F32 (2) in the model"), e.getMessage());
        assertTrue(e.getMessage().contains("'c' is missing"), e.getMessage());
        assertArrayEquals(new float[] {0, 0}, backend.toHost(a), "nothing may be copied when the check fails");
    }

    @Test
    void malformedStepAndForeignFormatAreRejected() throws IOException {
        Checkpoint bad = new Checkpoint(Map.of(), Map.of(Checkpoint.STEP, "ten"));
        assertThrows(IllegalArgumentException.class, bad::step);

        Path foreign = dir.resolve("foreign.safetensors");
        Safetensors.write(foreign, Map.of(), Map.of(Checkpoint.FORMAT, "something-else/3"));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Checkpoint.load(foreign));
        assertTrue(e.getMessage().contains("something-else/3"), e.getMessage());

        Checkpoint none = new Checkpoint(Map.of(), Map.of());
        assertTrue(none.step().isEmpty());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> none.tensor("x"));
        assertTrue(missing.getMessage().contains("'x'"), missing.getMessage());
    }
}
