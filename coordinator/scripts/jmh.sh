#!/usr/bin/env bash
# Runs the coordinator's JMH benchmarks (test sources under io/zbpp/schedule/bench).
# Usage: coordinator/scripts/jmh.sh [JMH arguments], e.g.
#   coordinator/scripts/jmh.sh AutoSchedulerBench.zb2p -p p=32 -p m=256
#   coordinator/scripts/jmh.sh AutoSchedulerBench.zb2p -p p=8,16,32,64 -p m=3p,256,1024 -f 1 -wi 3 -i 5
#   add -bm sample for percentiles (median and minimum are steadier than the mean on a shared machine)
# Builds the test classes with the reactor (never installs) and takes the test classpath from
# `mvn dependency:build-classpath`; the JMH annotation processor writes META-INF/BenchmarkList at test-compile.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
mvn -B -q -pl coordinator -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath
if [[ ! -f coordinator/target/test-classes/META-INF/BenchmarkList ]]; then
  echo "jmh.sh: no META-INF/BenchmarkList in coordinator/target/test-classes: the JMH annotation processor did not run" >&2
  exit 1
fi
cp="coordinator/target/test-classes:coordinator/target/classes:$(cat coordinator/target/jmh.classpath)"
exec java -cp "$cp" org.openjdk.jmh.Main "$@"
