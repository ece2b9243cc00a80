package io.zbpp.transport;

import io.zbpp.dataplane.DataAddress;
import io.zbpp.dataplane.DataLink;
import io.zbpp.dataplane.DataPlaneConfig;
import io.zbpp.dataplane.NettyDataPlane;
import io.zbpp.dataplane.ReceivedTensor;
import io.zbpp.dataplane.TensorHeader;
import io.zbpp.dataplane.TensorSink;
import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The data plane as the runtime uses it: a {@link NettyDataPlane} link with the default credits. */
final class NettyProbe implements Probe {
  static final JobEpoch JOB = new JobEpoch("bench", 1);

  private final String transport;
  private final NettyDataPlane plane;
  private final DataLink link;
  private final ByteBuffer payload;
  private final LinkedBlockingQueue<Object> acks = new LinkedBlockingQueue<>();
  /** Numbers every tensor this probe sends: a key names one tensor, and the plane drops a repeated key. */
  private long sent;

  /** {@code transport} names the row; {@code config} says plain TCP or TLS. */
  NettyProbe(String transport, DataPlaneConfig config, int port, ByteBuffer payload) {
    this.transport = transport;
    this.plane = NettyDataPlane.create("bench", config, new TensorSink() {
      @Override
      public void onTensor(DataLink from, ReceivedTensor tensor) {
        acks.add(tensor.data().order(java.nio.ByteOrder.BIG_ENDIAN).getLong(0));
        tensor.release();
      }

      @Override
      public void onLinkLost(DataLink from, Throwable cause) {
        acks.add(cause);
      }
    });
    this.link = plane.connect(new DataAddress("127.0.0.1", port));
    this.payload = payload;
  }

  @Override
  public String transport() {
    return transport;
  }

  @Override
  public void send(long seq, int bytes) {
    long n = sent++;
    TensorHeader h = new TensorHeader(JOB, TensorKey.activation((int) (n >>> 20), (int) (n & 0xFFFFF), 0),
        List.of(bytes / 4));
    link.send(h, payload.duplicate().position(0).limit(bytes)).whenComplete((v, e) -> {
      if (e != null) {
        acks.add(e);
      }
    });
  }

  @Override
  public long awaitAck() throws Exception {
    Object a = acks.poll(60, TimeUnit.SECONDS);
    if (a instanceof Long arrival) {
      return arrival;
    }
    throw new IllegalStateException(transport + ": " + (a == null ? "no ack within 60 s" : a.toString()));
  }

  @Override
  public void close() {
    plane.close();
  }
}
