package io.zbpp.protocol.msg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProgramInstructionTest {
  @ParameterizedTest
  @CsvSource({
      "2SEND_B5, 2, SEND_B, 5, 2",
      "1RECV_F3.5, 1, RECV_F, 3, 5",
      "3F7, 3, F, 7, 3",
      "0BW2.7, 0, BW, 2, 7",
      "3LOSS11, 3, LOSS, 11, 3",
      "0STEP, 0, STEP, -1, 0",
      "0STEP.7, 0, STEP, -1, 7",
      "2NORM.5, 2, NORM, -1, 5",
      "1SEND_PARTIAL, 1, SEND_PARTIAL, -1, 1",
      "2RECV_PARTIAL, 2, RECV_PARTIAL, -1, 2",
      "3SEND_FULL, 3, SEND_FULL, -1, 3",
      "0RECV_FULL, 0, RECV_FULL, -1, 0",
      "0VALIDATE.7, 0, VALIDATE, -1, 7"})
  void printsAndParsesTheSameToken(String text, int stage, ProgramOp op, int mb, int chunk) {
    ProgramInstruction in = new ProgramInstruction(stage, op, mb, chunk);

    assertThat(in.toString()).isEqualTo(text);
    assertThat(ProgramInstruction.parse(text)).isEqualTo(in);
  }

  @ParameterizedTest
  @ValueSource(strings = {"F3", "2STEP4", "1NORM3", "1VALIDATE0", "2SEND_F", "2SEND_X3", "2F3.", ""})
  void rejectsMalformedTokens(String text) {
    assertThatThrownBy(() -> ProgramInstruction.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad program instruction [" + text + "]");
  }

  @Test
  void programLinesRoundTrip() {
    String line = "1: RECV_F0.1 F0 SEND_F0 RECV_B0 B0 SEND_B0 W0 STEP";
    String printed = "1: 1RECV_F0 1F0 1SEND_F0 1RECV_B0 1B0 1SEND_B0 1W0 1STEP";
    StageProgram p = StageProgram.parse(printed);

    assertThat(p.toString()).isEqualTo(printed);
    assertThat(p.chunks()).containsExactly(1);
    assertThatThrownBy(() -> StageProgram.parse(line)).isInstanceOf(IllegalArgumentException.class);
  }
}
