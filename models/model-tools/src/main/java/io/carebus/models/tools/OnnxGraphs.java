package io.carebus.models.tools;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

/** Small real ONNX graphs for tests and examples, written with the ONNX protobuf classes Tribuo ships (opset 17). */
public final class OnnxGraphs {

    private OnnxGraphs() {
    }

    /** Logistic regression: input "features" [N, F] → Gemm(W, b) → Sigmoid → "probability" [N, 1]. */
    public static byte[] logisticRegression(float[] weights, float bias) {
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

    /**
     * A non-linear model: the logistic regression's probability squared ("probability" [N, 1]), so its log-odds are
     * not linear in the inputs (explainers must not treat it as linear).
     */
    public static byte[] squaredLogistic(float[] weights, float bias) {
        int f = weights.length;
        TensorProto w = TensorProto.newBuilder().setName("W").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(f).addDims(1).addAllFloatData(boxed(weights)).build();
        TensorProto b = TensorProto.newBuilder().setName("B").setDataType(TensorProto.DataType.FLOAT.getNumber())
                .addDims(1).addFloatData(bias).build();
        GraphProto graph = GraphProto.newBuilder().setName("squared-logistic")
                .addInitializer(w).addInitializer(b)
                .addInput(floatInput("features", -1, f))
                .addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("features").addInput("W").addInput("B").addOutput("logit"))
                .addNode(NodeProto.newBuilder().setOpType("Sigmoid").addInput("logit").addOutput("p"))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("p").addInput("p").addOutput("probability"))
                .addOutput(floatInput("probability", -1, 1))
                .build();
        return model(graph);
    }

    /** A float initializer of the given shape (row-major data). */
    public static TensorProto floatTensor(String name, float[] data, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
        for (long d : dims) {
            t.addDims(d);
        }
        return t.addAllFloatData(boxed(data)).build();
    }

    /** An integer-list attribute (kernel_shape, strides, pads). */
    public static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    public static NodeProto node(String op, String[] inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
        for (String in : inputs) {
            n.addInput(in);
        }
        for (AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        return n.build();
    }

    public static ValueInfoProto floatInput(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
    }

    public static byte[] model(GraphProto graph) {
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
