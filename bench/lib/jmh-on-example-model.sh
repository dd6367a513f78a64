#!/usr/bin/env bash
# Shared by the JMH benchmarks that run on the signed sepsis-risk example model (bench/inference, bench/explain):
# builds what is missing, then runs JMH for one benchmark class with the model and the demo trust store as system
# properties, writing the text results to bench/<module>/target/jmh.txt.
# Usage (from a bench's run.sh): jmh_on_example_model <module> <benchmark class> [JMH options]
jmh_on_example_model() {
    local module=$1 class=$2
    shift 2
    local jar
    jar=$(ls models/sepsis-risk/target/carebus-model-sepsis-risk-*.jar 2>/dev/null | head -1 || true)
    if [ ! -d "bench/$module/target/lib" ] || [ -z "$jar" ]; then
        ./mvnw -B -q -DskipTests install
        jar=$(ls models/sepsis-risk/target/carebus-model-sepsis-risk-*.jar | head -1)
    fi
    java -cp "bench/$module/target/classes:bench/$module/target/lib/*" org.openjdk.jmh.Main \
        -jvmArgsAppend "-Dcarebus.model=$PWD/$jar -Dcarebus.trust=$PWD/etc/carebus-model-trust.p12" \
        -rf text -rff "bench/$module/target/jmh.txt" "$@" "$class"
}
