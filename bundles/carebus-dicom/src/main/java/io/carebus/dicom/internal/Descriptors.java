package io.carebus.dicom.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.carebus.dicom.DicomInstance;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The payload of a stored DICOM message: where its file is (relative to the storage folder) and what it is, no
 * patient data. The message row is the receipt; the index and the routes are rebuilt from it.
 */
final class Descriptors {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Descriptors() {
    }

    static byte[] write(DicomInstance instance, Path root) {
        ObjectNode node = JSON.createObjectNode();
        node.put("file", root.relativize(instance.file()).toString());
        node.put("size", instance.size());
        node.put("sha256", instance.sha256());
        node.put("studyInstanceUid", instance.studyInstanceUid());
        node.put("seriesInstanceUid", instance.seriesInstanceUid());
        node.put("sopInstanceUid", instance.sopInstanceUid());
        node.put("sopClassUid", instance.sopClassUid());
        node.put("transferSyntaxUid", instance.transferSyntaxUid());
        node.put("modality", instance.modality());
        node.put("callingAe", instance.callingAe());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static DicomInstance read(long messageId, byte[] descriptor, Path root, Instant receivedAt) throws IOException {
        JsonNode node = JSON.readTree(descriptor);
        if (!node.hasNonNull("studyInstanceUid") || !node.hasNonNull("file")) {
            throw new IOException("message " + messageId + " is not a kept DICOM instance");
        }
        return new DicomInstance(messageId, node.path("studyInstanceUid").asText(), node.path("seriesInstanceUid").asText(),
                node.path("sopInstanceUid").asText(), node.path("sopClassUid").asText(), node.path("transferSyntaxUid").asText(),
                node.path("modality").asText(""), root.resolve(node.path("file").asText()), node.path("size").asLong(),
                node.path("sha256").asText(), node.path("callingAe").asText(null), receivedAt);
    }
}
