#!/usr/bin/env bash
# Regenerates the "Every command and option" section of README.md from the CLI's own --help texts, so that
# the README documents exactly the options the built launcher accepts. Run after `mvn -B -q -DskipTests package`.
set -euo pipefail
cd "$(dirname "$0")/.."
begin='<!-- help:begin -->'
end='<!-- help:end -->'
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
  echo "$begin"
  for c in "" schedule check train demo "bench paper" "bench runtime" "bench ops" "bench postval" "bench transport" \
    coordinator worker certs submit jobs status watch cancel result job-server; do
    echo
    echo "### \`zbpp${c:+ $c} --help\`"
    echo
    echo '```'
    # shellcheck disable=SC2086
    ./zbpp $c --help
    echo '```'
  done
  echo
  echo "$end"
} > "$tmp"
python3 - "$begin" "$end" "$tmp" <<'PY'
import sys
begin, end = sys.argv[1], sys.argv[2]
readme = open('README.md').read()
help_ = open(sys.argv[3]).read().rstrip('\n')
head, _, rest = readme.partition(begin)
_, _, tail = rest.partition(end)
open('README.md', 'w').write(head + help_ + tail)
PY
echo "README.md: help section regenerated"
