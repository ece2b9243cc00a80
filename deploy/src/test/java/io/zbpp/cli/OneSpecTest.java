package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.zbpp.client.JobSpecs;
import io.zbpp.protocol.jobs.JobSpec;
import io.zbpp.protocol.msg.ResolvedJob;
import io.zbpp.runtime.JobSpecFlags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * One job spec: {@code zbpp train}'s options, a spec file and the job API give the same {@link JobSpec} and the
 * same resolved job, through one resolution; every spec field has its option.
 */
class OneSpecTest {
  private static TrainJob train(String... args) {
    CommandLine cl = new CommandLine(new TrainCommand());
    cl.parseArgs(args);
    return ((TrainCommand) cl.getCommand()).resolve();
  }

  private static JobSpec assertSameJob(String specFile, String... args) {
    JobSpec file = SpecFiles.parse("spec.yaml", specFile, true);
    TrainJob api = TrainJobRunner.resolve(file);
    TrainJob cli = train(args);
    ResolvedJob fromCli = cli.spec().toResolvedJob("j");
    ResolvedJob fromApi = api.spec().toResolvedJob("j");
    assertThat(fromCli.spec()).isEqualTo(file.toBuilder().clearName().build());
    assertThat(fromApi.spec()).isEqualTo(file);
    assertThat(fromApi).isEqualTo(new ResolvedJob(fromCli.jobId(), fromCli.schedule(), fromCli.planText(),
        fromCli.stages(), fromCli.microbatches(), fromCli.chunksPerStage(), fromCli.iterations(), fromCli.costF(),
        fromCli.costB(), fromCli.costW(), fromCli.costComm(), fromCli.model(), fromCli.memLimit(),
        fromCli.memLimitFactor(), fromCli.frameBytes(), fromCli.optimizer(), fromCli.memF(), fromCli.memB(),
        fromCli.memW(), fromCli.modelSpec(), file));
    assertThat(api.spec().dataPlane()).isEqualTo(cli.spec().dataPlane());
    assertThat(api.runner()).isEqualTo(cli.runner());
    return file;
  }

  @Test
  void aSpecFileAndTrainsOptionsGiveTheSameSpecAndResolvedJob() {
    assertSameJob("""
        name: tiny
        schedule: zb-2p
        stages: 2
        microbatches: 4
        iterations: 3
        model: tiny
        seed: 11
        clipNorm: 1.5
        memF: [2, 3]
        memLimitFactor: 2
        costComm: 0.25
        dataPlane: netty
        """, "--schedule", "zb-2p", "--stages", "2", "--microbatches", "4", "--iterations", "3", "--model", "tiny",
        "--seed", "11", "--clip-norm", "1.5", "--mem-f", "2,3", "--mem-limit-factor", "2", "--cost-comm", "0.25",
        "--data-plane", "netty");
  }

  @Test
  void theEmulatedBackendsOptionsAreSpecFieldsToo() {
    JobSpec file = assertSameJob("""
        schedule: zb-h1
        stages: 2
        microbatches: 4
        iterations: 20
        model: 1.5b
        backend: emulated
        costF: [1, 2]
        costB: [1]
        costW: [0.5]
        trueCostF: [2]
        trueCostW: [1, 0.25]
        slowdown: ["1:1.5@10"]
        timeScale: 0.5
        longRun: true
        chunks: 1
        """, "--schedule", "zb-h1", "--stages", "2", "--microbatches", "4", "--iterations", "20", "--model",
        "1.5b", "--backend", "emulated", "--cost-f", "1,2", "--cost-b", "1", "--cost-w", "0.5", "--true-cost-f",
        "2", "--true-cost-w", "1,0.25", "--slowdown", "1:1.5@10", "--time-scale", "0.5", "--long-run",
        "--chunks", "1");
    assertThat(JobSpecs.builder("zb-h1", 2, 4).iterations(20).model("1.5b").backend("emulated").chunks(1)
        .costs(List.of(1.0, 2.0), List.of(1.0), List.of(0.5), 0)
        .trueCosts(List.of(2.0), List.<Double>of(), List.of(1.0, 0.25))
        .slowdown(1, 1.5, 10).timeScale(0.5).longRun(true).build()).isEqualTo(file);
  }

  @Test
  void oneCheckNamesTheOptionOnTheCommandLineAndTheFieldInTheApi() {
    JobSpec bad = JobSpecFlags.spec(Map.of("--schedule", "1f1b", "--stages", 2, "--microbatches", 2,
        "--iterations", 1, "--model", "tiny", "--true-cost-f", "2"));
    assertThat(bad.getTrueCostFList()).containsExactly(2.0);
    assertThatThrownBy(() -> train(JobSpecFlags.args(bad).toArray(String[]::new)))
        .isInstanceOf(UsageException.class).hasMessageStartingWith("--true-cost-f [2]: ");
    assertThatThrownBy(() -> TrainJobRunner.resolve(bad)).hasMessageStartingWith("trueCostF [2]: ");
  }

  @Test
  void everySpecFieldHasATrainOptionOrIsTheApisOwn() {
    CommandLine train = new CommandLine(new TrainCommand());
    Map<String, String> flags = JobSpecFlags.flags();
    for (FieldDescriptor f : JobSpec.getDescriptor().getFields()) {
      String field = f.getJsonName();
      if (JobSpecFlags.API_ONLY.contains(field)) {
        assertThat(flags).as(field).doesNotContainKey(field);
      } else {
        assertThat(flags).as(field + " has no zbpp train option").containsKey(field);
        assertThat(train.getCommandSpec().findOption(flags.get(field))).as(flags.get(field)).isNotNull();
      }
    }
    assertThat(flags.keySet()).allMatch(k -> JobSpec.getDescriptor().getFields().stream()
        .anyMatch(f -> f.getJsonName().equals(k)));
    assertThat(List.copyOf(flags.values())).doesNotHaveDuplicates();
  }
}
