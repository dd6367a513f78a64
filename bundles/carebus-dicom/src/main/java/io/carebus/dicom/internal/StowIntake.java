package io.carebus.dicom.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomException;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import io.carebus.dicom.internal.net.ScpPolicy;
import io.carebus.dicom.internal.net.StoreService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * DICOMweb STOW-RS (PS3.18 §10.5): each application/dicom part of a multipart/related body is kept exactly as a
 * C-STORE would be (same checks, same store-before-success, same audit), and the answer lists what was stored
 * (ReferencedSOPSequence) and what failed and why (FailedSOPSequence, FailureReason): 200 all stored, 202 some,
 * 409 none; 400 / 415 for a body that is not a STOW-RS request at all. The body is a spooled file: each part is
 * read from it as a stream, never copied into memory.
 */
final class StowIntake {

    static final String DICOM = "application/dicom";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** PS3.18 Table 10.5.3-3 failure reasons. */
    private static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
    private static final int TRANSFER_SYNTAX_NOT_SUPPORTED = 0xC122;

    record Answer(int status, String contentType, byte[] body) {
    }

    private final StoreService instances;
    private final ScpPolicy policy;

    StowIntake(StoreService instances, ScpPolicy policy) {
        this.instances = instances;
        this.policy = policy;
    }

    Answer handle(Path body, String contentType, String remote, String user, String studyInPath) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (!type.startsWith("multipart/related")) {
            return problem(415, "STOW-RS takes multipart/related; type=\"application/dicom\"");
        }
        Map<String, String> parameters = MultipartRelated.parameters(contentType);
        String partType = parameters.getOrDefault("type", DICOM).toLowerCase(Locale.ROOT);
        if (!partType.equals(DICOM)) {
            return problem(415, "only application/dicom parts are accepted (no JSON/XML metadata with bulk data)");
        }
        String boundary = parameters.get("boundary");
        if (boundary == null || boundary.isEmpty()) {
            return problem(400, "multipart/related without a boundary");
        }
        List<MultipartRelated.Part> parts;
        try {
            parts = MultipartRelated.parse(body, boundary);
        } catch (MultipartRelated.MalformedException e) {
            return problem(400, e.getMessage());
        } catch (IOException e) {
            return problem(500, "the request could not be read back");
        }
        if (parts.isEmpty()) {
            return problem(400, "no parts in the request");
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode referenced = JSON.createArrayNode();
        ArrayNode failed = JSON.createArrayNode();
        for (MultipartRelated.Part part : parts) {
            String sopClass = "";
            String sopInstance = "";
            int failure;
            if (!part.contentType().toLowerCase(Locale.ROOT).startsWith(DICOM)) {
                failure = StoreService.Status.CANNOT_UNDERSTAND;
            } else {
                AttributeList header = new AttributeList();
                try (DicomInputStream in = new DicomInputStream(MultipartRelated.open(body, part))) {
                    header.read(in, TagFromName.PixelData);
                    sopClass = value(header, TagFromName.MediaStorageSOPClassUID);
                    sopInstance = value(header, TagFromName.MediaStorageSOPInstanceUID);
                    failure = store(body, part, header, sopClass, sopInstance, remote, user, studyInPath);
                } catch (IOException | DicomException | RuntimeException e) {
                    failure = StoreService.Status.CANNOT_UNDERSTAND;
                }
            }
            ObjectNode item = JSON.createObjectNode();
            if (!sopClass.isEmpty()) {
                item.set("00081150", element("UI", sopClass));
            }
            if (!sopInstance.isEmpty()) {
                item.set("00081155", element("UI", sopInstance));
            }
            if (failure == StoreService.Status.SUCCESS) {
                referenced.add(item);
            } else {
                item.set("00081197", JSON.createObjectNode().put("vr", "US").set("Value", JSON.createArrayNode().add(failure)));
                failed.add(item);
            }
        }
        if (!failed.isEmpty()) {
            answer.set("00081198", JSON.createObjectNode().put("vr", "SQ").set("Value", failed));
        }
        if (!referenced.isEmpty()) {
            answer.set("00081199", JSON.createObjectNode().put("vr", "SQ").set("Value", referenced));
        }
        int status = failed.isEmpty() ? 200 : referenced.isEmpty() ? 409 : 202;
        try {
            return new Answer(status, "application/dicom+json", JSON.writeValueAsBytes(answer));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Keeps one instance as the SCP would; its failure reason, or 0. */
    private int store(Path body, MultipartRelated.Part part, AttributeList header, String sopClass, String sopInstance, String remote, String user,
                      String studyInPath) throws IOException {
        if (!policy.sopClasses().contains(sopClass)) {
            return SOP_CLASS_NOT_SUPPORTED;
        }
        String syntax = value(header, TagFromName.TransferSyntaxUID);
        if (!policy.transferSyntaxes().contains(syntax)) {
            return TRANSFER_SYNTAX_NOT_SUPPORTED;
        }
        if (studyInPath != null && !studyInPath.equals(value(header, TagFromName.StudyInstanceUID))) {
            return StoreService.Status.DATA_SET_MISMATCH;
        }
        StoreService.Receiving receiving = instances.begin(new StoreService.Request("STOW:" + (user == null ? "anonymous" : user),
                policy.aeTitle(), remote, sopClass, sopInstance, syntax));
        try (InputStream dataSet = Part10.dataSet(MultipartRelated.open(body, part))) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = dataSet.read(buffer)) > 0; ) {
                receiving.write(buffer, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            receiving.abandon();
            throw e;
        }
        StoreService.Status status = receiving.finish();
        return status.ok() ? StoreService.Status.SUCCESS : status.code();
    }

    private static String value(AttributeList list, com.pixelmed.dicom.AttributeTag tag) {
        return Attribute.getSingleStringValueOrEmptyString(list, tag).strip();
    }

    private static ObjectNode element(String vr, String value) {
        ObjectNode node = JSON.createObjectNode().put("vr", vr);
        node.set("Value", JSON.createArrayNode().add(value));
        return node;
    }

    private static Answer problem(int status, String message) {
        ObjectNode node = JSON.createObjectNode().put("status", status).put("message", message);
        try {
            return new Answer(status, "application/json", JSON.writeValueAsBytes(node));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
