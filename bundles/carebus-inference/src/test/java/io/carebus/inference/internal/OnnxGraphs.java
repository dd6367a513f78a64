package io.carebus.inference.internal;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/** Real ONNX graphs for the tests, written with the ONNX protobuf classes (opset 17). */
final class OnnxGraphs {

    private OnnxGraphs() {
    }

    /** Logistic regression: input "features" [N, F] → Gemm(W, b) → Sigmoid → "probability" [N, 1]. */
    static byte[] logisticRegression(float[] weights, float bias) {
        int f = weights.length;
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(f).addDims(1).addAllFloatData(boxed(weights)).build();
        TensorProto b = TensorProto.newBuilder().setName("B").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(1).addFloatData(bias).build();
        GraphProto graph = GraphProto.newBuilder().setName("logistic-regression")
                .addInitializer(w).addInitializer(b)
                .addInput(floatInput("features", -1, f))
                .addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("features").addInput("W").addInput("B").addOutput("logit")
                        .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(1f)))
                .addNode(NodeProto.newBuilder().setOpType("Sigmoid").addInput("logit").addOutput("probability"))
                .addOutput(floatInput("probability", -1, 1))
                .build();
        return model(graph);
    }

    static ValueInfoProto floatInput(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }

    static byte[] model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("carebus-tests")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17)).setGraph(graph).build().toByteArray();
    }

    private static java.util.List<Float> boxed(float[] values) {
        java.util.List<Float> list = new java.util.ArrayList<>();
        for (float v : values) {
            list.add(v);
        }
        return list;
    }
}
