package io.zbpp.protocol.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zbpp.protocol.Wire;
import io.zbpp.protocol.msg.OptimizerOptions;
import io.zbpp.protocol.msg.ProgramOp;
import io.zbpp.protocol.msg.TensorKind;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class WireEnumsTest {
  static Stream<WireEnums.Mapping<?, ?>> mappings() {
    return WireEnums.ALL.stream();
  }

  @ParameterizedTest
  @MethodSource("mappings")
  void everyJavaConstantHasAWireValueAndEveryWireValueAJavaConstant(WireEnums.Mapping<?, ?> m) {
    assertThat(m.unmatched()).as(m.javaEnum().getName()).isEmpty();
  }

  @Test
  void everyEnumOfTheWireHasAJavaTwinExceptTheDtype() {
    List<String> mapped = WireEnums.ALL.stream().map(m -> m.wireEnum().getSimpleName()).toList();
    List<String> declared = Wire.getDescriptor().getEnumTypes().stream().map(e -> e.getName())
        .filter(n -> !n.equals("DType")).toList(); // float32 only: no Java enum (WireCodec checks it)
    assertThat(mapped).containsExactlyInAnyOrderElementsOf(declared);
  }

  @ParameterizedTest
  @EnumSource(ProgramOp.class)
  void programOpsTravelByNameAndComeBack(ProgramOp op) {
    Wire.ProgramOp w = WireEnums.PROGRAM_OP.toWire(op);
    assertThat(w.name()).isEqualTo("OP_" + op.name());
    assertThat(WireEnums.PROGRAM_OP.fromWire(w)).isEqualTo(op);
  }

  @Test
  void theNumbersAreTheProtoFilesNotTheJavaOrder() {
    assertThat(WireEnums.PROGRAM_OP.toWire(ProgramOp.VALIDATE).getNumber()).isEqualTo(15);
    assertThat(WireEnums.TENSOR_KIND.toWire(TensorKind.PARAMETER).getNumber()).isEqualTo(2);
    assertThat(WireEnums.CHECK.toWire(OptimizerOptions.Check.POST_VALIDATION).getNumber()).isEqualTo(2);
    assertThat(WireEnums.ROLLBACK.toWire(OptimizerOptions.Rollback.IN_PLACE).getNumber()).isEqualTo(1);
  }

  @Test
  void aJavaConstantWithoutAWireValueIsReportedByName() {
    enum Extra { NONE, SYNC, POST_VALIDATION, LATER }
    var m = new WireEnums.Mapping<>(Extra.class, Wire.OptimizerCheck.class, "CHECK_");
    assertThat(m.unmatched()).isEqualTo(List.of("Extra.LATER"));
    assertThatThrownBy(() -> m.toWire(Extra.LATER)).hasMessage(
        "Extra.LATER has no wire value in io.zbpp.protocol.Wire$OptimizerCheck");
  }

  @Test
  void anUnknownWireValueIsRejectedNotGuessed() {
    assertThatThrownBy(() -> WireEnums.CHECK.fromWire(Wire.OptimizerCheck.UNRECOGNIZED))
        .hasMessageStartingWith("OptimizerCheck [UNRECOGNIZED]: unknown here; expected one of [CHECK_NONE");
  }
}
