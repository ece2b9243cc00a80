package io.zbpp.dataplane;

import java.util.concurrent.CompletableFuture;

/**
 * The tensor data plane of one stage host: activations and gradients move between neighbouring stages over
 * it, while programs, commands and reports stay Pekko messages (docs/transport.md). Each stage pair shares one
 * link: the upstream side {@link #connect}s to the downstream side's {@link #bind} address, learned from a
 * control message, and the downstream side finds the accepted link with {@link #link(String)}.
 *
 * <p>Everything received, on any link, goes to the {@link TensorSink} the plane was created with.
 * {@link NettyDataPlane} is the implementation across processes; {@link InMemoryDataPlane} hands tensors over
 * directly inside one JVM.
 */
public interface DataPlane extends AutoCloseable {
  /** This plane's name, unique among the planes of a job (e.g. the stage host's address or a stage id). */
  String id();

  /** Starts accepting links on {@code host}; port 0 picks a free port. Returns the address peers connect to. */
  DataAddress bind(String host, int port);

  /** Opens a link to the plane bound at {@code address}; returns once the peer has accepted it. */
  DataLink connect(DataAddress address);

  /** The link to or from the plane named {@code peerId}, once it is up (whichever side connected). */
  CompletableFuture<DataLink> link(String peerId);

  /**
   * From now on, the tensors this plane sends get the faults {@code faults} selects (tests and {@code --inject};
   * {@link FrameFaults#NONE} by default). The plane of one stage counts that stage's sends.
   *
   * @throws IllegalArgumentException for a fault kind this plane cannot inject, naming it
   */
  void frameFaults(FrameFaults faults);

  /** What this plane's integrity checks detected and what it sent again, so far. */
  FrameCounts frameCounts();

  /** Closes every link and stops accepting; pending sends fail. */
  @Override
  void close();
}
