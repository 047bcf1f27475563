package dev.speechmamba.cli;

import dev.speechmamba.backend.Backends;
import dev.speechmamba.cuda.CudaDriver;
import dev.speechmamba.cuda.CudaDrivers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Lists the backends, whether each can run here, the GPUs CUDA would use, and what {@code auto} picks. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = {"List the compute backends and whether CUDA is usable on this machine.",
                "Choose one with -D" + Backends.PROPERTY + "=reference|cpu|cuda (SPEECH_MAMBA_JAVA_OPTS for the "
                        + "launcher); the CUDA driver binding with -D" + CudaDrivers.PROPERTY + "=ffm|jcuda."})
final class BackendsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean cuda = Backends.cudaUsable();
        String row = "%-10s %-9s %s%n";
        out.printf(row, "BACKEND", "STATUS", "NOTES");
        out.printf(row, "reference", "ready", "float64 loops: the specification, slow on purpose");
        out.printf(row, "cpu", "ready",
                "multi-threaded float32 with the Vector API; " + Runtime.getRuntime().availableProcessors() + " cores");
        if (!cuda) {
            out.printf(row, "cuda", "unusable", "no CUDA driver (libcuda.so.1) or no device here");
        } else {
            List<String> devices = new ArrayList<>();
            String driverLine;
            try {
                CudaDriver driver = CudaDrivers.get();
                int version = driver.driverVersion();
                driverLine = "driver " + version / 1000 + "." + (version % 1000) / 10 + " via " + driver.implementation();
                for (int ordinal = 0; ordinal < driver.deviceCount(); ordinal++) {
                    int device = driver.device(ordinal);
                    devices.add(String.format(Locale.ROOT, "device %d: %s, %.1f GiB, compute %s", ordinal,
                            driver.deviceName(device), driver.deviceTotalMemory(device) / (double) (1L << 30),
                            driver.computeCapability(device)));
                }
            } catch (RuntimeException | LinkageError e) {
                driverLine = "a GPU is present, but querying it failed: " + Main.describe(e);
            }
            out.printf(row, "cuda", "ready", driverLine);
            for (String d : devices) out.printf(row, "", "", d);
        }
        String forced = System.getProperty(Backends.PROPERTY);
        out.println();
        out.println("auto -> " + (forced != null ? forced + " (set by -D" + Backends.PROPERTY + ")" : cuda ? "cuda" : "cpu"));
        out.flush();
        return 0;
    }
}
