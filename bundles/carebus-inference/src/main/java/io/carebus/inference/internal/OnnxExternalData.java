package io.carebus.inference.internal;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Optional;

/**
 * Finds tensors whose data lives outside the ONNX file ({@code data_location = EXTERNAL}). A session opened from
 * bytes resolves such a location against the engine's working directory, so a vendor's graph could read any file
 * the engine can (keys, the database) into a tensor; model bundles must carry their weights inside the graph.
 *
 * <p>The walk reads the protobuf wire format with protobuf's own decoder and knows only the ONNX field numbers
 * that lead to tensors (onnx.proto3): model → graph, functions and training graphs → nodes → attributes → tensors
 * and sub-graphs. Nesting depth is capped, so a hostile graph cannot exhaust the stack.
 */
final class OnnxExternalData {

    private static final int MAX_DEPTH = 64;

    private enum Kind { MODEL, GRAPH, FUNCTION, TRAINING, NODE, ATTRIBUTE, TENSOR, SPARSE_TENSOR }

    private OnnxExternalData() {
    }

    /** The name (or field path) of the first external tensor, or empty when every tensor is inside the file. */
    static Optional<String> firstExternalTensor(byte[] model) throws ModelRefusedException {
        try {
            return walk(CodedInputStream.newInstance(model), Kind.MODEL, 0);
        } catch (IOException e) {
            throw new ModelRefusedException("the ONNX file is not a readable protobuf message: " + e.getMessage());
        }
    }

    private static Optional<String> walk(CodedInputStream in, Kind kind, int depth) throws IOException, ModelRefusedException {
        if (depth > MAX_DEPTH) {
            throw new ModelRefusedException("the ONNX graph nests deeper than " + MAX_DEPTH + " levels");
        }
        String tensorName = null;
        boolean external = false;
        Optional<String> found = Optional.empty();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int field = WireFormat.getTagFieldNumber(tag);
            Kind child = child(kind, field);
            if (kind == Kind.TENSOR && field == 14 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_VARINT) {
                external |= in.readEnum() == 1; // TensorProto.DataLocation.EXTERNAL
            } else if (kind == Kind.TENSOR && field == 13) {
                external = true; // external_data entries are only meaningful for external tensors
                in.skipField(tag);
            } else if (kind == Kind.TENSOR && field == 8 && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                tensorName = in.readStringRequireUtf8();
            } else if (child != null && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                int limit = in.pushLimit(in.readRawVarint32());
                Optional<String> inner = walk(in, child, depth + 1);
                in.popLimit(limit);
                if (found.isEmpty()) {
                    found = inner;
                }
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        if (external) {
            return Optional.of(tensorName == null || tensorName.isEmpty() ? "(unnamed tensor)" : tensorName);
        }
        return found;
    }

    /** The message kind of a field that can lead to a tensor, or null for every other field. */
    private static Kind child(Kind kind, int field) {
        return switch (kind) {
            case MODEL -> field == 7 ? Kind.GRAPH : field == 25 ? Kind.FUNCTION : field == 20 ? Kind.TRAINING : null;
            case TRAINING -> field == 1 || field == 2 ? Kind.GRAPH : null;
            case GRAPH -> field == 1 ? Kind.NODE : field == 5 ? Kind.TENSOR : field == 15 ? Kind.SPARSE_TENSOR : null;
            case FUNCTION -> field == 7 ? Kind.NODE : null;
            case NODE -> field == 5 ? Kind.ATTRIBUTE : null;
            case ATTRIBUTE -> switch (field) {
                case 5, 10 -> Kind.TENSOR;
                case 6, 11 -> Kind.GRAPH;
                case 22, 23 -> Kind.SPARSE_TENSOR;
                default -> null;
            };
            case SPARSE_TENSOR -> field == 1 || field == 2 ? Kind.TENSOR : null;
            case TENSOR -> null;
        };
    }
}
