package io.zbpp.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.msg.JobEpoch;
import io.zbpp.protocol.msg.TensorKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two Netty data planes on loopback in one JVM: frames, credits, TLS and lost links over real sockets. */
class NettyDataPlaneTest {
  private static final JobEpoch JOB = new JobEpoch("job-1", 3);
  private static final String HOST = "127.0.0.1";

  private final List<DataPlane> planes = new ArrayList<>();

  @AfterEach
  void closePlanes() {
    planes.forEach(DataPlane::close);
  }

  private NettyDataPlane plane(String id, DataPlaneConfig config, TensorSink sink) {
    NettyDataPlane p = NettyDataPlane.create(id, config, sink);
    planes.add(p);
    return p;
  }

  private static TensorHeader header(TensorKey key, int... shape) {
    List<Integer> s = new ArrayList<>();
    for (int d : shape) {
      s.add(d);
    }
    return new TensorHeader(JOB, key, s);
  }

  /** {@code n} bytes of a recognisable pattern (not all zero, not periodic in powers of two). */
  private static ByteBuffer pattern(int n, boolean direct, int seed) {
    ByteBuffer b = direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
    for (int i = 0; i < n; i++) {
      b.put(i, (byte) (i * 31 + seed + i / 251));
    }
    return b;
  }

  @Test
  void sendsActivationsDownAndGradientsBackOverOneLink() throws Exception {
    TensorInbox upInbox = new TensorInbox();
    TensorInbox downInbox = new TensorInbox();
    NettyDataPlane up = plane("stage-0", DataPlaneConfig.plain(), upInbox);
    NettyDataPlane down = plane("stage-1", DataPlaneConfig.plain(), downInbox);
    DataAddress address = down.bind(HOST, 0);

    DataLink toDown = up.connect(DataAddress.parse(address.toString()));
    float[] act = {1.5f, -2f, 3.25f, 0f, 7f, 8f};
    ByteBuffer bytes = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(act);
    TensorKey aKey = TensorKey.activation(4, 2, 1);
    toDown.send(header(aKey, 2, 3), bytes).get(10, TimeUnit.SECONDS);

    try (ReceivedTensor got = downInbox.take(JOB, aKey).get(10, TimeUnit.SECONDS)) {
      assertThat(got.header()).isEqualTo(header(aKey, 2, 3));
      assertThat(got.floats()).containsExactly(act);
    }
    DataLink toUp = down.link("stage-0").get(10, TimeUnit.SECONDS);
    assertThat(toUp.peerId()).isEqualTo("stage-0");
    assertThat(toDown.peerId()).isEqualTo("stage-1");
    TensorKey gKey = TensorKey.gradient(4, 2, 0);
    toUp.send(header(gKey, 1), ByteBuffer.allocateDirect(4).putFloat(0, 9f)).get(10, TimeUnit.SECONDS);
    try (ReceivedTensor got = upInbox.take(JOB, gKey).get(10, TimeUnit.SECONDS)) {
      assertThat(got.header().key()).isEqualTo(gKey);
      assertThat(got.data().order(ByteOrder.BIG_ENDIAN).getFloat(0)).isEqualTo(9f);
    }
    assertThat(bytes.position()).as("send leaves the caller's buffer as it was").isZero();
  }

  @Test
  void carriesFramesOf64MiBDirectAndHeapIntact() throws Exception {
    Recorder sink = new Recorder();
    NettyDataPlane a = plane("a", DataPlaneConfig.plain(), new Recorder());
    NettyDataPlane b = plane("b", DataPlaneConfig.plain(), sink);
    DataLink link = a.connect(b.bind(HOST, 0));
    ByteBuffer big = pattern(64 << 20, true, 1);
    ByteBuffer heap = pattern(40 << 20, false, 2);

    link.send(header(TensorKey.activation(0, 0, 0), 16 << 20), big).get(60, TimeUnit.SECONDS);
    link.send(header(TensorKey.activation(0, 1, 0), 10 << 20), heap).get(60, TimeUnit.SECONDS);

    try (ReceivedTensor first = sink.next()) {
      assertThat(first.header().expectedBytes()).isEqualTo(64L << 20);
      assertThat(first.data().mismatch(big)).isEqualTo(-1);
    }
    try (ReceivedTensor second = sink.next()) {
      assertThat(second.data().remaining()).isEqualTo(40 << 20);
      assertThat(second.data().mismatch(heap)).isEqualTo(-1);
    }
  }

  @Test
  void aSenderWaitsForCreditsWhileTheReceiverHoldsItsBuffers() throws Exception {
    Recorder sink = new Recorder();
    NettyDataPlane a = plane("a", DataPlaneConfig.plain(), new Recorder());
    NettyDataPlane b = plane("b", DataPlaneConfig.plain().withCredits(2), sink);
    DataLink link = a.connect(b.bind(HOST, 0));
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int mb = 0; mb < 4; mb++) {
      sent.add(link.send(header(TensorKey.activation(0, mb, 0), 1 << 16), pattern(1 << 18, true, mb)));
    }

    ReceivedTensor first = sink.next();
    ReceivedTensor second = sink.next();
    sent.get(1).get(10, TimeUnit.SECONDS);
    assertThat(sent.get(2)).as("third send, with both credits held").isNotDone();
    assertThat(sink.tensors).isEmpty();

    first.release();
    ReceivedTensor third = sink.next();
    assertThat(third.header().key().microbatch()).isEqualTo(2);
    sent.get(2).get(10, TimeUnit.SECONDS);
    assertThat(sent.get(3)).isNotDone();

    second.release();
    ReceivedTensor fourth = sink.next();
    assertThat(fourth.data().mismatch(pattern(1 << 18, true, 3))).isEqualTo(-1);
    sent.get(3).get(10, TimeUnit.SECONDS);
    third.release();
    fourth.release();
  }

  @Test
  void reportsALostLinkAndFailsTheSendsStillWaiting() throws Exception {
    Recorder aSink = new Recorder();
    Recorder bSink = new Recorder();
    NettyDataPlane a = plane("a", DataPlaneConfig.plain(), aSink);
    NettyDataPlane b = plane("b", DataPlaneConfig.plain().withCredits(1), bSink);
    DataLink link = a.connect(b.bind(HOST, 0));
    link.send(header(TensorKey.activation(0, 0, 0), 4), ByteBuffer.allocate(16)).get(10, TimeUnit.SECONDS);
    CompletableFuture<Void> waiting = link.send(header(TensorKey.activation(0, 1, 0), 4), ByteBuffer.allocate(16));
    bSink.next();

    b.close();

    Throwable cause = aSink.lost.get(10, TimeUnit.SECONDS);
    assertThat(cause).isInstanceOf(DataPlaneException.class).hasMessageContaining("data link to b");
    assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(DataPlaneException.class);
    assertThatThrownBy(() -> link.send(header(TensorKey.activation(0, 2, 0), 1), ByteBuffer.allocate(4))
        .get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(DataPlaneException.class);
    assertThat(bSink.lost).as("the side that closed reports nothing").isNotDone();
  }

  @Test
  void connectsWithMutualTlsWhenBothCertificatesComeFromTheCa(@TempDir Path dir) throws Exception {
    TestCerts ca = TestCerts.ca("zbpp test CA");
    TensorInbox inbox = new TensorInbox();
    NettyDataPlane server = plane("server", DataPlaneConfig.plain().withTls(ca.node(dir.resolve("s"), "s")), inbox);
    NettyDataPlane client = plane("client", DataPlaneConfig.plain().withTls(ca.node(dir.resolve("c"), "c")),
        new Recorder());
    assertThat(server.secure()).isTrue();

    DataLink link = client.connect(server.bind(HOST, 0));
    TensorKey key = TensorKey.activation(1, 0, 0);
    link.send(header(key, 1 << 20), pattern(4 << 20, true, 5)).get(30, TimeUnit.SECONDS);

    try (ReceivedTensor got = inbox.take(JOB, key).get(30, TimeUnit.SECONDS)) {
      assertThat(got.data().mismatch(pattern(4 << 20, true, 5))).isEqualTo(-1);
    }
  }

  @Test
  void refusesAPeerWithACertificateFromAnotherCaOrNone(@TempDir Path dir) throws Exception {
    TestCerts ca = TestCerts.ca("zbpp test CA");
    TestCerts other = TestCerts.ca("someone else's CA");
    Recorder sink = new Recorder();
    NettyDataPlane server = plane("server", DataPlaneConfig.plain().withTls(ca.node(dir.resolve("s"), "s")), sink);
    DataAddress address = server.bind(HOST, 0);
    DataPlaneConfig quick = new DataPlaneConfig(java.util.Optional.of(other.node(dir.resolve("x"), "x")), false,
        4, Duration.ofSeconds(10), Duration.ofSeconds(1));
    NettyDataPlane intruder = plane("intruder", quick, new Recorder());
    NettyDataPlane plain = plane("plain", DataPlaneConfig.plain(), new Recorder());

    assertThatThrownBy(() -> intruder.connect(address)).isInstanceOf(DataPlaneException.class)
        .hasMessageStartingWith("data plane intruder: cannot connect to " + address);
    assertThatThrownBy(() -> plain.connect(address)).isInstanceOf(DataPlaneException.class)
        .hasMessageStartingWith("data plane plain: cannot connect to " + address);
    assertThat(server.link("intruder")).isNotDone();
    assertThat(sink.lost).as("a link never accepted is not reported lost").isNotDone();
  }

  @Test
  void allowsPlainTcpOnLoopbackOnlyUnlessInsecure() {
    NettyDataPlane p = plane("p", DataPlaneConfig.plain(), new Recorder());

    assertThatThrownBy(() -> p.bind("0.0.0.0", 0)).isInstanceOf(DataPlaneException.class).hasMessage(
        "data plane p: plain TCP on [0.0.0.0] is allowed on loopback only; give a TLS directory or allow insecure");
    assertThatThrownBy(() -> p.connect(new DataAddress("192.0.2.1", 9))).isInstanceOf(DataPlaneException.class)
        .hasMessageContaining("plain TCP on [192.0.2.1] is allowed on loopback only");
    NettyDataPlane open = plane("open", DataPlaneConfig.plain().withInsecure(true), new Recorder());
    assertThat(open.bind("0.0.0.0", 0).port()).isPositive();
  }

  @Test
  void failsToConnectWhereNothingListens() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    NettyDataPlane p = plane("p", DataPlaneConfig.plain(), new Recorder());
    DataAddress nowhere = new DataAddress(HOST, port);

    assertThatThrownBy(() -> p.connect(nowhere)).isInstanceOf(DataPlaneException.class)
        .hasMessageStartingWith("data plane p: cannot connect to " + nowhere);
  }

  @Test
  void refusesAMissingTlsFileNamingIt(@TempDir Path dir) {
    assertThatThrownBy(() -> NettyDataPlane.create("p", DataPlaneConfig.plain().withTls(dir), new Recorder()))
        .isInstanceOf(DataPlaneException.class)
        .hasMessage("TLS directory " + dir + ": no readable tls.key (expected tls.key, tls.crt, ca.crt)");
  }
}
