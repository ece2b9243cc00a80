package io.zbpp.gpu.cuda;

import io.zbpp.gpu.device.Buf;
import org.bytedeco.javacpp.FloatPointer;

/** A buffer in device memory: its pointer (the device address) and its element count. */
record CudaBuf(FloatPointer ptr, int size) implements Buf {}
