// Embedding lookup and its scatter-add gradient. Ids are validated on the host before launch.
#include "common.cuh"

// out[i, c] = table[ids[i], c]; ids: (N) i32, table: (V, C), out: (N, C)
extern "C" __global__ void embedding_forward(float* out, const int* ids, const float* table, i64 N, int C) {
    const i64 n = N * C;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        i64 i = e / C;
        int c = (int)(e - i * C);
        out[e] = table[(i64)ids[i] * C + c];
    }
}

// dTable[ids[i], c] += dOut[i, c]; repeated ids collide, hence atomicAdd.
extern "C" __global__ void embedding_backward(float* dTable, const float* dOut, const int* ids, i64 N, int C) {
    const i64 n = N * C;
    for (i64 e = global_index(); e < n; e += grid_stride()) {
        i64 i = e / C;
        int c = (int)(e - i * C);
        atomicAdd(&dTable[(i64)ids[i] * C + c], dOut[e]);
    }
}
