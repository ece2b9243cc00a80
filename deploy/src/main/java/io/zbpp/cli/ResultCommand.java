package io.zbpp.cli;

import io.zbpp.client.ZbppClient;
import io.zbpp.protocol.jobs.JobResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code zbpp result ID}: a succeeded job's losses, digest and bubble rates. */
@Command(name = "result", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Print the result of a succeeded job of the job API: losses and parameter digest.")
final class ResultCommand extends OneJobCommand {
  @Option(names = "--json", description = "Print one JSON object (id, state, losses, paramsSha256, …).")
  boolean json;

  @Override
  int run(ZbppClient c) {
    JobResult r = c.result(id);
    if (json) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("id", r.getId());
      o.put("state", lower(r.getState()));
      o.put("schedule", r.getSchedule());
      o.put("losses", Json.exact(r.getLossesList()));
      o.put("paramsSha256", r.getParamsSha256());
      o.put("predictedBubbleRate", r.getPredictedBubbleRate());
      o.put("realizedBubbleRate", r.getRealizedBubbleRate());
      o.put("iterationMillis", r.getIterationMillisList());
      o.put("samplesPerSecond", r.getSamplesPerSecond());
      out().println(Json.write(o));
      return 0;
    }
    List<String> losses = new ArrayList<>();
    r.getLossesList().forEach(l -> losses.add(String.format(Locale.ROOT, "%.4f", l)));
    out().printf(Locale.ROOT, "%s %s  %s%nlosses %s%nbubble rate: predicted %.4f, realized %.4f%n"
        + "paramsSha256 %s%n", r.getId(), lower(r.getState()), r.getSchedule(), String.join(" ", losses),
        r.getPredictedBubbleRate(), r.getRealizedBubbleRate(), r.getParamsSha256());
    return 0;
  }
}
