package io.zbpp.dataplane;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;

/** A sink that keeps what arrives: tensors in a queue (unreleased), the first lost link in a future. */
final class Recorder implements TensorSink {
  final LinkedBlockingQueue<ReceivedTensor> tensors = new LinkedBlockingQueue<>();
  final CompletableFuture<Throwable> lost = new CompletableFuture<>();

  @Override
  public void onTensor(DataLink link, ReceivedTensor tensor) {
    tensors.add(tensor);
  }

  @Override
  public void onLinkLost(DataLink link, Throwable cause) {
    lost.complete(cause);
  }

  ReceivedTensor next() throws InterruptedException {
    ReceivedTensor t = tensors.poll(20, java.util.concurrent.TimeUnit.SECONDS);
    if (t == null) {
      throw new AssertionError("no tensor arrived within 20 s");
    }
    return t;
  }
}
