package io.zbpp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zbpp.logging.LogContext;
import io.zbpp.protocol.msg.IterationReport;
import io.zbpp.protocol.msg.JobEpoch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * The CLI's logging configuration (src/main/resources/logback.xml) as {@code ZBPP_LOG_FORMAT} chooses it: JSON
 * lines with the MDC's job, epoch, iteration and stage, or human-readable lines; a bad value is one line.
 */
class LogFormatTest {
  @AfterEach
  void clear() {
    System.clearProperty(LogFormat.PROPERTY);
    MDC.clear();
  }

  /** Logs one INFO line with the MDC of a stage's iteration report through a fresh context of the main config. */
  private static String logOneLine(String format) throws Exception {
    assertThat(LogFormat.apply(format)).isEmpty();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(MDC.getMDCAdapter()); // the adapter org.slf4j.MDC writes to
    context.putProperty("ZBPP_LOG_LEVEL", "INFO");
    JoranConfigurator config = new JoranConfigurator();
    config.setContext(context);
    config.doConfigure(LogFormatTest.class.getClassLoader().getResource("logback.xml"));
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Logger log = context.getLogger("io.zbpp.runtime.Coordinator");
      MDC.setContextMap(LogContext.of(new IterationReport(new JobEpoch("job-7", 3), 2, 5, List.of(), List.of(), 0)));
      log.info("stage {} reported", 2);
    } finally {
      System.setErr(err);
      context.stop();
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  @Test
  void jsonLinesCarryJobEpochIterationAndStage() throws Exception {
    String out = logOneLine("json");
    assertThat(out.lines()).hasSize(1);
    JsonNode line = new ObjectMapper().readTree(out);
    assertThat(line.get("message").asText()).isEqualTo("stage 2 reported");
    assertThat(line.get("level").asText()).isEqualTo("INFO");
    assertThat(line.get("logger_name").asText()).isEqualTo("io.zbpp.runtime.Coordinator");
    assertThat(line.get("job").asText()).isEqualTo("job-7");
    assertThat(line.get("epoch").asText()).isEqualTo("3");
    assertThat(line.get("iteration").asText()).isEqualTo("5");
    assertThat(line.get("stage").asText()).isEqualTo("2");
    assertThat(line.has("@timestamp")).isTrue();
  }

  @Test
  void textIsTheDefaultAndHumanReadable() throws Exception {
    for (String format : new String[] {null, "", "TEXT"}) {
      String out = logOneLine(format);
      assertThat(out).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  io\\.zbpp\\.runtime\\.Coordinator - stage 2 reported\\R");
    }
  }

  @Test
  void anUnknownFormatIsOneLineNamingTheVariable() {
    assertThat(LogFormat.apply("xml")).hasValue("ZBPP_LOG_FORMAT [xml]: unknown log format; expected text or json");
    assertThat(System.getProperty(LogFormat.PROPERTY)).isNull();
  }

  @Test
  void theLogContextOfMessagesWithoutAnIterationHasJobAndEpoch() {
    assertThat(LogContext.of(new io.zbpp.protocol.msg.StopStage(new JobEpoch("j", 1))))
        .containsOnlyKeys("job", "epoch").containsEntry("job", "j");
    assertThat(LogContext.of("not a record")).isEmpty();
  }
}
