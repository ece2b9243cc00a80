package io.zbpp.checkpoint;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.zbpp.protocol.checkpoint.Manifest;
import io.zbpp.protocol.checkpoint.ShardEntry;
import io.zbpp.protocol.serialization.ShardCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoints in a directory: {@code DIR/ckpt-000010/stage-2.bin} per shard and {@code DIR/ckpt-000010/MANIFEST.json}.
 * A file is written to a temporary name in the same directory, forced to disk, renamed over its name (atomic),
 * and the directory is forced too, so that after a crash a name holds either nothing or the whole file. Several
 * processes may write shards of one checkpoint at once (one file each); the manifest comes from one writer.
 */
public final class DirectoryCheckpointStore implements CheckpointStore {
  /** The manifest's file name. */
  public static final String MANIFEST = "MANIFEST.json";
  /** How many complete checkpoints a store keeps unless told otherwise. */
  public static final int DEFAULT_KEEP = 3;

  private static final Pattern CHECKPOINT = Pattern.compile("ckpt-(\\d{6,})");

  /** The points of an atomic write, for crash-consistency tests. */
  public enum Step {
    /** The temporary file is written and forced; the rename has not happened. */
    BEFORE_RENAME,
    /** The file has its name; the directory is not forced yet. */
    AFTER_RENAME
  }

  /** Called at each {@link Step} of every write; a test's hook throws there to stand for a crash. */
  @FunctionalInterface
  public interface Hook {
    void at(Step step, Path file) throws IOException;
  }

  private final Path dir;
  private final int keep;
  private final Hook hook;

  public DirectoryCheckpointStore(Path dir, int keep) {
    this(dir, keep, (s, f) -> { });
  }

  public DirectoryCheckpointStore(Path dir, int keep, Hook hook) {
    if (keep < 1) {
      throw new IllegalArgumentException("checkpointKeep [" + keep + "]: must be at least 1");
    }
    this.dir = dir;
    this.keep = keep;
    this.hook = hook;
  }

  @Override
  public int keep() {
    return keep;
  }

  @Override
  public String location() {
    return dir.toString();
  }

  @Override
  public ShardEntry writeShard(int iteration, int stage, byte[] bytes) throws IOException {
    Path ckpt = dir.resolve(CheckpointStore.name(iteration));
    Files.createDirectories(ckpt);
    forceDirectory(dir);
    String file = "stage-" + stage + ".bin";
    atomicWrite(ckpt.resolve(file), bytes);
    return ShardEntry.newBuilder().setStage(stage).setFile(file).setSha256(sha256(bytes)).setBytes(bytes.length)
        .build();
  }

  @Override
  public void commit(Manifest manifest) throws IOException {
    Path ckpt = dir.resolve(CheckpointStore.name(manifest.getIteration()));
    if (!Files.isDirectory(ckpt)) {
      throw new NoSuchFileException(ckpt + ": no shards were written");
    }
    atomicWrite(ckpt.resolve(MANIFEST), JsonFormat.printer().print(manifest).getBytes(StandardCharsets.UTF_8));
    prune(manifest.getIteration());
  }

  /** Keeps the newest {@code keep} complete checkpoints; removes older ones and older incomplete leftovers. */
  private void prune(int committed) throws IOException {
    List<Entry> all = list();
    List<Entry> complete = all.stream().filter(Entry::complete).toList();
    for (int i = 0; i < complete.size() - keep; i++) {
      discard(complete.get(i).iteration());
    }
    for (Entry e : all) {
      if (!e.complete() && e.iteration() < committed) {
        discard(e.iteration());
      }
    }
  }

  @Override
  public void discard(int iteration) throws IOException {
    Path ckpt = dir.resolve(CheckpointStore.name(iteration));
    if (!Files.isDirectory(ckpt)) {
      return;
    }
    Files.deleteIfExists(ckpt.resolve(MANIFEST)); // first: from here on the checkpoint does not exist
    forceDirectory(ckpt);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(ckpt)) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(ckpt);
    forceDirectory(dir);
  }

  @Override
  public List<Entry> list() throws IOException {
    List<Entry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path d : dirs) {
        Matcher m = CHECKPOINT.matcher(d.getFileName().toString());
        if (m.matches()) {
          out.add(entry(Integer.parseInt(m.group(1)), d));
        }
      }
    }
    out.sort(Comparator.comparingInt(Entry::iteration));
    return out;
  }

  private Entry entry(int iteration, Path d) throws IOException {
    String name = d.getFileName().toString();
    long bytes = 0;
    try (DirectoryStream<Path> files = Files.newDirectoryStream(d)) {
      for (Path f : files) {
        try {
          bytes += Files.size(f);
        } catch (NoSuchFileException gone) {
          // a shard's temporary file renamed (or a pruned file removed) by a write going on meanwhile
        }
      }
    }
    Path manifest = d.resolve(MANIFEST);
    if (!Files.exists(manifest)) {
      return new Entry(iteration, name, false, bytes, Optional.empty(), "no manifest (incomplete)");
    }
    try {
      Manifest.Builder b = Manifest.newBuilder();
      JsonFormat.parser().merge(Files.readString(manifest, StandardCharsets.UTF_8), b);
      Manifest parsed = b.build();
      if (parsed.getFormatVersion() != ShardCodec.FORMAT_VERSION) {
        return new Entry(iteration, name, false, bytes, Optional.empty(), MANIFEST + " has format "
            + parsed.getFormatVersion() + ", expected " + ShardCodec.FORMAT_VERSION);
      }
      if (parsed.getIteration() != iteration) {
        return new Entry(iteration, name, false, bytes, Optional.empty(), MANIFEST + " is of iteration "
            + parsed.getIteration());
      }
      return new Entry(iteration, name, true, bytes, Optional.of(parsed), "");
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return new Entry(iteration, name, false, bytes, Optional.empty(), MANIFEST + " does not parse: "
          + e.getMessage().lines().findFirst().orElse(""));
    }
  }

  @Override
  public Optional<String> verify(int iteration) throws IOException {
    String name = CheckpointStore.name(iteration);
    Path d = dir.resolve(name);
    if (!Files.isDirectory(d)) {
      return Optional.of(name + ": no such checkpoint in " + dir);
    }
    Entry e = entry(iteration, d);
    if (!e.complete()) {
      return Optional.of(name + ": " + e.problem());
    }
    for (ShardEntry s : e.manifest().orElseThrow().getShardsList()) {
      try {
        readShard(iteration, s);
      } catch (IOException x) {
        return Optional.of(x.getMessage());
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<Manifest> latest(Consumer<String> warn) throws IOException {
    List<Entry> all = new ArrayList<>(list());
    all.sort(Comparator.comparingInt(Entry::iteration).reversed());
    for (Entry e : all) {
      if (e.complete()) {
        Optional<String> bad = verify(e.iteration());
        if (bad.isEmpty()) {
          return e.manifest();
        }
        warn.accept("checkpoint " + bad.get() + "; trying the one before");
      }
    }
    return Optional.empty();
  }

  @Override
  public byte[] readShard(int iteration, ShardEntry entry) throws IOException {
    Path f = dir.resolve(CheckpointStore.name(iteration)).resolve(entry.getFile());
    String where = CheckpointStore.name(iteration) + "/" + entry.getFile();
    if (!Files.isRegularFile(f)) {
      throw new NoSuchFileException(where + ": missing");
    }
    byte[] bytes = Files.readAllBytes(f);
    if (bytes.length != entry.getBytes()) {
      throw new IOException(where + ": " + bytes.length + " bytes, the manifest says " + entry.getBytes());
    }
    String sha = sha256(bytes);
    if (!sha.equals(entry.getSha256())) {
      throw new IOException(where + ": SHA-256 " + sha.substring(0, 12) + "… does not match the manifest's "
          + entry.getSha256().substring(0, Math.min(12, entry.getSha256().length())) + "… (corrupt)");
    }
    return bytes;
  }

  private void atomicWrite(Path target, byte[] bytes) throws IOException {
    Path parent = target.getParent();
    Path tmp = Files.createTempFile(parent, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      hook.at(Step.BEFORE_RENAME, target);
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(parent + ": the file system cannot rename atomically", e);
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp); // a failed write leaves nothing behind (a crash may leave the temporary file)
      throw e;
    }
    hook.at(Step.AFTER_RENAME, target);
    forceDirectory(parent);
  }

  private static void forceDirectory(Path d) throws IOException {
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** The hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
