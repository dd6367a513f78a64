/** Stages the GPU build of ONNX Runtime's natives for the framework (private to the bundle). */
package io.carebus.thirdparty.onnxruntime.gpu;
