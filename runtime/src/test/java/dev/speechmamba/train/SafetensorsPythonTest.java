package dev.speechmamba.train;

import dev.speechmamba.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Cross-checks the format against Python in both directions. With the {@code safetensors} package the
 * official reader and writer are used; without it, a hand parser/writer built on struct and json
 * (following the published format) stands in. Skipped when python3 is missing.
 */
class SafetensorsPythonTest {

    @TempDir
    Path dir;

    private static boolean officialLibrary;

    @BeforeAll
    static void findPython() throws Exception {
        assumeTrue(python(List.of("-c", "import struct, json")).exitCode == 0, "python3 is not available");
        officialLibrary = python(List.of("-c", "import safetensors, numpy")).exitCode == 0;
    }

    private static final String HAND_READER = """
            import json, struct, sys
            data = open(sys.argv[1], 'rb').read()
            (n,) = struct.unpack('<Q', data[:8])
            assert (8 + n) % 8 == 0, 'data not aligned'
            header = json.loads(data[8:8 + n].decode('utf-8'))
            meta = header.pop('__metadata__', {})
            body = data[8 + n:]
            fmt = {'F32': 'f', 'I32': 'i', 'BF16': 'H'}
            end = 0
            for name in sorted(header, key=lambda k: header[k]['data_offsets']):
                info = header[name]
                b, e = info['data_offsets']
                assert b == end, 'gap or overlap at ' + name
                end = e
                count = 1
                for d in info['shape']:
                    count *= d
                vals = struct.unpack('<%d%s' % (count, fmt[info['dtype']]), body[b:e])
                if info['dtype'] == 'BF16':
                    vals = [struct.unpack('<f', struct.pack('<I', v << 16))[0] for v in vals]
                print(name, info['dtype'], info['shape'], ' '.join(repr(float(v)) if info['dtype'] != 'I32' else str(v) for v in vals))
            assert end == len(body), 'trailing bytes'
            print('META', json.dumps(meta, sort_keys=True, ensure_ascii=False))
            """;

    private static final String OFFICIAL_READER = """
            import json, sys
            from safetensors import safe_open
            with safe_open(sys.argv[1], framework='numpy') as f:
                meta = f.metadata() or {}
                for name in sorted(f.keys()):
                    t = f.get_tensor(name)
                    print(name, {'float32': 'F32', 'int32': 'I32'}[str(t.dtype)], list(t.shape), ' '.join(repr(float(v)) if t.dtype.kind == 'f' else str(v) for v in t.reshape(-1)))
            print('META', json.dumps(meta, sort_keys=True, ensure_ascii=False))
            """;

    private static final String HAND_WRITER = """
            import json, struct, sys
            a = [0.5, -1.25, 3.0, 1e-3, 2.0, -7.5]
            ids = [1, 2, -3]
            body = struct.pack('<6f', *a) + struct.pack('<3i', *ids)
            header = {'__metadata__': {'config': '{"d": 4}', 'step': '77'},
                      'w': {'dtype': 'F32', 'shape': [2, 3], 'data_offsets': [0, 24]},
                      'ids': {'dtype': 'I32', 'shape': [3], 'data_offsets': [24, 36]}}
            h = json.dumps(header).encode('utf-8')
            h += b' ' * ((8 - len(h) % 8) % 8)
            open(sys.argv[1], 'wb').write(struct.pack('<Q', len(h)) + h + body)
            """;

    private static final String OFFICIAL_WRITER = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            save_file({'w': np.array([[0.5, -1.25, 3.0], [1e-3, 2.0, -7.5]], dtype=np.float32),
                       'ids': np.array([1, 2, -3], dtype=np.int32)}, sys.argv[1],
                      metadata={'config': '{"d": 4}', 'step': '77'})
            """;

    @Test
    void pythonReadsWhatWeWrite() throws Exception {
        Path file = dir.resolve("ours.safetensors");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.ofFloats(new float[] {0.5f, -1.25f, 3f, 1e-3f}, 2, 2));
        tensors.put("ids", Tensor.ofInts(new int[] {7, -8, 9}, 3));
        tensors.put("half", Tensor.ofFloats(new float[] {1.5f, -2f}, 2));
        Safetensors.write(file, tensors, Map.of("config", "{\"d\": 4}", "tokenizer", "▁hé"),
                officialLibrary ? Set.of() : Set.of("half"));

        Result r = python(List.of("-c", officialLibrary ? OFFICIAL_READER : HAND_READER, file.toString()));
        assertEquals(0, r.exitCode, r.output);
        List<String> expected = List.of(
                "half " + (officialLibrary ? "F32" : "BF16") + " [2] 1.5 -2.0",
                "ids I32 [3] 7 -8 9",
                "w F32 [2, 2] 0.5 -1.25 3.0 " + (double) 1e-3f,
                "META {\"config\": \"{\\\"d\\\": 4}\", \"tokenizer\": \"▁hé\"}");
        assertEquals(expected, r.output.strip().lines().toList());
    }

    @Test
    void weReadWhatPythonWrites() throws Exception {
        Path file = dir.resolve("theirs.safetensors");
        Result r = python(List.of("-c", officialLibrary ? OFFICIAL_WRITER : HAND_WRITER, file.toString()));
        assertEquals(0, r.exitCode, r.output);

        Safetensors.Contents c = Safetensors.read(file);
        assertEquals(Map.of("config", "{\"d\": 4}", "step", "77"), c.metadata());
        assertArrayEquals(new float[] {0.5f, -1.25f, 3f, 1e-3f, 2f, -7.5f}, c.tensors().get("w").hostFloats());
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("w").shape().dims());
        assertArrayEquals(new int[] {1, 2, -3}, c.tensors().get("ids").hostInts());
    }

    private record Result(int exitCode, String output) { }

    private static Result python(List<String> args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("python3"));
        command.addAll(args);
        Process p;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("PYTHONIOENCODING", "utf-8");
            p = builder.start();
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(-1, "python3 timed out");
        }
        return new Result(p.exitValue(), out);
    }
}
