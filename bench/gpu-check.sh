#!/usr/bin/env bash
# GPU check: the chest-nodule-demo CNN on ONNX Runtime's CUDA execution provider vs the CPU, in one JVM and run
# (single-image p50/p95, batch-of-32 throughput, max output difference). For a machine with an NVIDIA GPU and CUDA 12;
# elsewhere it prints why CUDA is not usable and the CPU figures. Not part of the test suite (CI has no GPU).
# The appliance-level check on the same machine: ./mvnw -B verify -pl itests -Dit.test=GpuInferenceFeatureIT
# (with /dev/nvidia0 present it expects the example models on cuda:0 inside Karaf, with no CPU fallback line).
# Usage: bench/gpu-check.sh [single runs] [batches]
set -euo pipefail
cd "$(dirname "$0")/.."
ORT=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml | head -1)
if [ ! -f models/chest-nodule-demo/target/carebus-model-chest-nodule-demo-*.jar ] || [ ! -d bench/inference/target/classes ]; then
  ./mvnw -B -q install -DskipTests -pl models/model-tools,models/chest-nodule-demo,bench/inference -am
fi
mkdir -p bench/inference/target/gpu
GPU_JAR=bench/inference/target/gpu/onnxruntime_gpu-$ORT.jar
if [ ! -f "$GPU_JAR" ]; then
  # 0.6 GB: the GPU build of ONNX Runtime (CUDA 12), fetched only for this check and never shipped with the CPU one.
  ./mvnw -B -q dependency:copy -Dartifact=com.microsoft.onnxruntime:onnxruntime_gpu:$ORT -DoutputDirectory=bench/inference/target/gpu
fi
unzip -p models/chest-nodule-demo/target/carebus-model-chest-nodule-demo-*.jar model.onnx > bench/inference/target/gpu/chest-nodule.onnx
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi: not found"
# Only the GPU build on the class path: two ONNX Runtimes cannot live in one JVM.
exec java -cp "$GPU_JAR:bench/inference/target/classes" io.carebus.bench.inference.GpuCheck \
  bench/inference/target/gpu/chest-nodule.onnx "${1:-300}" "${2:-30}"
