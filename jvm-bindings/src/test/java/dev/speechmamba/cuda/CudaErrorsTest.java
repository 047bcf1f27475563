package dev.speechmamba.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CudaErrorsTest {

    @Test
    void namesCommonCodes() {
        assertEquals("CUDA_SUCCESS", CudaErrors.name(0));
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaErrors.name(2));
        assertEquals("CUDA_ERROR_NO_DEVICE", CudaErrors.name(100));
        assertEquals("CUDA_ERROR_INVALID_PTX", CudaErrors.name(218));
        assertEquals("CUDA_ERROR_ILLEGAL_ADDRESS", CudaErrors.name(700));
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", CudaErrors.name(719));
        assertEquals("CUDA_ERROR_STREAM_CAPTURE_INVALIDATED", CudaErrors.name(901));
    }

    @Test
    void unknownCodesStayNumeric() {
        assertEquals("CUresult(12345)", CudaErrors.name(12345));
        assertFalse(CudaErrors.isKnown(12345));
    }

    @Test
    void exceptionMessageNamesCallCodeAndName() {
        CudaException e = new CudaException("cuMemAlloc(1024 B)", 2, CudaErrors.name(2));
        assertEquals("cuMemAlloc(1024 B) failed: CUDA_ERROR_OUT_OF_MEMORY (2)", e.getMessage());
        assertEquals(2, e.code());
        assertEquals("cuMemAlloc(1024 B)", e.call());
        CudaException withLog = new CudaException("cuModuleLoadDataEx", 218, CudaErrors.name(218), "ptxas error");
        assertTrue(withLog.getMessage().endsWith(": ptxas error"), withLog.getMessage());
    }

    /** Every entry of the fallback table agrees with cuda.h, when a CUDA toolkit is installed here. */
    @Test
    void tableMatchesCudaHeader() throws IOException {
        Path header = Path.of("/usr/local/cuda/include/cuda.h");
        Assumptions.assumeTrue(Files.isRegularFile(header), "no CUDA toolkit header here");
        Matcher m = Pattern.compile("^\\s*(CUDA_(?:SUCCESS|ERROR_[A-Z0-9_]+))\\s*=\\s*(\\d+)", Pattern.MULTILINE)
                .matcher(Files.readString(header));
        int checked = 0;
        while (m.find()) {
            int code = Integer.parseInt(m.group(2));
            if (CudaErrors.isKnown(code)) {
                assertEquals(m.group(1), CudaErrors.name(code), "code " + code);
                checked++;
            }
        }
        assertTrue(checked >= 40, "only " + checked + " codes matched in cuda.h");
    }
}
