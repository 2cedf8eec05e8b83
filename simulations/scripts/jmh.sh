#!/usr/bin/env bash
# Microbenchmarks of the data plane's stages (JMH), compiled with the node's tests:
#   simulations/scripts/jmh.sh                        every benchmark, JMH's defaults as each class sets them
#   simulations/scripts/jmh.sh CipherWorkersBenchmark -p workers=1,2   JMH's own arguments pass through
# Needs a JDK and Maven; no root. Prints JMH's table; docs/PERFORMANCE.md keeps the figures with the machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o install -DskipTests -pl protocol >/dev/null 2>&1 || mvn -B -q install -DskipTests -pl protocol
mvn -B -q test-compile -pl node
cp=$(mktemp)
trap 'rm -f "$cp"' EXIT
mvn -B -q dependency:build-classpath -pl node -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >/dev/null
java=java
for j in /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; do [ -x "$j" ] && java=$j; done
lscpu | sed -n 's/^Model name: *//p'
"$java" -cp "node/target/test-classes:node/target/classes:$(cat "$cp")" org.openjdk.jmh.Main "${@:-CipherWorkersBenchmark}"
