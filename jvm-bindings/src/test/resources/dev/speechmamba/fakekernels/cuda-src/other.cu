extern "C" __global__ void other(float* x) { x[0] = 0.0f; }
